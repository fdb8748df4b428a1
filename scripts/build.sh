#!/usr/bin/env bash
# One build for `scute` and the defender bundle next to it, which `scute console` serves (Dockerfile embed,
# download) and `scute sidecar` installs:
#
#   scripts/build.sh                   release: <.build/release>/scute and scute-defender.tar.gz holding a fully
#                                      static, stripped defender (built in .build-release; runs in any image)
#   SCUTE_BUILD=debug scripts/build.sh debug: <.build/debug>/scute and a bundle of the dynamically linked debug
#                                      defender (quicker; it runs only where this machine's libc is)
#
# Prints the folder that holds both. The first release build takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${SCUTE_BUILD:-release}
swift build -c "$CONFIG" --product scute >&2
BIN=$(swift build -c "$CONFIG" --show-bin-path)
if [ "$CONFIG" = release ]; then
    # Its own scratch path: the static flags would otherwise rebuild the shared release products.
    swift build -c release --product scute-defender --static-swift-stdlib \
        -Xswiftc -static-executable -Xlinker -s --scratch-path .build-release >&2
    DEFENDER=$(swift build -c release --scratch-path .build-release --show-bin-path)/scute-defender
    "$BIN/scute" bundle --defender "$DEFENDER" -o "$BIN/scute-defender.tar.gz" >&2
else
    swift build -c "$CONFIG" --product scute-defender >&2
    "$BIN/scute" bundle --defender "$BIN/scute-defender" --allow-dynamic -o "$BIN/scute-defender.tar.gz" >&2
fi
echo "$BIN"
