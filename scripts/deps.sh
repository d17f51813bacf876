#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those that are missing.
# `deps.sh --test` adds what only the test suite needs: Chromium and Node.js for the browser
# tests (tests/browser), a Bengali font for their screenshots, zbarimg to read printed QR codes,
# an SMTP server for the mail tests (aiosmtpd, tests/support/smtp_sink.py) and openssl for their
# STARTTLS certificate.
set -euo pipefail
packages=(build-essential cmake pkg-config libsqlite3-dev sqlite3 libjansson-dev libutf8proc-dev
          libcmocka-dev libssl-dev tzdata jq ca-certificates clang libclang-rt-14-dev
          libmicrohttpd-dev libcurl4-openssl-dev curl libqrencode-dev libargon2-dev
          libjs-chart.js)
if [ "${1:-}" = --test ]; then
    packages+=(chromium nodejs npm fonts-lohit-beng-bengali zbar-tools python3-aiosmtpd openssl)
fi
missing=()
for p in "${packages[@]}"; do
    # a Node.js from outside Debian (NodeSource) brings its own npm and conflicts with Debian's
    [ "$p" = npm ] && command -v npm >/dev/null && continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
