#!/bin/bash
# Time the per-tenant pair (tenant_coverage + tenant_coverage_summary) of
# two builds of coverage_truth on the same data, to show whether a change
# made the hot path slower.
#
#   bash bench/compare_builds.sh [OLD_COMMIT] [--tenants N] [--rounds N]
#
# OLD_COMMIT (default fcdafe5, version 1.1 before the time functions) is
# built from a git worktree and installed under a private directory, which
# the server loads when the Debian setting extension_destdir points there. The
# working tree's build is installed as usual (bash test/setup.sh). Both
# builds read one database; the timed loops alternate between the builds
# round by round, and each round reports the median microseconds per pair.
# Run as root; it starts its own throwaway cluster.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
old_commit=fcdafe5
tenants=500
rounds=6
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
	old_commit=$1
	shift
fi
while [ $# -gt 0 ]; do
	case "$1" in
		--tenants) tenants=$2 ;;
		--rounds) rounds=$2 ;;
		*) echo "compare_builds.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done

if [ "${COMPARE_INSIDE:-}" = 1 ]; then
	export PGOPTIONS='-c client_min_messages=warning'
	bash "$root/bench/generate.sh" compare --tenants "$tenants" >/dev/null
	psql -X -q -d compare -c 'CREATE EXTENSION coverage_truth'
	psql -X -q -d compare -c "CREATE SCHEMA old_build"

	# One loop over every tenant; prints the median microseconds per pair.
	loop_sql="
DO \$\$
DECLARE
  started timestamptz;
  samples double precision[] := '{}';
  tenant bigint;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM public.inventory_items ORDER BY 1 LOOP
    started := clock_timestamp();
    PERFORM count(c) FROM coverage_truth.tenant_coverage(tenant) AS c;
    PERFORM count(s) FROM coverage_truth.tenant_coverage_summary(tenant) AS s;
    samples := samples || extract(epoch FROM clock_timestamp() - started) * 1e6;
  END LOOP;
  RAISE WARNING 'median_us %', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(samples) AS x);
END
\$\$;"

	for round in $(seq 0 "$rounds"); do
		for build in current old; do
			# The setting is changed server-wide and read by the next new
			# session, which then loads only that build's library.
			if [ "$build" = old ]; then
				destdir=$COMPARE_OLD_DESTDIR
			else
				destdir=""
			fi
			psql -X -q -d compare -c "ALTER SYSTEM SET extension_destdir = '$destdir'" \
				-c 'SELECT pg_reload_conf()' >/dev/null
			sleep 0.5
			# The old build has no tenant_coverage_at symbol, so this shows
			# which library the session loaded.
			if psql -X -q -d compare -c 'SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, now())' >/dev/null 2>&1; then
				loaded=current
			else
				loaded=old
			fi
			if [ "$loaded" != "$build" ]; then
				echo "compare_builds.sh: expected the $build library, but the session loaded the $loaded one" >&2
				exit 1
			fi
			result=$(psql -X -q -d compare -c "$loop_sql" 2>&1 | sed -n 's/.*median_us //p')
			# Round 0 warms the caches and is not reported.
			[ "$round" -gt 0 ] && echo "round $round $build $result"
		done
	done
	exit 0
fi

source "$root/test/setup.sh"

work=$(mktemp -d -t coverage_truth_compare.XXXXXX)
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/tree" "$old_commit" >/dev/null 2>&1
make -C "$work/tree" -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -C "$work/tree" -s PG_CONFIG="$PG_CONFIG" install DESTDIR="$work/install" >/dev/null
chmod -R a+rX "$work"

echo "current build: $(git -C "$root" rev-parse --short HEAD); old build: $old_commit"
socket_dir="$work/socket"
mkdir "$socket_dir"
chown postgres:postgres "$socket_dir"
COMPARE_INSIDE=1 COMPARE_OLD_DESTDIR="$work/install" \
	pg_virtualenv -t -v 15 -c "--socketdir=$socket_dir" -o shared_buffers=1GB -o jit=off \
	bash "$root/bench/compare_builds.sh" --tenants "$tenants" --rounds "$rounds" \
	| tee "$work/rounds.txt"

for build in current old; do
	values=$(awk -v build="$build" '$1 == "round" && $3 == build { print $4 }' "$work/rounds.txt" | sort -n)
	count=$(echo "$values" | wc -l)
	median=$(echo "$values" | awk -v n="$count" '{ v[NR] = $1 } END { print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }')
	echo "$build: median of $count round medians $median us per pair"
done
