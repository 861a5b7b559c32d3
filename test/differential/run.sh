#!/bin/bash
# Differential test of coverage_truth against the plain-SQL oracle in
# test/oracle/oracle.sql, on a seeded random fleet.
#
# Usage: test/differential/run.sh [--seed N] [--tenants N] [--flavour jsonb|json]
#                                 [--keep] [--oracle F]
#
# Connects with the PG* environment variables (run it inside pg_virtualenv,
# for example `pg_virtualenv -t test/differential/run.sh`), creates its own
# database there, loads a fleet and compares every function of the
# extension with the oracle. Output is TAP: the seed as the first line, the
# plan, one "ok N - ..." or "not ok N - ..." line per check with the first
# mismatches as "# " comments. Exits 0 when every check passed.
#
#   --seed N      seed of the fleet (default: a fresh random seed)
#   --tenants N   tenants in the fleet (default 1500; 100000 is the long run)
#   --flavour F   column types of the host tables, jsonb (bigint ids, varchar,
#                 jsonb, timestamptz) or json (integer ids, text, json,
#                 timestamp). Default: json for seeds divisible by 3.
#   --keep        keep the database afterwards, to investigate
#   --oracle F    load the oracle from file F instead of test/oracle/oracle.sql
#                 (to see that a deliberately broken oracle is caught)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

seed=""
tenants=1500
flavour=""
keep=0
oracle=$root/test/oracle/oracle.sql
while [ $# -gt 0 ]; do
	case "$1" in
	--seed) seed=$2; shift 2 ;;
	--tenants) tenants=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--oracle) oracle=$2; shift 2 ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "unknown argument: $1" >&2; exit 2 ;;
	esac
done
if [ -z "$seed" ]; then
	seed=$(( (RANDOM << 15 | RANDOM) % 1000000000 ))
fi
case "$seed$tenants" in
*[!0-9]*) echo "--seed and --tenants take non-negative integers" >&2; exit 2 ;;
esac
if [ -z "$flavour" ]; then
	if [ $(( seed % 3 )) -eq 0 ]; then flavour=json; else flavour=jsonb; fi
fi
case "$flavour" in jsonb|json) ;; *) echo "--flavour is jsonb or json" >&2; exit 2 ;; esac

