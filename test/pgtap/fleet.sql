-- Fleet results: fleet_coverage_summary, fleet_coverage and the dashboard
-- views, each checked against the per-tenant functions.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(28);

------------------------------------------------------------------------------
-- Fixtures
------------------------------------------------------------------------------

DROP TABLE IF EXISTS public.operation_runs CASCADE;
DROP TABLE IF EXISTS public.inventory_items CASCADE;
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

DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('a', 'policy', 'A', 'Test', 10),
  ('f', 'foundation', 'F', 'Test', 10);

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Tenant 1: calm. Tenant 2: a failed, with items. Tenant 3: items only.
-- Tenant 4: only a run of another type. Tenant 5: only unparseable runs.
-- Tenant 7: a dated success, and a run with NULL completed_at that sorts after it.
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at) VALUES
  (10, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}, "foundation_types": {"f": {"status": "succeeded"}}}'),
   now() - interval '1 hour'),
  (20, 2, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"a": {"status": "failed", "error_code": "E"}}}'), now() - interval '30 hours'),
  (40, 4, 'policy_sync', 'running', NULL, NULL, NULL),
  (50, 5, 'inventory_sync', 'completed', 'succeeded', '{}', now() - interval '1 hour'),
  (51, 5, 'inventory_sync', 'completed', 'succeeded', NULL, NULL),
  (70, 7, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}'), now() - interval '2 hours'),
  (71, 7, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"a": {"status": "skipped"}}}'), NULL);
INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT 2, 'a' FROM generate_series(1, 2)
UNION ALL SELECT 3, 'f'
UNION ALL SELECT 3, 'zzz';

------------------------------------------------------------------------------
-- fleet_coverage_summary
------------------------------------------------------------------------------

SELECT volatility_is('coverage_truth', 'fleet_coverage_summary', ARRAY['bigint[]'], 'stable',
  'fleet_coverage_summary is stable');
SELECT volatility_is('coverage_truth', 'fleet_coverage', ARRAY['bigint[]'], 'stable',
  'fleet_coverage is stable');

SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$VALUES (1::bigint), (2::bigint), (3::bigint), (4::bigint), (5::bigint), (7::bigint)$$,
  'NULL: every tenant in either relation, by tenant_id');
SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary()',
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  'default argument means every tenant');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$SELECT s.* FROM unnest(ARRAY[1, 2, 3, 4, 5, 7]::bigint[]) AS t(id),
                    LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s ORDER BY t.id$$,
  'NULL: rows equal the per-tenant summaries');

SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(ARRAY[6, 2, 2, 1]::bigint[])',
  $$VALUES (1::bigint), (2::bigint), (6::bigint)$$,
  'array: each distinct id once, by tenant_id');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[6, 2, 2, 1]::bigint[])',
  $$SELECT s.* FROM unnest(ARRAY[1, 2, 6]::bigint[]) AS t(id),
                    LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s ORDER BY t.id$$,
  'array: rows equal the per-tenant summaries');
SELECT is((SELECT has_current_coverage_result::text || '|' || unknown_type_count || '|' || calm_claim_allowed::text
           FROM coverage_truth.fleet_coverage_summary(ARRAY[6]::bigint[])),
  'false|2|false', 'array: id without data gets a row');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[]::bigint[])',
  'empty array: no rows');

SELECT is((SELECT basis_run_id FROM coverage_truth.fleet_coverage_summary(NULL) WHERE tenant_id = 7), 70::bigint,
  'fleet basis follows the candidate order');
SELECT is((SELECT basis_run_id FROM coverage_truth.fleet_coverage_summary(NULL) WHERE tenant_id = 5), NULL,
  'fleet basis skips unparseable runs');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.fleet_coverage_summary(NULL) WHERE tenant_id = 1), true,
  'fleet calm claim for calm tenant');
SELECT is((SELECT basis_is_stale FROM coverage_truth.fleet_coverage_summary(NULL) WHERE tenant_id = 2), true,
  'fleet staleness for 30 hours old basis');
SELECT is((SELECT observed_item_total FROM coverage_truth.fleet_coverage_summary(NULL) WHERE tenant_id = 3), 1::bigint,
  'fleet observed total ignores uncatalogued types');

------------------------------------------------------------------------------
-- fleet_coverage
------------------------------------------------------------------------------

