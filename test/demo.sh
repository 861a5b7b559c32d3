#!/bin/bash
# Build and install coverage_truth, start a throwaway PostgreSQL 15 cluster,
# load the demo fleet from test/data/ and print what the extension derives
# for it. Run as root on Debian bookworm:
#
#   bash test/demo.sh
#
# The cluster lives in a temporary directory and is dropped when the demo
# ends, whether it succeeds or fails. Any failed step exits non-zero.
set -euo pipefail

demo_database=coverage_demo

# Runs inside pg_virtualenv, which sets PGHOST, PGPORT, PGUSER and PGPASSWORD
# for the new cluster.
run_demo_in_cluster() {
	local root="$1"
	local -a psql=(psql -X -q -v ON_ERROR_STOP=1)

	# The schema script drops tables that do not exist yet in a new
	# database, and those notices are noise here.
	export PGOPTIONS='-c client_min_messages=warning'

	"${psql[@]}" -d postgres -c "CREATE DATABASE $demo_database"
	export PGDATABASE="$demo_database"

	"${psql[@]}" -f "$root/test/data/demo_schema.sql"
	"${psql[@]}" -f "$root/test/data/demo_data.sql" >/dev/null
	"${psql[@]}" -c 'CREATE EXTENSION coverage_truth'

	"${psql[@]}" <<'SQL'
\pset footer off
\echo
\echo '== coverage_truth demo: ten Intune tenants =='
\echo
\echo ' 1 Contoso Ltd             healthy: every type succeeded on the newest sync'
\echo ' 2 Fabrikam Inc            conditionalAccessPolicy failed: Authorization_RequestDenied'
\echo ' 3 Northwind Traders       newest sync stored a corrupt payload: basis is the run before'
\echo ' 4 Tailspin Toys           never synced, items imported from CSV: no basis'
\echo ' 5 Woodgrove Bank          a sync is still running: basis is the last completed one'
\echo ' 6 Adventure Works Cycles  newest payload has no foundation_types: those are unknown'
\echo ' 7 Litware Inc             four types throttled (skipped, TooManyRequests)'
\echo ' 8 Proseware Inc           four types no longer synced: unknown despite old items'
\echo ' 9 Wide World Importers    stale on purpose: last sync five days ago'
\echo '10 Alpine Ski House        array-form payloads, two types skipped: not_licensed'
\echo
\echo '== Summary per tenant: coverage_truth.tenant_coverage_summary(id) =='
SELECT t.id AS tenant,
       t.name,
       s.basis_run_id AS basis_run,
       s.basis_run_outcome AS basis_outcome,
       s.has_current_coverage_result AS has_result,
       s.supported_type_count AS types,
       s.succeeded_type_count AS succeeded,
       s.failed_type_count AS failed,
       s.skipped_type_count AS skipped,
       s.unknown_type_count AS unknown,
       s.follow_up_type_count AS follow_up,
       s.observed_item_total AS items,
       s.calm_claim_allowed AS calm,
       date_trunc('minute', s.basis_age) AS basis_age,
       s.basis_is_stale AS stale
FROM public.tenants AS t
CROSS JOIN LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s
ORDER BY t.id;

\echo '== Basis choice: the two newest inventory_sync runs of Northwind (3) and Woodgrove (5) =='
SELECT r.tenant_id AS tenant,
       r.id AS run,
       r.status,
       r.outcome,
       date_trunc('minute', now() - r.completed_at) AS completed_ago,
       coverage_truth.coverage_is_parseable(r.context) AS parseable,
       r.id = s.basis_run_id AS is_basis
FROM public.tenants AS t
CROSS JOIN LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s
CROSS JOIN LATERAL (
  SELECT runs.*
  FROM public.operation_runs AS runs
  WHERE runs.tenant_id = t.id AND runs.type = 'inventory_sync'
  ORDER BY runs.created_at DESC
  LIMIT 2
) AS r
WHERE t.id IN (3, 5)
ORDER BY r.tenant_id, r.id DESC;

\echo '== Per type, Fabrikam Inc (2): coverage_truth.tenant_coverage(2) =='
SELECT c.type,
       c.segment,
       c.coverage_state AS state,
       c.follow_up_required AS follow_up,
       c.observed_item_count AS observed_items,
       c.basis_item_count AS basis_items,
       c.basis_error_code AS error_code,
       c.basis_run_id AS basis_run
FROM coverage_truth.tenant_coverage(2) AS c;

\echo '== Per type, Proseware Inc (8): coverage_truth.tenant_coverage(8) =='
SELECT c.type,
       c.segment,
       c.coverage_state AS state,
       c.follow_up_required AS follow_up,
       c.observed_item_count AS observed_items,
       c.basis_item_count AS basis_items,
       c.basis_error_code AS error_code,
       c.basis_run_id AS basis_run
FROM coverage_truth.tenant_coverage(8) AS c;

\echo '== Fleet overview: coverage_truth.fleet_coverage_summary() in one set-based call =='
SELECT count(*) AS tenants,
       count(*) FILTER (WHERE f.calm_claim_allowed) AS calm,
       count(*) FILTER (WHERE f.follow_up_type_count > 0) AS need_follow_up,
       count(*) FILTER (WHERE f.basis_is_stale) AS stale,
       count(*) FILTER (WHERE NOT f.has_current_coverage_result) AS no_basis,
       sum(f.follow_up_type_count) AS follow_up_types
FROM coverage_truth.fleet_coverage_summary() AS f;

\echo '== Follow-up queue: coverage_truth.coverage_follow_ups grouped by state and error code =='
SELECT f.coverage_state AS state,
       coalesce(f.basis_error_code, '(none)') AS error_code,
       count(*) AS types,
       count(DISTINCT f.tenant_id) AS tenants,
       left(string_agg(DISTINCT f.type, ', ' ORDER BY f.type), 70) AS type_keys
FROM coverage_truth.coverage_follow_ups AS f
GROUP BY 1, 2
ORDER BY 1, 3 DESC, 2;

\echo '== Run detail: coverage_truth.run_coverage(run) for Fabrikam''s basis run, reported types that need follow-up =='
SELECT r.run_id, r.type, r.coverage_state AS state, r.item_count, r.error_code,
       r.run_is_basis, r.basis_run_id
FROM coverage_truth.tenant_coverage_summary(2) AS s
CROSS JOIN LATERAL coverage_truth.run_coverage(s.basis_run_id) AS r
WHERE r.coverage_state <> 'succeeded';

\echo '== Why Northwind''s newest run is not the basis: coverage_truth.explain_coverage_payload =='
SELECT e.path, e.problem, left(e.excerpt, 60) AS excerpt
FROM public.operation_runs AS r
CROSS JOIN LATERAL coverage_truth.explain_coverage_payload(r.context) AS e
WHERE r.id = (SELECT max(id) FROM public.operation_runs
              WHERE tenant_id = 3 AND type = 'inventory_sync' AND status = 'completed');

\echo '== What changed since two days ago, fleet-wide: coverage_truth.tenant_coverage_changes =='
SELECT t.id AS tenant, t.name, c.type, c.from_state, c.to_state, c.change
FROM public.tenants AS t
CROSS JOIN LATERAL coverage_truth.tenant_coverage_changes(t.id, now() - interval '2 days') AS c
WHERE c.change <> 'unchanged'
ORDER BY t.id, c.type;

\echo '== Litware Inc (7): follow-up types per sync over the last 14 days, coverage_truth.tenant_coverage_history =='
SELECT to_char(h.completed_at, 'YYYY-MM-DD HH24:MI') AS completed_at,
       h.run_id,
       h.follow_up_type_count AS follow_up,
       repeat('#', h.follow_up_type_count) AS chart
FROM coverage_truth.tenant_coverage_history(7, now() - interval '14 days', now()) AS h
ORDER BY h.completed_at, h.run_id;

\echo '== Litware Inc (7): when each follow-up type last succeeded, coverage_truth.tenant_last_success =='
SELECT c.type, c.coverage_state AS state, l.last_succeeded_run_id AS last_success_run,
       date_trunc('minute', now() - l.last_succeeded_at) AS ago,
       l.parseable_runs_since
FROM coverage_truth.tenant_coverage(7) AS c
JOIN coverage_truth.tenant_last_success(7) AS l USING (type)
WHERE c.follow_up_required;
SQL
}

if [ "${1:-}" = "--in-cluster" ]; then
	run_demo_in_cluster "$2"
	exit 0
fi

if [ "$#" -gt 0 ]; then
	echo "test/demo.sh: unexpected argument '$1'. Usage: bash test/demo.sh" >&2
	exit 2
fi

# setup.sh installs the packages, builds and installs the extension, and
# exports COVERAGE_TRUTH_ROOT and a PATH that starts with the PostgreSQL 15
# binaries.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# -t keeps the cluster in a temporary directory even as root, so the demo
# does not collide with a 15/regress cluster in /etc/postgresql. A private
# Unix socket directory avoids a port conflict with a server that listens
# only on a socket in /var/run/postgresql, which the free-port search of
# pg_createcluster does not see. The demo itself connects over TCP.
socket_dir="$(mktemp -d -t coverage_truth_demo.XXXXXX)"
trap 'rm -rf "$socket_dir"' EXIT
chown postgres:postgres "$socket_dir"
pg_virtualenv -t -v 15 -c "--socketdir=$socket_dir" \
	bash "$COVERAGE_TRUTH_ROOT/test/demo.sh" --in-cluster "$COVERAGE_TRUTH_ROOT"
