#!/usr/bin/env bash
# Installs what the benchmarks need beyond the build (wrk for bench/http.sh, numpy and scipy for
# the reference fits of bench/models.sh, pandas for the reference reports of bench/analytics.sh);
# only what is missing. Not needed by the tests.
set -euo pipefail
bash "$(dirname "$0")/deps.sh"
missing=()
for p in wrk python3-numpy python3-scipy python3-pandas; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
