#!/bin/bash
# Memory and cancellation stress test of coverage_truth. Prints TAP lines
# ("ok N - ..." or "not ok N - ...") with the measured figures as "#"
# comments, then the plan "1..N". Exits non-zero when a check fails.
#
# Each measurement uses its own backend:
#   - the peak private memory (RssAnon, sampled every 5 ms) of a backend
#     while it derives the coverage of a tenant with 1,000,000 items, and of
#     a fleet of 10,001 tenants;
#   - RssAnon and the sum of pg_backend_memory_contexts after 1,000 and after
#     10,000 calls of tenant_coverage_summary in one session, as separate
#     statements, in one statement and in one PL/pgSQL loop;
#   - statement_timeout = 1s and pg_cancel_backend stopping long calls with
#     SQLSTATE 57014, and how long each took. The long calls are a fleet whose
#     newest runs are all unparseable, read as jsonb and as json, and one
#     tenant with many unparseable runs. The session must work afterwards.
# Timings are printed, not asserted. Memory is held to generous bounds that
# catch a leak or an unbounded buffer.
#
# Connects with the libpq environment variables (PGHOST, PGPORT, PGUSER,
# PGPASSWORD), needs the extension installed, and creates and drops its own
# database. It reads /proc/PID/status of the server's backends, so it must
# run on the server's machine. Resetting a backend's peak RSS through
# /proc/PID/clear_refs needs root. To run it alone, as root:
#   pg_virtualenv -t bash test/stress/memory.sh
# It takes about a minute on two cores.
#
# Environment variables change the sizes (defaults in brackets):
# COVERAGE_TRUTH_STRESS_ITEMS [1000000], COVERAGE_TRUTH_STRESS_TENANTS
# [10000], COVERAGE_TRUTH_STRESS_UNPARSEABLE (runs per fleet tenant) [60],
# COVERAGE_TRUTH_STRESS_TENANT_RUNS [500000], COVERAGE_TRUTH_STRESS_CALLS
# [10000] and COVERAGE_TRUTH_STRESS_DB [coverage_truth_stress].
# COVERAGE_TRUTH_STRESS_SKIP_MEMORY_LIMITS=1 skips the memory bounds, for
# sanitizer builds. A cancellation check whose call finishes within 1.5 s is
# skipped, since it cannot show a stop after one second.
set -uo pipefail

export PATH="/usr/lib/postgresql/15/bin:$PATH"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

database=${COVERAGE_TRUTH_STRESS_DB:-coverage_truth_stress}
big_items=${COVERAGE_TRUTH_STRESS_ITEMS:-1000000}
fleet_tenants=${COVERAGE_TRUTH_STRESS_TENANTS:-10000}
unparseable_runs=${COVERAGE_TRUTH_STRESS_UNPARSEABLE:-60}
calls=${COVERAGE_TRUTH_STRESS_CALLS:-10000}
tenant_runs=${COVERAGE_TRUTH_STRESS_TENANT_RUNS:-500000}
skip_memory_limits=${COVERAGE_TRUTH_STRESS_SKIP_MEMORY_LIMITS:-0}

workdir=$(mktemp -d -t coverage_truth_stress.XXXXXX)
chmod 755 "$workdir"
trap 'rm -rf "$workdir"' EXIT

test_number=0
failures=0

report() {
	local passed=$1 name=$2
	test_number=$(( test_number + 1 ))
	if [ "$passed" = skip ]; then
		echo "ok $test_number # SKIP $name"
		return
	fi
	if [ "$passed" = 1 ]; then
		echo "ok $test_number - $name"
	else
		echo "not ok $test_number - $name"
		failures=$(( failures + 1 ))
	fi
}

note() {
	echo "# $*"
}

# Report a memory bound, or skip it when COVERAGE_TRUTH_STRESS_SKIP_MEMORY_LIMITS
# is 1, because a sanitizer's allocator keeps freed memory.
report_bound() {
	local passed=$1 name=$2
	if [ "$skip_memory_limits" = 1 ]; then
		report skip "$name: memory limits are off"
	else
		report "$passed" "$name"
	fi
}

psql_db() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$database" "$@"
}

# Print the value of an arithmetic expression with three decimals.
calc() {
	awk "BEGIN { printf \"%.3f\", $1 }"
}

# Print only the digits of a figure, or 0 when it is missing.
kb() {
	echo "${1:-0}" | tr -cd '0-9'
}

