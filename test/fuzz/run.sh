#!/bin/bash
# Parser fuzzer of coverage_truth: random and mutated jsonb contexts through
# parse_coverage, coverage_is_parseable and explain_coverage_payload.
#
# Usage: test/fuzz/run.sh [--seed N] [--count N] [--batch N] [--keep] [--oracle F]
#
# Connects with the PG* environment variables (run it inside pg_virtualenv,
# for example `pg_virtualenv -t test/fuzz/run.sh`) and creates its own
# database there. Cases are made in SQL from seeded randomness, a batch at
# a time, each batch in its own session. Each batch has four TAP checks.
# The parse rows equal the oracle's (coverage_oracle.parse_coverage, order
# included). coverage_is_parseable equals the oracle's. explain never
# raises. The session still responds to a query afterwards, so no backend
# crashed. The seed is the first line of output, then the plan. After a
# crash the runner finds the case that causes it. Exits 0 when every check
# passed.
#
#   --seed N    seed (default: a fresh random seed); batch B of seed N is
#               always the same cases
#   --count N   number of cases (default 200000)
#   --batch N   cases per batch (default 10000)
#   --keep      keep the database afterwards (the last batch stays in
#               coverage_fuzz.batch)
#   --oracle F  load the oracle from file F instead of test/oracle/oracle.sql
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

seed=""
count=200000
batch=10000
keep=0
oracle=$root/test/oracle/oracle.sql
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--oracle) oracle=$2; shift 2 ;;
	-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
if [ -z "$seed" ]; then
	seed=$(( (RANDOM << 15 | RANDOM) % 1000000000 ))
fi
case "$seed$count$batch" in
*[!0-9]*) echo "--seed, --count and --batch take non-negative integers" >&2; exit 2 ;;
esac
[ "$batch" -gt 0 ] || { echo "--batch must be positive" >&2; exit 2; }

batches=$(( (count + batch - 1) / batch ))
total=$(( batches * 4 ))
echo "# seed $seed (count $count, batch $batch)"
echo "1..$total"
started=$SECONDS

db="coverage_fuzz_${seed}_$$"
admin_db=${PGDATABASE:-postgres}
psql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$admin_db" "$@"; }
psql_db() {
	PGDATABASE=$db PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
		psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}
sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

bail() {
	echo "Bail out! $*"
	if [ "$keep" -eq 0 ]; then psql_admin -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1; fi
	exit 1
}

