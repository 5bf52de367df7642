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
	chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "secflow: installing ${missing[*]}" >&2
	SUDO=
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests' one npm package (playwright-core, pinned in
# tests/browser/package-lock.json; it drives Debian's chromium and
# downloads no browser).  Only when node is there, and only when the
# lock file changed since the last install.
browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if command -v npm >/dev/null 2>&1 &&
   ! cmp -s "$browser/package-lock.json" "$browser/node_modules/.secflow-lock" 2>/dev/null; then
	echo "secflow: npm ci in tests/browser" >&2
	(cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
		cp package-lock.json node_modules/.secflow-lock)
fi