# The sampler reads a backend's RssAnon every 5 ms until a stop file
# appears, then writes the largest value seen, in kB.
cat >"$workdir/sampler.sh" <<'EOF'
#!/bin/bash
pid=$1 stop=$2 result=$3
peak=0
while [ ! -e "$stop" ] && [ -e "/proc/$pid/status" ]; do
	value=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	if [ -n "$value" ] && [ "$value" -gt "$peak" ]; then
		peak=$value
	fi
	sleep 0.005
done
echo "$peak" >"$result.tmp"
mv "$result.tmp" "$result"
EOF

# Print the psql lines that start a measuring session. They put the
# backend's pid in CT_PID and the work directory in CT_DIR for \! commands.
# JIT is off because loading LLVM adds about 10 MB (measured here) to a
# backend the first time a query is expensive enough.
session_prologue() {
	cat <<EOF
SET jit = off;
SELECT pg_backend_pid() AS pid \gset
\setenv CT_PID :pid
\setenv CT_DIR $workdir
EOF
}

# Print the psql lines that save the backend's /proc status fields and its
# memory context total under a label.
snapshot_status() {
	local label=$1
	cat <<EOF
\! awk '/^(RssAnon|VmRSS|VmHWM):/ { print \$1, \$2 }' /proc/\$CT_PID/status > \$CT_DIR/$label.status
SELECT sum(total_bytes) AS context_bytes FROM pg_backend_memory_contexts \gset
\o $workdir/$label.contexts
\qecho :context_bytes
\o
EOF
}

# Print the psql lines that run one statement under the RssAnon sampler.
# They first reset the backend's peak RSS (VmHWM) when allowed.
sampled_statement() {
	local label=$1 statement=$2
	cat <<EOF
\! rm -f \$CT_DIR/$label.stop; (echo 5 > /proc/\$CT_PID/clear_refs) 2>/dev/null
\! bash \$CT_DIR/sampler.sh \$CT_PID \$CT_DIR/$label.stop \$CT_DIR/$label.peak </dev/null >/dev/null 2>&1 &
SELECT pg_sleep(0.05);
\o $workdir/$label.result
$statement
\o
\! touch \$CT_DIR/$label.stop; while [ ! -e \$CT_DIR/$label.peak ]; do sleep 0.01; done
\! awk '/^(RssAnon|VmRSS|VmHWM):/ { print \$1, \$2 }' /proc/\$CT_PID/status > \$CT_DIR/$label.after
EOF
}

# Print one field of a saved /proc status file.
status_field() {
	local file=$1 field=$2
	awk -v f="$field:" '$1 == f { print $2 }' "$file" 2>/dev/null
}

echo "# coverage_truth stress: $big_items items for one tenant, $fleet_tenants-tenant fleet"

##############################################################################
# Data
##############################################################################

start=$(date +%s.%N)
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database" >"$workdir/create.log" 2>&1
setup_status=$?
if [ "$setup_status" -eq 0 ]; then
	psql_db >"$workdir/setup.log" 2>&1 <<EOF
CREATE EXTENSION coverage_truth;

CREATE TABLE public.operation_runs (
  id bigint PRIMARY KEY,
  tenant_id bigint NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  context jsonb,
  completed_at timestamptz
);
CREATE TABLE public.inventory_items (
  tenant_id bigint NOT NULL,
  policy_type text NOT NULL
);

-- A payload in which every shipped type succeeded.
CREATE TABLE public.full_payload AS
SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', jsonb_build_object(
  'policy_types', (SELECT jsonb_object_agg(s.type, jsonb_build_object('status', 'succeeded', 'item_count', 10))
                   FROM coverage_truth.supported_types AS s WHERE s.segment = 'policy'),
  'foundation_types', (SELECT jsonb_object_agg(s.type, jsonb_build_object('status', 'succeeded', 'item_count', 10))
                       FROM coverage_truth.supported_types AS s WHERE s.segment = 'foundation')))) AS context;

-- Tenant 1: one basis run and $big_items items spread over every type.
INSERT INTO public.operation_runs
SELECT 1, 1, 'inventory_sync', 'completed', 'succeeded', p.context, now() - interval '1 hour'
FROM public.full_payload AS p;
INSERT INTO public.inventory_items
SELECT 1, t.types[1 + g % pg_catalog.cardinality(t.types)]
FROM (SELECT array_agg(s.type ORDER BY s.type) AS types FROM coverage_truth.supported_types AS s) AS t,
     generate_series(1, $big_items) AS g;

