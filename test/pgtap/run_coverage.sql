-- Run detail: run_coverage returns, per catalog type, the state that one
-- run's own payload reports, and whether that run is its tenant's basis.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(52);

------------------------------------------------------------------------------
-- Fixtures
------------------------------------------------------------------------------

DROP TABLE IF EXISTS public.operation_runs CASCADE;
DROP TABLE IF EXISTS public.inventory_items CASCADE;
CREATE TABLE public.operation_runs (
  id bigint PRIMARY KEY,
  tenant_id bigint,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  context jsonb,
  completed_at timestamptz
);
CREATE TABLE public.inventory_items (
  tenant_id bigint,
  policy_type text
);

-- Catalog order: segment, sort_order, then type in byte order, so the
-- policy types come as z, B, a, b and the foundation types as f, g.
DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('b', 'policy', 'Bee', 'Test', 20),
  ('a', 'policy', 'Ay', 'Test', 20),
  ('B', 'policy', 'Big Bee', 'Test', 20),
  ('z', 'policy', 'Zed', 'Test', 10),
  ('g', 'foundation', 'Gee', 'Test', 10),
  ('f', 'foundation', 'Ef', 'Test', 10);

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Returns "type state item_count error_code" for every row of a run, in
-- result order, with NULL spelled out.
CREATE FUNCTION pg_temp.run_states(run bigint) RETURNS text[]
LANGUAGE sql AS $$
  SELECT array_agg(r.type || ' ' || r.coverage_state || ' ' || coalesce(r.item_count::text, 'NULL')
                   || ' ' || coalesce(r.error_code, 'NULL') ORDER BY r.position)
  FROM coverage_truth.run_coverage(run) WITH ORDINALITY
       AS r(run_id, tenant_id, type, segment, label, coverage_state, item_count, error_code,
            run_is_basis, basis_run_id, position)
$$;

-- Returns the distinct "run_is_basis basis_run_id" pairs of a run's rows.
CREATE FUNCTION pg_temp.run_basis(run bigint) RETURNS text[]
LANGUAGE sql AS $$
  SELECT array_agg(DISTINCT r.run_is_basis::text || ' ' || coalesce(r.basis_run_id::text, 'NULL'))
  FROM coverage_truth.run_coverage(run) AS r
$$;

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at) VALUES
  -- Tenant 1: run 11 is the basis. Run 10 is older, run 12 newer but
  -- unparseable, run 13 still running, run 14 of another type and run 15
  -- completed without a completed_at.
  (10, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded", "item_count": 5},
                                  "b": {"status": "failed", "item_count": 3, "error_code": "E1"},
                                  "B": {"status": "skipped"}},
                 "foundation_types": [{"type": "f", "status": "skipped", "item_count": 0, "error_code": "S1"}]}'),
   now() - interval '3 hours'),
  (11, 1, 'inventory_sync', 'completed', 'partial',
   pg_temp.ctx('{"policy_types": {"a": {"status": " FAILED ", "error_code": "E2", "item_count": 1.5},
                                  "z": {"status": "succeeded", "item_count": 9223372036854775807, "error_code": "X"}},
                 "foundation_types": {"g": {"status": "Succeeded", "item_count": 2}, "a": {"status": "skipped"}}}'),
   now() - interval '2 hours'),
  (12, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": 1}}}', now() - interval '1 hour'),
  (13, 1, 'inventory_sync', 'running', NULL,
   pg_temp.ctx('{"policy_types": [{"type": "b", "status": "succeeded", "item_count": 7}]}'), NULL),
  (14, 1, 'policy_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"foundation_types": [{"type": "f", "status": "failed", "error_code": "P1"},
                                      {"type": "f", "status": "succeeded"}]}'),
   now()),
  (15, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"z": {"status": "skipped", "error_code": "N1"}}}'), NULL),
  -- Tenant 2: no basis, because its only completed sync is double-encoded.
  (20, 2, 'inventory_sync', 'completed', 'succeeded',
   to_jsonb(pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}')::text), now() - interval '1 hour'),
  (21, 2, 'inventory_sync', 'running', NULL,
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded", "item_count": 4}}}'), NULL),
  -- Tenant 3: only a run of another type.
  (30, 3, 'policy_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"z": {"status": "failed", "error_code": "Q1"}}}'), now()),
  -- No tenant.
  (40, NULL, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"B": {"status": "succeeded"}}}'), now()),
  -- Tenant 5: two candidates completed at the same moment, so the higher id wins.
  (50, 5, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}'), timestamptz '2024-05-01 12:00:00+00'),
  (51, 5, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"a": {"status": "failed"}}}'), timestamptz '2024-05-01 12:00:00+00');