wait_for_server() {
	local i
	for i in $(seq 1 120); do
		psql_admin -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

if ! psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" >/dev/null 2>&1; then
	psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null \
		|| bail "cannot create database $db"
fi
psql_admin -c "ALTER DATABASE \"$db\" SET max_parallel_workers_per_gather = 0" >/dev/null

# The oracle reads the host tables, so they must exist (empty is fine).
setup_log=$(mktemp)
if ! psql_db -v oracle="$oracle" -v differential="$root/test/differential" \
		-v fuzz="$here" >"$setup_log" 2>&1 <<-'SQL'
	\set ON_ERROR_STOP 1
	CREATE TABLE public.operation_runs (
	  id bigserial PRIMARY KEY, tenant_id bigint, type varchar(255) NOT NULL,
	  status varchar(255) NOT NULL, outcome varchar(255), context jsonb, completed_at timestamptz);
	CREATE TABLE public.inventory_items (
	  id bigserial PRIMARY KEY, tenant_id bigint, policy_type varchar(255) NOT NULL);
	CREATE EXTENSION IF NOT EXISTS coverage_truth;
	\i :oracle
	\i :differential/generator.sql
	\i :differential/harness.sql
	\i :fuzz/mutate.sql
	SQL
then
	grep -v '^$' "$setup_log" | sed 's/^/# /'
	rm -f "$setup_log"
	bail "loading the fuzzer failed"
fi
rm -f "$setup_log"

calls=(
	"parse_coverage matches the oracle|%1\$s.parse_coverage(s.context)|check"
	"coverage_is_parseable matches the oracle|%1\$s.coverage_is_parseable(s.context)|check"
	"explain_coverage_payload never raises|%1\$s.explain_coverage_payload(s.context)|no_error"
)

failed=0
crashes=0
number=0
for b in $(seq 1 "$batches"); do
	size=$(( count - (b - 1) * batch ))
	[ "$size" -gt "$batch" ] && size=$batch
	first=$(( number + 1 ))
	script="DO \$\$ BEGIN
  PERFORM pg_catalog.setseed(pg_catalog.hashint8($seed::bigint * 100003 + $b)::float8 / 2147483648.0);
  PERFORM coverage_fuzz.fill_batch($size);
END \$\$;
SELECT pg_catalog.format('# batch $b: %s cases, %s parseable by the oracle, %s longer than 10 kB',
  count(*), count(*) FILTER (WHERE coverage_oracle.coverage_is_parseable(context)),
  count(*) FILTER (WHERE pg_catalog.octet_length(context::text) > 10240))
FROM coverage_fuzz.batch;"
	k=$first
	for entry in "${calls[@]}"; do
		IFS='|' read -r description call kind <<<"$entry"
		if [ "$kind" = check ]; then
			script+=$'\n'"SELECT * FROM coverage_diff.check($k, $(sql_quote "batch $b: $description"), 'coverage_fuzz.batch', $(sql_quote "$call"));"
		else
			script+=$'\n'"SELECT * FROM coverage_diff.check_no_error($k, $(sql_quote "batch $b: $description"), 'coverage_fuzz.batch', $(sql_quote "$call"));"
		fi
		k=$(( k + 1 ))
	done
	script+=$'\n'"SELECT 'session alive';"
	batch_started=$SECONDS
	output=$(psql_db -f - 2>&1 <<<"$script")
	status=$?
	grep -E '^(not )?ok [0-9]+ |^#' <<<"$output"
	for k in $(seq "$first" $(( first + 2 ))); do
		if grep -q "^not ok $k " <<<"$output"; then
			failed=$(( failed + 1 ))
		elif ! grep -q "^ok $k " <<<"$output"; then
			failed=$(( failed + 1 ))
			echo "not ok $k - batch $b: ${calls[$(( k - first ))]%%|*} (did not report)"
		fi
	done
	number=$(( first + 3 ))
	if [ "$status" -eq 0 ] && grep -q '^session alive$' <<<"$output"; then
		echo "ok $number - batch $b: the session still responds ($(( SECONDS - batch_started )) s)"
		continue
	fi
	failed=$(( failed + 1 ))
	echo "not ok $number - batch $b: the session still responds (psql status $status)"
	grep -vE '^(not )?ok [0-9]+ |^#|^session alive$' <<<"$output" | sed 's/^/# /'
	if [ "$status" -eq 2 ] || ! psql_db -c 'SELECT 1' >/dev/null 2>&1; then
		crashes=$(( crashes + 1 ))
		wait_for_server || bail "the server did not come back"
	fi
	[ "$status" -eq 2 ] || continue
	# Find the case and the function that crash, by bisection with each try
	# in a fresh session. The batch table still contains the cases.
	for entry in "${calls[@]}"; do
		IFS='|' read -r description call kind <<<"$entry"
		low=1
		high=$size
		psql_db -c "SELECT coverage_diff.call_range('coverage_fuzz.batch', $(sql_quote "$call"), $low, $high)" >/dev/null 2>&1
		if [ $? -ne 2 ]; then wait_for_server; continue; fi
		wait_for_server
		while [ "$low" -lt "$high" ]; do
			middle=$(( low + (high - low) / 2 ))
			psql_db -c "SELECT coverage_diff.call_range('coverage_fuzz.batch', $(sql_quote "$call"), $low, $middle)" >/dev/null 2>&1
			if [ $? -eq 2 ]; then high=$middle; else low=$(( middle + 1 )); fi
			wait_for_server
		done
		echo "# ${call//%1\$s/coverage_truth} crashes the backend on case $low of batch $b:"
		psql_db -c "SELECT '#   ' || left(context::text, 4000) FROM coverage_fuzz.batch WHERE sample_id = $low"
	done
done

if [ "$keep" -eq 0 ]; then
	psql_admin -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
else
	echo "# kept database $db"
fi
echo "# seed $seed: $failed of $total checks failed, $crashes crashes, $(( SECONDS - started )) s"
[ "$failed" -eq 0 ]