-- Tenants 1001 on: three syncs each, the newest parseable, and five items.
INSERT INTO public.operation_runs
SELECT 100 + t * 10 + k, t, 'inventory_sync', 'completed', 'succeeded',
       CASE WHEN k = 0 THEN p.context ELSE '{"inventory": {}}'::jsonb END,
       now() - k * interval '1 day'
FROM public.full_payload AS p, generate_series(1001, 1000 + $fleet_tenants) AS t, generate_series(0, 2) AS k;
INSERT INTO public.inventory_items
SELECT t, 'mobileApp' FROM generate_series(1001, 1000 + $fleet_tenants) AS t, generate_series(1, 5);

-- The slow fleet for cancellation: the same tenants, each with
-- $unparseable_runs unparseable runs newer than its one parseable run, so a
-- fleet call examines every one of them.  Tenant 1 has $tenant_runs runs,
-- all unparseable but the oldest.
CREATE TABLE public.slow_runs (LIKE public.operation_runs INCLUDING ALL);
INSERT INTO public.slow_runs
SELECT t * 1000 + k, t, 'inventory_sync', 'completed', 'succeeded',
       CASE WHEN k = 0 THEN p.context
            ELSE jsonb_build_object('inventory', jsonb_build_object('coverage', jsonb_build_object('policy_types', k)),
                                    'padding', repeat('x', 200)) END,
       '2024-01-01 00:00:00+00'::timestamptz + k * interval '1 minute'
FROM public.full_payload AS p, generate_series(1001, 1000 + $fleet_tenants) AS t,
     generate_series(0, $unparseable_runs) AS k;
INSERT INTO public.slow_runs
SELECT k, 1, 'inventory_sync', 'completed', 'succeeded',
       CASE WHEN k = 1 THEN p.context
            ELSE jsonb_build_object('inventory', jsonb_build_object('coverage', 'none'),
                                    'padding', repeat('x', 200)) END,
       '2024-01-01 00:00:00+00'::timestamptz + k * interval '1 second'
FROM public.full_payload AS p, generate_series(1, $tenant_runs) AS k;
CREATE VIEW public.slow_runs_json AS
  SELECT id, tenant_id, type, status, outcome, context::json AS context, completed_at
  FROM public.slow_runs;

CREATE INDEX ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
CREATE INDEX ON public.slow_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
CREATE INDEX ON public.inventory_items (tenant_id, policy_type);
VACUUM ANALYZE;
EOF
	setup_status=$?
fi
elapsed=$(calc "$(date +%s.%N) - $start")
if [ "$setup_status" -ne 0 ]; then
	cat "$workdir/create.log" "$workdir/setup.log" 2>/dev/null | sed 's/^/# /'
fi
report $(( setup_status == 0 )) "create the stress database and its data"
note "data loaded in $(printf '%.1f' "$elapsed") s"
if [ "$setup_status" -ne 0 ]; then
	echo "1..$test_number"
	exit 1
fi

##############################################################################
# Peak memory of one tenant with many items, and of a large fleet
##############################################################################

# Each statement runs in a new session after a warm-up call that loads the
# library and prepares the plans, so the figures show the call alone.
measure_peak() {
	local label=$1 warmup=$2 statement=$3
	{
		session_prologue
		echo "$warmup"
		snapshot_status "$label.before"
		sampled_statement "$label" "$statement"
		snapshot_status "$label.end"
	} >"$workdir/$label.sql"
	psql_db -f "$workdir/$label.sql" >"$workdir/$label.log" 2>&1
}

