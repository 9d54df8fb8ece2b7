#!/usr/bin/env bash
# Install the system programs the product and its tests use, when missing:
# redis-server (job queue), mosquitto (MQTT broker), chromium (browser tests),
# graphviz (docs diagrams), postgresql (the store tests' PostgreSQL server).
# Needs root and apt; otherwise says what is missing.
set -euo pipefail

declare -A PACKAGE_OF=(
    [redis-server]=redis-server
    [mosquitto]=mosquitto
    [chromium]=chromium
    [dot]=graphviz
)
missing=()
for program in "${!PACKAGE_OF[@]}"; do
    if ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ]; then
        missing+=("${PACKAGE_OF[$program]}")
    fi
done
# PostgreSQL's server programs are in /usr/lib/postgresql/<version>/bin, not on PATH.
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "warning: missing system packages (need root + apt): ${missing[*]}" >&2
fi
