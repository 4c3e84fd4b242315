#!/bin/sh
# install-deps.sh - install what stipend needs on Debian 12: the C libraries
# and tools from Debian's archive, and the front-end assets and browser-test
# drivers from npm (clang with its runtimes builds the sanitizer run and the
# fuzz targets of make check). Installs only what is missing. As root it installs; as
# another user it names the packages to install and stops.
#
#   tools/install-deps.sh            Debian packages, then npm packages
#   tools/install-deps.sh --npm-only npm packages only
set -eu
cd "$(dirname "$0")/.."

DEBS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev \
libsodium-dev libyaml-dev libcmocka-dev libcurl4-openssl-dev libcairo2-dev libpango1.0-dev libical-dev \
fonts-dejavu-core curl chromium nginx-light wrk poppler-utils clang libclang-rt-14-dev \
libxml2-dev"

if [ "${1:-}" != "--npm-only" ]; then
	missing=""
	for p in $DEBS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	# Node.js may come from elsewhere than Debian (and then conflicts with
	# Debian's npm): take Debian's only when there is none.
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
	if [ -n "$missing" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "stipend needs these Debian packages; install them as root:" >&2
			echo "  apt-get install$missing" >&2
			exit 1
		fi
		echo "Installing Debian packages:$missing"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	fi
fi

if [ ! -f node_modules/.installed ] || [ package.json -nt node_modules/.installed ]; then
	echo "Installing npm packages"
	if [ -f package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error
	else
		npm install --no-audit --no-fund --loglevel=error
	fi
	touch node_modules/.installed
fi