peak_check() {
	local label=$1 description=$2 limit_kb=$3 expected=$4
	local status before peak growth hwm result
	measure_peak "$label" "$5" "$6"
	status=$?
	before=$(kb "$(status_field "$workdir/$label.before.status" RssAnon)")
	peak=$(kb "$(cat "$workdir/$label.peak" 2>/dev/null)")
	hwm=$(kb "$(status_field "$workdir/$label.after" VmHWM)")
	[ "$peak" -lt "$before" ] && peak=$before
	growth=$(( peak - before ))
	result=$(tr -d ' \n' <"$workdir/$label.result" 2>/dev/null)
	if [ "$status" -ne 0 ]; then
		sed 's/^/# /' "$workdir/$label.log"
	fi
	report $(( status == 0 )) "$description runs"
	[ "$result" = "$expected" ]
	report $(( $? == 0 )) "$description gives the expected answer ($result)"
	note "$description: private memory (RssAnon) $before kB before, peak $peak kB during (+$growth kB); peak RSS with shared buffers (VmHWM) $hwm kB; memory contexts after: $(cat "$workdir/$label.end.contexts" 2>/dev/null | tr -d ' \n') bytes"
	[ "$status" -eq 0 ] && [ "$growth" -le "$limit_kb" ]
	report_bound $(( $? == 0 )) "$description stays within $(( limit_kb / 1024 )) MB of private memory (grew $(( growth / 1024 )) MB)"
}

big_answer="1|1|$big_items"
peak_check big_tenant "tenant_coverage_summary of a tenant with $big_items items" $(( 32 * 1024 )) "$big_answer" \
	"SELECT count(*) FROM coverage_truth.tenant_coverage_summary(2);" \
	"\\pset format unaligned
\\pset tuples_only on
SELECT tenant_id, basis_run_id, observed_item_total FROM coverage_truth.tenant_coverage_summary(1);"

types=$(psql_db -At -c 'SELECT count(*) FROM coverage_truth.supported_types')
peak_check big_tenant_rows "tenant_coverage of a tenant with $big_items items" $(( 32 * 1024 )) "$types|$big_items" \
	"SELECT count(*) FROM coverage_truth.tenant_coverage(2);" \
	"\\pset format unaligned
\\pset tuples_only on
SELECT count(*), sum(observed_item_count) FROM coverage_truth.tenant_coverage(1);"

fleet_count=$(( fleet_tenants + 1 ))
peak_check fleet_summary "fleet_coverage_summary of $fleet_count tenants" $(( 128 * 1024 )) "$fleet_count|$fleet_count" \
	"SELECT count(*) FROM coverage_truth.fleet_coverage_summary(ARRAY[1]);" \
	"\\pset format unaligned
\\pset tuples_only on
SELECT count(*), count(basis_run_id) FROM coverage_truth.fleet_coverage_summary(NULL);"

peak_check fleet_rows "fleet_coverage of $fleet_count tenants" $(( 128 * 1024 )) "$(( fleet_count * types ))|$(( big_items + 5 * fleet_tenants ))" \
	"SELECT count(*) FROM coverage_truth.fleet_coverage(ARRAY[1]);" \
	"\\pset format unaligned
\\pset tuples_only on
SELECT count(*), sum(observed_item_count) FROM coverage_truth.fleet_coverage(NULL);"

##############################################################################
# Many calls in one session do not grow memory
##############################################################################

# Statements sent one by one, as an application would, over 100 tenants.
{
	session_prologue
	echo '\pset format unaligned'
	echo '\pset tuples_only on'
	echo '\o /dev/null'
	for (( i = 1; i <= 1000; i++ )); do
		echo "SELECT * FROM coverage_truth.tenant_coverage_summary($(( 1001 + i % 100 )));"
	done
	echo '\o'
	snapshot_status calls_1000
	echo '\o /dev/null'
	for (( i = 1001; i <= calls; i++ )); do
		echo "SELECT * FROM coverage_truth.tenant_coverage_summary($(( 1001 + i % 100 )));"
	done
	echo '\o'
	snapshot_status calls_last
} >"$workdir/calls.sql"
start=$(date +%s.%N)
psql_db -f "$workdir/calls.sql" >"$workdir/calls.log" 2>&1
status=$?
elapsed=$(calc "$(date +%s.%N) - $start")
[ "$status" -ne 0 ] && sed 's/^/# /' "$workdir/calls.log"
report $(( status == 0 )) "$calls calls of tenant_coverage_summary in one session run"
rss_1000=$(kb "$(status_field "$workdir/calls_1000.status" RssAnon)")
rss_last=$(kb "$(status_field "$workdir/calls_last.status" RssAnon)")
contexts_1000=$(kb "$(cat "$workdir/calls_1000.contexts" 2>/dev/null)")
contexts_last=$(kb "$(cat "$workdir/calls_last.contexts" 2>/dev/null)")
note "$calls single-statement calls took $(printf '%.1f' "$elapsed") s ($(calc "$elapsed * 1000 / $calls") ms a call with the client round trip)"
note "after 1,000 calls: RssAnon $rss_1000 kB, memory contexts $contexts_1000 bytes; after $calls calls: RssAnon $rss_last kB, memory contexts $contexts_last bytes"
[ "$status" -eq 0 ] && [ "$contexts_1000" -gt 0 ] && [ "$contexts_last" -le $(( contexts_1000 + 256 * 1024 )) ]
report_bound $(( $? == 0 )) "memory contexts do not grow from 1,000 to $calls calls (+$(( contexts_last - contexts_1000 )) bytes)"
[ "$status" -eq 0 ] && [ "$rss_1000" -gt 0 ] && [ "$rss_last" -le $(( rss_1000 + 2048 )) ]
report_bound $(( $? == 0 )) "private memory does not grow from 1,000 to $calls calls (+$(( rss_last - rss_1000 )) kB)"