INSERT INTO public.inventory_items (tenant_id, policy_type) VALUES (1, 'a'), (1, 'a'), (1, 'zzz'), (2, 'f');

------------------------------------------------------------------------------
-- The basis run
------------------------------------------------------------------------------

SELECT is((SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(1)), 11::bigint,
  'fixture: run 11 is the basis');
SELECT is(pg_temp.run_basis(11), ARRAY['true 11'], 'basis run: run_is_basis on every row');
SELECT results_eq(
  $$SELECT type, segment, label, coverage_state, item_count, error_code, basis_run_id
    FROM coverage_truth.run_coverage(11)$$,
  $$SELECT type, segment, label, coverage_state, basis_item_count, basis_error_code, basis_run_id
    FROM coverage_truth.tenant_coverage(1)$$,
  'basis run: rows equal tenant_coverage');
SELECT is(pg_temp.run_states(11),
  ARRAY['z succeeded 9223372036854775807 NULL', 'B unknown NULL NULL', 'a failed NULL E2',
        'b unknown NULL NULL', 'f unknown NULL NULL', 'g succeeded 2 NULL'],
  'basis run: own states in catalog order');
SELECT results_eq(
  'SELECT DISTINCT run_id, tenant_id FROM coverage_truth.run_coverage(11)',
  $$VALUES (11::bigint, 1::bigint)$$,
  'basis run: run_id and tenant_id');
SELECT results_eq(
  'SELECT type, segment::text, label FROM coverage_truth.run_coverage(11)',
  $$VALUES ('z', 'policy', 'Zed'), ('B', 'policy', 'Big Bee'), ('a', 'policy', 'Ay'), ('b', 'policy', 'Bee'),
           ('f', 'foundation', 'Ef'), ('g', 'foundation', 'Gee')$$,
  'catalog columns in catalog order');

------------------------------------------------------------------------------
-- Runs that are not the basis
------------------------------------------------------------------------------

SELECT is(pg_temp.run_states(10),
  ARRAY['z unknown NULL NULL', 'B skipped NULL NULL', 'a succeeded 5 NULL', 'b failed 3 E1',
        'f skipped 0 S1', 'g unknown NULL NULL'],
  'older run: its own states');
SELECT is(pg_temp.run_basis(10), ARRAY['false 11'], 'older run: not basis, names run 11');
SELECT isnt((SELECT array_agg(coverage_state) FROM coverage_truth.run_coverage(10)),
            (SELECT array_agg(coverage_state) FROM coverage_truth.tenant_coverage(1)),
  'older run: states differ from the basis');

SELECT is(pg_temp.run_states(12),
  ARRAY['z unknown NULL NULL', 'B unknown NULL NULL', 'a unknown NULL NULL',
        'b unknown NULL NULL', 'f unknown NULL NULL', 'g unknown NULL NULL'],
  'unparseable run: every type unknown');
SELECT is(pg_temp.run_basis(12), ARRAY['false 11'], 'unparseable run: not basis, names run 11');

SELECT is(pg_temp.run_states(13),
  ARRAY['z unknown NULL NULL', 'B unknown NULL NULL', 'a unknown NULL NULL',
        'b succeeded 7 NULL', 'f unknown NULL NULL', 'g unknown NULL NULL'],
  'running run: its own states');
SELECT is(pg_temp.run_basis(13), ARRAY['false 11'], 'running run: not basis, names run 11');

SELECT is(pg_temp.run_states(14),
  ARRAY['z unknown NULL NULL', 'B unknown NULL NULL', 'a unknown NULL NULL',
        'b unknown NULL NULL', 'f succeeded NULL NULL', 'g unknown NULL NULL'],
  'other type: its own states, last entry wins');
SELECT is(pg_temp.run_basis(14), ARRAY['false 11'], 'other type: not basis, names run 11');