SELECT bag_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  $$SELECT c.* FROM unnest(ARRAY[1, 2, 3, 4, 5, 7]::bigint[]) AS t(id),
                    LATERAL coverage_truth.tenant_coverage(t.id) AS c$$,
  'NULL: rows equal the per-tenant rows');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.fleet_coverage()',
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  'fleet_coverage default argument means every tenant');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(ARRAY[6, 1, 1]::bigint[])',
  $$SELECT c.* FROM unnest(ARRAY[1, 6]::bigint[]) AS t(id), LATERAL coverage_truth.tenant_coverage(t.id) AS c$$,
  'array: rows equal the per-tenant rows');
SELECT is((SELECT count(*) FROM coverage_truth.fleet_coverage(ARRAY[6]::bigint[])), 2::bigint,
  'array: id without data gets every catalog type');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage(ARRAY[]::bigint[])',
  'fleet_coverage empty array: no rows');
SELECT is((SELECT coverage_state::text || '|' || basis_error_code FROM coverage_truth.fleet_coverage(NULL)
           WHERE tenant_id = 2 AND type = 'a'),
  'failed|E', 'fleet_coverage reads the basis entry');

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------

SELECT bag_eq(
  'SELECT * FROM coverage_truth.tenant_coverage_summaries',
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  'tenant_coverage_summaries holds every tenant summary');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.coverage_follow_ups',
  'SELECT * FROM coverage_truth.fleet_coverage(NULL) WHERE follow_up_required',
  'coverage_follow_ups holds every follow-up row');
SELECT is((SELECT count(*) FROM coverage_truth.coverage_follow_ups WHERE tenant_id = 1), 0::bigint,
  'calm tenant has no follow-ups');

------------------------------------------------------------------------------
-- Catalog edits, settings and row level security apply to the fleet too
------------------------------------------------------------------------------

INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
VALUES ('n', 'policy', 'N', 'Test', 20);
SELECT is((SELECT supported_type_count FROM coverage_truth.fleet_coverage_summary(ARRAY[1]::bigint[])), 3,
  'inserted catalog type counted by the fleet');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.fleet_coverage_summary(ARRAY[1]::bigint[])), false,
  'inserted unknown type denies fleet calm claim');
DELETE FROM coverage_truth.supported_types WHERE type = 'n';

CREATE SCHEMA ct_fleet_host;
CREATE TABLE ct_fleet_host.runs (run_no integer, org integer, kind text, state text, result text,
                                 payload json, finished timestamp);
CREATE TABLE ct_fleet_host.items (org smallint, kind varchar(20));
INSERT INTO ct_fleet_host.runs VALUES
  (1, 41, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}', '2024-03-01 08:00:00');
INSERT INTO ct_fleet_host.items VALUES (42, 'a');
CREATE VIEW ct_fleet_host.runs_v AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished AS completed_at FROM ct_fleet_host.runs;
CREATE VIEW ct_fleet_host.items_v AS SELECT org AS tenant_id, kind AS policy_type FROM ct_fleet_host.items;

SET LOCAL coverage_truth.operation_runs_relation = 'ct_fleet_host.runs_v';
SET LOCAL coverage_truth.inventory_items_relation = 'ct_fleet_host.items_v';
SELECT results_eq(
  'SELECT tenant_id, basis_run_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$VALUES (41::bigint, 1::bigint), (42::bigint, NULL::bigint)$$,
  'fleet reads the configured relations');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_fleet_unqualified';
SELECT throws_like('SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  '%coverage_truth.operation_runs_relation%', 'fleet raises on an unqualified setting');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;

CREATE ROLE ct_fleet_rls_reader NOLOGIN;
GRANT SELECT ON public.operation_runs, public.inventory_items TO ct_fleet_rls_reader;
ALTER TABLE public.operation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.inventory_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_fleet_runs_policy ON public.operation_runs FOR SELECT TO ct_fleet_rls_reader
  USING (tenant_id <> 5 AND id <> 71);
CREATE POLICY ct_fleet_items_policy ON public.inventory_items FOR SELECT TO ct_fleet_rls_reader
  USING (tenant_id <> 3);

SET LOCAL ROLE ct_fleet_rls_reader;
CREATE TEMP TABLE rls_fleet AS SELECT * FROM coverage_truth.fleet_coverage_summary(NULL);
RESET ROLE;

SELECT results_eq('SELECT tenant_id FROM rls_fleet',
  $$VALUES (1::bigint), (2::bigint), (4::bigint), (7::bigint)$$,
  'row level security limits the fleet tenants');

SELECT * FROM finish();
ROLLBACK;