zones=(UTC America/New_York Europe/Berlin Asia/Kolkata Pacific/Chatham Australia/Lord_Howe)
zone=${zones[$(( seed / 3 % ${#zones[@]} ))]}
stale_settings=("0" "1 hour" "3 days" "1 mon" "-1 hour" "26:00:00.000001")
stale=${stale_settings[$(( (seed / 2 + seed % 5) % ${#stale_settings[@]} ))]}
views="SET TimeZone = 'UTC'; SET coverage_truth.operation_runs_relation = 'public.operation_runs_view'; SET coverage_truth.inventory_items_relation = 'public.inventory_items_view'"
empty_catalog="BEGIN; DELETE FROM coverage_truth.supported_types"
large_catalog="BEGIN; SELECT coverage_gen.grow_catalog(400)"
case_insensitive="SET coverage_truth.inventory_items_relation = 'public.inventory_items_case_insensitive'"

echo "# seed $seed (tenants $tenants, flavour $flavour, TimeZone $zone, other stale_after '$stale')"
started=$SECONDS

db="coverage_diff_${seed}_$$"
admin_db=${PGDATABASE:-postgres}
psql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$admin_db" "$@"; }
psql_db() {
	PGDATABASE=$db PGTZ=$zone PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
		psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# Tests: description | samples table | call template (%1$s is the schema) |
# kind (check, no_error, empty) | settings to apply first
tests=(
	"parse_coverage matches the oracle on every run context|coverage_diff.s_contexts|%1\$s.parse_coverage(s.context)|check|"
	"coverage_is_parseable matches the oracle on every run context|coverage_diff.s_contexts|%1\$s.coverage_is_parseable(s.context)|check|"
	"explain_coverage_payload never raises on a run context|coverage_diff.s_contexts|%1\$s.explain_coverage_payload(s.context)|no_error|"
	"explain_coverage_payload reports each unparseable context|SELECT s.sample_id, s.context FROM coverage_diff.s_contexts AS s WHERE s.context IS NOT NULL AND NOT coverage_oracle.coverage_is_parseable(s.context) AND NOT EXISTS (SELECT FROM coverage_truth.explain_coverage_payload(s.context))||empty|"
	"explain_coverage_payload reports each context with dropped entries|SELECT s.sample_id, s.context FROM coverage_diff.s_contexts AS s WHERE coverage_diff.dropped_entries(s.context) > 0 AND NOT EXISTS (SELECT FROM coverage_truth.explain_coverage_payload(s.context))||empty|"
	"tenant_coverage matches the oracle for every tenant|coverage_diff.s_tenants|%1\$s.tenant_coverage(s.tenant_id)|check|"
	"tenant_coverage_summary matches the oracle for every tenant|coverage_diff.s_tenants|%1\$s.tenant_coverage_summary(s.tenant_id)|check|"
	"fleet_coverage_summary matches the oracle (NULL, empty, sampled and full arrays)|coverage_diff.s_fleet|%1\$s.fleet_coverage_summary(s.tenant_ids)|check|"
	"fleet_coverage matches the oracle (NULL, empty, sampled and full arrays)|coverage_diff.s_fleet|%1\$s.fleet_coverage(s.tenant_ids)|check|"
	"fleet_coverage_summary with a NULL element in the array matches the oracle|coverage_diff.s_fleet_null|%1\$s.fleet_coverage_summary(s.tenant_ids)|check|"
	"dashboard views match the oracle|SELECT 'summaries, extension only' AS side, to_jsonb(d) AS r FROM (SELECT * FROM coverage_truth.tenant_coverage_summaries EXCEPT ALL SELECT * FROM coverage_oracle.fleet_coverage_summary()) AS d UNION ALL SELECT 'summaries, oracle only', to_jsonb(d) FROM (SELECT * FROM coverage_oracle.fleet_coverage_summary() EXCEPT ALL SELECT * FROM coverage_truth.tenant_coverage_summaries) AS d UNION ALL SELECT 'follow_ups, extension only', to_jsonb(d) FROM (SELECT * FROM coverage_truth.coverage_follow_ups EXCEPT ALL SELECT * FROM coverage_oracle.fleet_coverage() WHERE follow_up_required) AS d UNION ALL SELECT 'follow_ups, oracle only', to_jsonb(d) FROM (SELECT * FROM coverage_oracle.fleet_coverage() WHERE follow_up_required EXCEPT ALL SELECT * FROM coverage_truth.coverage_follow_ups) AS d||empty|"
	"run_coverage matches the oracle on sampled runs|coverage_diff.s_runs|%1\$s.run_coverage(s.run_id)|check|"
	"run_coverage_diff matches the oracle on sampled run pairs|coverage_diff.s_pairs|%1\$s.run_coverage_diff(s.from_run_id, s.to_run_id)|check|"
	"tenant_coverage_at matches the oracle on sampled moments|coverage_diff.s_moments|%1\$s.tenant_coverage_at(s.tenant_id, s.at)|check|"
	"tenant_coverage_summary_at matches the oracle on sampled finite moments|coverage_diff.s_finite_moments|%1\$s.tenant_coverage_summary_at(s.tenant_id, s.at)|check|"
	"tenant_coverage_changes matches the oracle on sampled moments|coverage_diff.s_moments|%1\$s.tenant_coverage_changes(s.tenant_id, s.at)|check|"
	"tenant_last_success matches the oracle for every tenant|coverage_diff.s_tenants|%1\$s.tenant_last_success(s.tenant_id)|check|"
	"tenant_coverage_history matches the oracle on sampled windows|coverage_diff.s_windows|%1\$s.tenant_coverage_history(s.tenant_id, s.from_at, s.to_at)|check|"
	"tenant_coverage_summary matches the oracle with stale_after '$stale'|coverage_diff.s_some_tenants|%1\$s.tenant_coverage_summary(s.tenant_id)|check|SET coverage_truth.stale_after = '$stale'"
	"fleet_coverage_summary matches the oracle with stale_after '$stale'|coverage_diff.s_some_fleet|%1\$s.fleet_coverage_summary(s.tenant_ids)|check|SET coverage_truth.stale_after = '$stale'"
	"tenant_coverage_summary_at matches the oracle with stale_after '$stale'|coverage_diff.s_some_moments|%1\$s.tenant_coverage_summary_at(s.tenant_id, s.at)|check|SET coverage_truth.stale_after = '$stale'"
	"tenant_coverage matches the oracle when the extension reads views with other column types|coverage_diff.s_some_tenants|%1\$s.tenant_coverage(s.tenant_id)|check|$views"
	"fleet_coverage_summary matches the oracle when the extension reads views with other column types|coverage_diff.s_some_fleet|%1\$s.fleet_coverage_summary(s.tenant_ids)|check|$views"
	"tenant_coverage_history matches the oracle when the extension reads views with other column types|coverage_diff.s_some_windows|%1\$s.tenant_coverage_history(s.tenant_id, s.from_at, s.to_at)|check|$views"
	"tenant_coverage_summary matches the oracle with an empty catalog|coverage_diff.s_tenants|%1\$s.tenant_coverage_summary(s.tenant_id)|check|$empty_catalog"
	"fleet_coverage matches the oracle with an empty catalog|coverage_diff.s_fleet|%1\$s.fleet_coverage(s.tenant_ids)|check|$empty_catalog"
	"tenant_coverage matches the oracle with a large catalog of lookalike names|coverage_diff.s_some_tenants|%1\$s.tenant_coverage(s.tenant_id)|check|$large_catalog"
	"run_coverage_diff matches the oracle with a large catalog of lookalike names|coverage_diff.s_some_pairs|%1\$s.run_coverage_diff(s.from_run_id, s.to_run_id)|check|$large_catalog"
	"tenant_coverage matches the oracle when policy_type has a case-insensitive collation|coverage_diff.s_some_tenants|%1\$s.tenant_coverage(s.tenant_id)|check|$case_insensitive"
	"fleet_coverage_summary matches the oracle when policy_type has a case-insensitive collation|coverage_diff.s_some_fleet|%1\$s.fleet_coverage_summary(s.tenant_ids)|check|$case_insensitive"
	"NULL arguments give no rows (and coverage_is_parseable(NULL) is false)|SELECT 'tenant_coverage' AS f FROM coverage_truth.tenant_coverage(NULL) UNION ALL SELECT 'tenant_coverage_summary' FROM coverage_truth.tenant_coverage_summary(NULL) UNION ALL SELECT 'parse_coverage' FROM coverage_truth.parse_coverage(NULL) UNION ALL SELECT 'explain_coverage_payload' FROM coverage_truth.explain_coverage_payload(NULL) UNION ALL SELECT 'run_coverage' FROM coverage_truth.run_coverage(NULL) UNION ALL SELECT 'tenant_coverage_at' FROM coverage_truth.tenant_coverage_at(1, NULL) UNION ALL SELECT 'tenant_coverage_summary_at' FROM coverage_truth.tenant_coverage_summary_at(NULL, now()) UNION ALL SELECT 'run_coverage_diff' FROM coverage_truth.run_coverage_diff(NULL, 1) UNION ALL SELECT 'tenant_coverage_changes' FROM coverage_truth.tenant_coverage_changes(1, NULL) UNION ALL SELECT 'tenant_last_success' FROM coverage_truth.tenant_last_success(NULL) UNION ALL SELECT 'tenant_coverage_history' FROM coverage_truth.tenant_coverage_history(1, NULL, now()) UNION ALL SELECT 'coverage_is_parseable' WHERE coverage_truth.coverage_is_parseable(NULL) IS DISTINCT FROM false||empty|"
)
total=$(( ${#tests[@]} + 1 ))
echo "1..$total"

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

# Create the database: ICU en-US collation when the server has ICU, so the
# byte-order rules are tested against a linguistic default collation.
if ! psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" >/dev/null 2>&1; then
	psql_admin -c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null \
		|| bail "cannot create database $db"
fi
psql_admin -c "ALTER DATABASE \"$db\" SET max_parallel_workers_per_gather = 0" >/dev/null

setup_log=$(mktemp)
if ! psql_db -v seed="$seed" -v tenants="$tenants" -v flavour="$flavour" \
		-v test_dir="$here" -v oracle="$oracle" \
		-f "$here/setup.sql" >"$setup_log" 2>&1; then
	grep -v '^$' "$setup_log" | sed 's/^/# /'
	rm -f "$setup_log"
	bail "loading the fleet failed"
fi
grep -v '^$' "$setup_log"
rm -f "$setup_log"
echo "# fleet loaded in $(( SECONDS - started )) s"

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

crashes=0
failed=0
number=0
for test in "${tests[@]}"; do
	number=$(( number + 1 ))
	IFS='|' read -r description samples call kind settings <<<"$test"
	case "$kind" in
	check) statement="SELECT * FROM coverage_diff.check($number, $(sql_quote "$description"), $(sql_quote "$samples"), $(sql_quote "$call"))" ;;
	no_error) statement="SELECT * FROM coverage_diff.check_no_error($number, $(sql_quote "$description"), $(sql_quote "$samples"), $(sql_quote "$call"))" ;;
	empty) statement="SELECT * FROM coverage_diff.check_empty($number, $(sql_quote "$description"), $(sql_quote "$samples"))" ;;
	esac
	test_started=$SECONDS
	output=$(psql_db -c "${settings:-SELECT}" -c "$statement" 2>&1)
	status=$?
	if [ "$status" -eq 0 ] && grep -qE "^(not )?ok $number " <<<"$output"; then
		grep -v '^$' <<<"$output"
		grep -q "^not ok $number " <<<"$output" && failed=$(( failed + 1 ))
		echo "#   $(( SECONDS - test_started )) s"
		continue
	fi
	failed=$(( failed + 1 ))
	echo "not ok $number - $description"
	sed 's/^/# /' <<<"$output"
	if [ "$status" -eq 2 ] || ! psql_db -c 'SELECT 1' >/dev/null 2>&1; then
		crashes=$(( crashes + 1 ))
		echo "# the session ended abnormally (psql status $status); waiting for the server"
		wait_for_server || bail "the server did not come back"
	fi
	# Find the sample that crashes, by bisection with each try in a fresh
	# session.
	if [ "$status" -eq 2 ] && [ "$kind" != empty ]; then
		read -r low high < <(psql_db -F ' ' -c "SELECT min(sample_id), max(sample_id) FROM $samples")
		tries=0
		while [ "$low" -lt "$high" ] && [ "$tries" -lt 40 ]; do
			tries=$(( tries + 1 ))
			middle=$(( low + (high - low) / 2 ))
			psql_db -c "${settings:-SELECT}" -c "SELECT coverage_diff.call_range($(sql_quote "$samples"), $(sql_quote "$call"), $low, $middle)" >/dev/null 2>&1
			if [ $? -eq 2 ]; then
				high=$middle
			else
				wait_for_server
				psql_db -c "${settings:-SELECT}" -c "SELECT coverage_diff.call_range($(sql_quote "$samples"), $(sql_quote "$call"), $(( middle + 1 )), $high)" >/dev/null 2>&1
				if [ $? -ne 2 ]; then
					echo "# the crash did not reproduce in either half of samples $low..$high"
					break
				fi
				low=$(( middle + 1 ))
			fi
			wait_for_server
		done
		if [ "$low" -eq "$high" ]; then
			echo "# crashing sample: $(psql_db -c "SELECT left(to_jsonb(s)::text, 4000) FROM $samples AS s WHERE s.sample_id = $low")"
		fi
	fi
done

number=$(( number + 1 ))
if [ "$crashes" -eq 0 ]; then
	echo "ok $number - no backend crashed"
else
	failed=$(( failed + 1 ))
	echo "not ok $number - no backend crashed ($crashes sessions ended abnormally)"
fi

if [ "$keep" -eq 0 ]; then
	psql_admin -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
else
	echo "# kept database $db"
fi
echo "# seed $seed: $failed of $total checks failed, $(( SECONDS - started )) s"
[ "$failed" -eq 0 ]