SELECT is(pg_temp.run_states(15),
  ARRAY['z skipped NULL N1', 'B unknown NULL NULL', 'a unknown NULL NULL',
        'b unknown NULL NULL', 'f unknown NULL NULL', 'g unknown NULL NULL'],
  'undated run: its own states');
SELECT is(pg_temp.run_basis(15), ARRAY['false 11'], 'undated run: not basis, names run 11');

SELECT is(pg_temp.run_basis(50), ARRAY['false 51'], 'tie: lower id not basis');
SELECT is(pg_temp.run_basis(51), ARRAY['true 51'], 'tie: higher id is basis');
SELECT is((pg_temp.run_states(50))[3], 'a succeeded NULL NULL', 'tie: lower id own state');
SELECT is((pg_temp.run_states(51))[3], 'a failed NULL NULL', 'tie: higher id own state');

------------------------------------------------------------------------------
-- Tenants without a basis
------------------------------------------------------------------------------

SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(2)), false,
  'fixture: tenant 2 has no basis');
SELECT is(pg_temp.run_states(20),
  ARRAY['z unknown NULL NULL', 'B unknown NULL NULL', 'a unknown NULL NULL',
        'b unknown NULL NULL', 'f unknown NULL NULL', 'g unknown NULL NULL'],
  'double-encoded run: every type unknown');
SELECT is(pg_temp.run_basis(20), ARRAY['false NULL'], 'double-encoded run: no basis');
SELECT is((pg_temp.run_states(21))[3], 'a succeeded 4 NULL', 'running run, no basis: own state');
SELECT is(pg_temp.run_basis(21), ARRAY['false NULL'], 'running run, no basis: no basis');
SELECT is((pg_temp.run_states(30))[1], 'z failed NULL Q1', 'other-type tenant: own state');
SELECT is(pg_temp.run_basis(30), ARRAY['false NULL'], 'other-type tenant: no basis');

SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(40)), 6::bigint, 'run without tenant: every type');
SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(40) WHERE tenant_id IS NULL), 6::bigint,
  'run without tenant: tenant_id NULL');
SELECT is(pg_temp.run_basis(40), ARRAY['false NULL'], 'run without tenant: no basis');
SELECT is((pg_temp.run_states(40))[2], 'B succeeded NULL NULL', 'run without tenant: own state');

------------------------------------------------------------------------------
-- Missing runs and NULL
------------------------------------------------------------------------------

SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(999)', 'missing run: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(-1)', 'negative id: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(NULL)', 'NULL run: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(NULL::bigint)', 'typed NULL run: no rows');

------------------------------------------------------------------------------
-- Every run at once
------------------------------------------------------------------------------

SELECT is_empty($$
  SELECT r.id FROM public.operation_runs AS r
  WHERE (SELECT count(*) FROM coverage_truth.run_coverage(r.id)) <> (SELECT count(*) FROM coverage_truth.supported_types)$$,
  'every run: one row per catalog type');
SELECT is_empty($$
  SELECT r.id FROM public.operation_runs AS r
  WHERE (SELECT array_agg(c.type ORDER BY c.position)
         FROM coverage_truth.run_coverage(r.id) WITH ORDINALITY
              AS c(run_id, tenant_id, type, segment, label, coverage_state, item_count, error_code,
                   run_is_basis, basis_run_id, position))
        IS DISTINCT FROM
        (SELECT array_agg(t.type ORDER BY t.position)
         FROM coverage_truth.tenant_coverage(coalesce(r.tenant_id, 0)) WITH ORDINALITY
              AS t(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
                   observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
                   supports_dependencies, basis_run_id, position))$$,
  'every run: tenant_coverage row order');
SELECT is_empty($$
  SELECT r.id, c.type FROM public.operation_runs AS r, coverage_truth.run_coverage(r.id) AS c
  WHERE c.run_id <> r.id OR c.tenant_id IS DISTINCT FROM r.tenant_id$$,
  'every run: run_id and tenant_id');
SELECT is_empty($$
  SELECT r.id, c.type FROM public.operation_runs AS r, coverage_truth.run_coverage(r.id) AS c
  LEFT JOIN coverage_truth.tenant_coverage_summary(c.tenant_id) AS s ON true
  WHERE c.basis_run_id IS DISTINCT FROM s.basis_run_id
     OR c.run_is_basis IS DISTINCT FROM coalesce(s.basis_run_id = r.id, false)$$,
  'every run: basis columns match the summary');

