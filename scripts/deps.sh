#!/usr/bin/env bash
# deps.sh - install every Debian package secflow needs to build, run and
# test that is missing.  Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libmicrohttpd-dev libjansson-dev libfyaml-dev libsqlite3-dev sqlite3
	libpq-dev libsodium-dev libical-dev libgmime-3.0-dev
	libcurl4-openssl-dev libcmocka-dev libcsv-dev libxlsxwriter-dev
	libzip-dev libexpat1-dev libcmark-dev libvectorscan-dev
	libcairo2-dev libpango1.0-dev ripgrep poppler-utils
	postgresql postgresql-client
	curl python3 wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "secflow: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
