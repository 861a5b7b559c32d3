#!/bin/bash
# Install what building and testing need on Debian bookworm, then build and
# install the extension. Sourced by test/run_tests.sh and test/demo.sh; run
# as root (it calls apt-get and installs into the server's directories).
set -euo pipefail

COVERAGE_TRUTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export COVERAGE_TRUTH_ROOT

packages=(make gcc postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
          libtap-parser-sourcehandler-pgtap-perl postgresql-common)
missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
		|| missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PATH="/usr/lib/postgresql/15/bin:$PATH"
make -C "$COVERAGE_TRUTH_ROOT" -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -C "$COVERAGE_TRUTH_ROOT" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