# The same inside one statement: one call per row of a lateral join.
{
	session_prologue
	echo '\pset format unaligned'
	echo '\pset tuples_only on'
	echo "SELECT count(*) FROM generate_series(1, 1000) AS g, LATERAL coverage_truth.tenant_coverage_summary(1001 + g % 100) AS s;"
	snapshot_status lateral_1000
	echo "SELECT count(*) FROM generate_series(1, $calls) AS g, LATERAL coverage_truth.tenant_coverage_summary(1001 + g % 100) AS s;"
	snapshot_status lateral_last
	echo "DO \$\$ BEGIN FOR i IN 1 .. $calls LOOP PERFORM * FROM coverage_truth.tenant_coverage_summary(1001 + i % 100); END LOOP; END \$\$;"
	snapshot_status loop_last
} >"$workdir/lateral.sql"
psql_db -f "$workdir/lateral.sql" >"$workdir/lateral.log" 2>&1
status=$?
[ "$status" -ne 0 ] && sed 's/^/# /' "$workdir/lateral.log"
rss_1000=$(kb "$(status_field "$workdir/lateral_1000.status" RssAnon)")
rss_last=$(kb "$(status_field "$workdir/lateral_last.status" RssAnon)")
rss_loop=$(kb "$(status_field "$workdir/loop_last.status" RssAnon)")
note "one statement with 1,000 calls: RssAnon $rss_1000 kB; with $calls calls: $rss_last kB; a PL/pgSQL loop of $calls calls: $rss_loop kB"
[ "$status" -eq 0 ] && [ "$rss_1000" -gt 0 ] && [ "$rss_last" -le $(( rss_1000 + 2048 )) ] && [ "$rss_loop" -le $(( rss_1000 + 2048 )) ]
report_bound $(( $? == 0 )) "private memory does not grow with the calls in one statement or one PL/pgSQL loop"

##############################################################################
# Cancellation
##############################################################################

# Print how long a call takes to completion, in seconds, to show that the
# cancellations below stop it early.
full_duration() {
	local label=$1 setting=$2 statement=$3
	psql_db -At >"$workdir/$label.full" 2>&1 <<EOF
SET coverage_truth.operation_runs_relation = '$setting';
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$statement
SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 3);
EOF
	tail -n 1 "$workdir/$label.full"
}

# Succeed when a call finishes within 1.5 s. Such a call, with smaller data
# sizes for example, cannot show a stop after one second.
too_short() {
	awk -v seconds="${1:-0}" 'BEGIN { exit !(seconds < 1.5) }'
}

# Check that statement_timeout = 1s stops a call with 57014 and that the
# session works afterwards.
timeout_check() {
	local label=$1 description=$2 setting=$3 statement=$4 full
	full=$(full_duration "$label" "$setting" "$statement")
	echo "$full" >"$workdir/$label.seconds"
	if too_short "$full"; then
		note "$description: runs only $full s to completion"
		report skip "statement_timeout stops $description: the call is too short"
		report skip "the session works after the timeout of $description"
		return
	fi
	psql -X -q -At -d "$database" >"$workdir/$label.timeout" 2>&1 <<EOF
SET coverage_truth.operation_runs_relation = '$setting';
SET statement_timeout = '1s';
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$statement
\echo sqlstate=:LAST_ERROR_SQLSTATE
SELECT 'elapsed=' || round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 3);
RESET statement_timeout;
SELECT 'after=' || observed_item_total FROM coverage_truth.tenant_coverage_summary(1001);
EOF
	local sqlstate elapsed after
	sqlstate=$(sed -n 's/^sqlstate=//p' "$workdir/$label.timeout")
	elapsed=$(sed -n 's/^elapsed=//p' "$workdir/$label.timeout")
	after=$(sed -n 's/^after=//p' "$workdir/$label.timeout")
	note "$description: runs $full s to completion; with statement_timeout = 1s it stopped after $elapsed s with SQLSTATE $sqlstate"
	[ "$sqlstate" = 57014 ]
	report $(( $? == 0 )) "statement_timeout stops $description with SQLSTATE 57014"
	[ "$after" = 5 ]
	report $(( $? == 0 )) "the session works after the timeout of $description"
}

