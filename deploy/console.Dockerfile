# syntax=docker/dockerfile:1
#
# The Scute console image: /usr/local/bin/scute running `scute console` with its data folder on the volume
# /var/lib/scute (SQLite database, CA and server certificate, token signing key). Ports: 8083 (API, web UI),
# 8084 (defender channel). Build from the repository root:
#
#   docker build -f deploy/console.Dockerfile -t <registry>/scute-console:<version> .
#
# Run (SQLite):      docker run -p 8083:8083 -p 8084:8084 -v scute:/var/lib/scute \
#                      -e SCUTE_ADMIN_PASSWORD=... <image> --san console.example.com
# Run (PostgreSQL):  add -e SCUTE_DATABASE_URL=postgres://scute:...@db:5432/scute (see deploy/compose.yaml)
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --product scute --static-swift-stdlib -Xlinker -s \
 && mkdir -p /out && cp .build/release/scute /out/scute

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libsqlite3-0 libstdc++6 zlib1g curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 8083 --home-dir /var/lib/scute scute \
 && mkdir -p /var/lib/scute && chown scute /var/lib/scute && chmod 700 /var/lib/scute
COPY --from=build /out/scute /usr/local/bin/scute
# Fails the build when the runtime image lacks a library scute needs.
RUN /usr/local/bin/scute --version
USER scute
VOLUME ["/var/lib/scute"]
EXPOSE 8083 8084
# /health answers without a token; the certificate is the console's own, hence -k inside the container.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["sh", "-c", "curl -fsk https://127.0.0.1:8083/health || curl -fs http://127.0.0.1:8083/health"]
ENTRYPOINT ["/usr/local/bin/scute", "console", "--data", "/var/lib/scute"]