-- A run's own state per type: the parsed entry of the type's own segment,
-- else the other list's entry, else unknown.
SELECT set_eq(
  $$SELECT r.id, c.type, c.coverage_state, c.item_count, c.error_code
    FROM public.operation_runs AS r, coverage_truth.run_coverage(r.id) AS c$$,
  $$SELECT r.id, s.type,
           coalesce(own.status, other.status, 'unknown'),
           CASE WHEN own.type IS NOT NULL THEN own.item_count ELSE other.item_count END,
           CASE WHEN own.type IS NOT NULL THEN own.error_code ELSE other.error_code END
    FROM public.operation_runs AS r
    CROSS JOIN coverage_truth.supported_types AS s
    LEFT JOIN LATERAL (SELECT * FROM coverage_truth.parse_coverage(r.context) AS p
                       WHERE p.type = s.type AND p.segment = s.segment) AS own ON true
    LEFT JOIN LATERAL (SELECT * FROM coverage_truth.parse_coverage(r.context) AS p
                       WHERE p.type = s.type AND p.segment <> s.segment) AS other ON true$$,
  'every run: states from its own payload');

------------------------------------------------------------------------------
-- Catalog edits and settings
------------------------------------------------------------------------------

INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
VALUES ('a0', 'policy', 'A zero', 'Test', 20);
SELECT is((pg_temp.run_states(10))[4], 'a0 unknown NULL NULL', 'new catalog type: unknown, in order');
SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(11)), 7::bigint, 'new catalog type: one more row');
DELETE FROM coverage_truth.supported_types WHERE type = 'a0';

UPDATE coverage_truth.supported_types SET sort_order = 5 WHERE type = 'b';
SELECT is((pg_temp.run_states(10))[1], 'b failed 3 E1', 'sort_order change: row order follows');
SELECT results_eq('SELECT type FROM coverage_truth.run_coverage(10)', 'SELECT type FROM coverage_truth.tenant_coverage(1)',
  'sort_order change: same order as tenant_coverage');
UPDATE coverage_truth.supported_types SET sort_order = 20 WHERE type = 'b';

UPDATE coverage_truth.supported_types SET segment = 'foundation' WHERE type = 'a';
SELECT is((SELECT coverage_state::text FROM coverage_truth.run_coverage(11) WHERE type = 'a'), 'skipped',
  'segment change: foundation entry used');
UPDATE coverage_truth.supported_types SET segment = 'policy' WHERE type = 'a';

UPDATE coverage_truth.supported_types SET restore_mode = 'not_supported', risk_level = 'high',
  supports_dependencies = true, platform = 'windows';
SELECT is(pg_temp.run_states(10),
  ARRAY['z unknown NULL NULL', 'B skipped NULL NULL', 'a succeeded 5 NULL', 'b failed 3 E1',
        'f skipped 0 S1', 'g unknown NULL NULL'],
  'capability columns: states unchanged');

CREATE SCHEMA ct_run_host;
CREATE TABLE ct_run_host.runs (run_no integer, org integer, kind varchar, state varchar, result varchar,
                               payload json, finished timestamp);
INSERT INTO ct_run_host.runs VALUES
  (7, 70, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"b": {"status": "skipped", "item_count": 2}}}}}', '2024-03-01 08:00:00'),
  (8, 70, 'inventory_sync', 'completed', 'succeeded', '{"inventory": {"coverage": {"policy_types": {"a": {"status": "x\u0000"}}}}}',
   '2024-03-02 08:00:00');
CREATE VIEW ct_run_host.runs_view AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished AS completed_at FROM ct_run_host.runs;
SET LOCAL coverage_truth.operation_runs_relation = 'ct_run_host.runs_view';
SELECT is((pg_temp.run_states(7))[4], 'b skipped 2 NULL', 'view source with json: own state');
SELECT is(pg_temp.run_basis(7), ARRAY['true 7'], 'view source: run 7 is the basis');
SELECT is((pg_temp.run_states(8))[3], 'a unknown NULL NULL', 'json with \u0000: unknown');
SELECT is(pg_temp.run_basis(8), ARRAY['false 7'], 'json with \u0000: not basis');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(11)', 'view source: run of other relation absent');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;

SELECT * FROM finish();
ROLLBACK;
