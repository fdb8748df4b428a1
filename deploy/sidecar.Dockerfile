# syntax=docker/dockerfile:1
#
# The Scute sidecar image: /usr/local/bin/scute with the defender bundle at /opt/scute/scute-defender.tar.gz,
# running `scute sidecar`, which copies the bundle into the task's shared /scute volume and reports healthy
# once /scute/defender is in place (`scute sidecar health`). `scute embed task-definition --sidecar-image`
# points here. Build from the repository root (docs/bundle.md):
#
#   docker build -f deploy/sidecar.Dockerfile -t <registry>/scute-sidecar:<version> .
#   docker buildx build --platform linux/arm64 -f deploy/sidecar.Dockerfile -t ... .   # Graviton
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The defender: fully static (no loader, no libc needed in the app image) and stripped, so it runs in any
# Linux image of the build's architecture. scute itself carries the Swift runtime statically and needs only
# glibc and a few system libraries from the runtime image.
RUN swift build -c release --product scute-defender --static-swift-stdlib \
      -Xswiftc -static-executable -Xlinker -s --scratch-path .build-release \
 && swift build -c release --product scute --static-swift-stdlib -Xlinker -s \
 && mkdir -p /out \
 && cp .build/release/scute /out/scute \
 && /out/scute bundle --defender .build-release/release/scute-defender -o /out/scute-defender.tar.gz

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libsqlite3-0 libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/scute /usr/local/bin/scute
COPY --from=build /out/scute-defender.tar.gz /opt/scute/scute-defender.tar.gz
# Fails the build when the runtime image lacks a library scute needs.
RUN /usr/local/bin/scute --version
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/scute", "sidecar", "health"]
ENTRYPOINT ["/usr/local/bin/scute", "sidecar"]