# Check that pg_cancel_backend from another session, one second into the
# call, stops it with 57014 and that the session works afterwards.
cancel_check() {
	local label=$1 description=$2 setting=$3 statement=$4
	local pid="" waited=0 canceled_at
	if too_short "$(cat "$workdir/$label.seconds" 2>/dev/null)"; then
		report skip "pg_cancel_backend stops $description: the call is too short"
		report skip "the session works after the cancel of $description"
		return
	fi
	psql -X -q -At -d "$database" >"$workdir/$label.cancel" 2>&1 <<EOF &
SET coverage_truth.operation_runs_relation = '$setting';
SELECT pg_backend_pid() AS pid \gset
\setenv CT_PID :pid
\! echo \$CT_PID > $workdir/$label.pid
$statement
SELECT 'sqlstate=' || :'LAST_ERROR_SQLSTATE';
SELECT 'stopped_at=' || extract(epoch FROM clock_timestamp());
SELECT 'after=' || observed_item_total FROM coverage_truth.tenant_coverage_summary(1001);
EOF
	local client=$!
	while [ ! -s "$workdir/$label.pid" ] && [ "$waited" -lt 500 ]; do
		sleep 0.02
		waited=$(( waited + 1 ))
	done
	pid=$(cat "$workdir/$label.pid" 2>/dev/null)
	sleep 1
	canceled_at=$(psql -X -At -d "$database" -c "SELECT extract(epoch FROM clock_timestamp()) FROM (SELECT pg_cancel_backend(${pid:-0})) AS c")
	wait "$client"
	local sqlstate stopped_at after latency
	sqlstate=$(sed -n 's/^sqlstate=//p' "$workdir/$label.cancel")
	stopped_at=$(sed -n 's/^stopped_at=//p' "$workdir/$label.cancel")
	after=$(sed -n 's/^after=//p' "$workdir/$label.cancel")
	latency=$(calc "${stopped_at:-0} - ${canceled_at:-0}")
	note "$description: pg_cancel_backend one second in; the call stopped $latency s after the cancel with SQLSTATE $sqlstate"
	[ "$sqlstate" = 57014 ]
	report $(( $? == 0 )) "pg_cancel_backend stops $description with SQLSTATE 57014"
	[ "$after" = 5 ]
	report $(( $? == 0 )) "the session works after the cancel of $description"
}

slow_fleet="SELECT count(*) FROM coverage_truth.fleet_coverage_summary(NULL);"
slow_runs=$(( fleet_tenants * unparseable_runs + tenant_runs - 1 ))
slow_tenant="SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(1);"
timeout_check fleet_jsonb "a fleet call over $slow_runs unparseable jsonb runs" public.slow_runs "$slow_fleet"
cancel_check fleet_jsonb "a fleet call over $slow_runs unparseable jsonb runs" public.slow_runs "$slow_fleet"
timeout_check fleet_json "a fleet call over $slow_runs unparseable json runs" public.slow_runs_json "$slow_fleet"
cancel_check fleet_json "a fleet call over $slow_runs unparseable json runs" public.slow_runs_json "$slow_fleet"
timeout_check tenant_json "a tenant call over $(( tenant_runs - 1 )) unparseable json runs" public.slow_runs_json "$slow_tenant"
cancel_check tenant_json "a tenant call over $(( tenant_runs - 1 )) unparseable json runs" public.slow_runs_json "$slow_tenant"
timeout_check history_json "tenant_last_success over $(( tenant_runs - 1 )) unparseable json runs" public.slow_runs_json \
	"SELECT count(last_succeeded_run_id) FROM coverage_truth.tenant_last_success(1);"

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1
echo "1..$test_number"
[ "$failures" -eq 0 ]
