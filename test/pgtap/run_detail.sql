-- Run detail and diagnostics: run_coverage, explain_coverage_payload and
-- check_sources.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(49);

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
  ('b', 'policy', 'Bee', 'Test', 20),
  ('a', 'policy', 'Ay', 'Test', 20),
  ('f', 'foundation', 'Ef', 'Test', 10);

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Returns 'state|item_count|error_code' of one run_coverage row.
CREATE FUNCTION pg_temp.run_state(run bigint, t text) RETURNS text
LANGUAGE sql AS $$
  SELECT r.coverage_state::text || '|' || coalesce(r.item_count::text, 'NULL') || '|' || coalesce(r.error_code, 'NULL')
  FROM coverage_truth.run_coverage(run) AS r WHERE r.type = t
$$;

-- Tenant 1: run 11 is the basis. Run 10 is older, run 12 is newer but
-- unparseable, run 13 is still running and run 14 has no context.
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at) VALUES
  (10, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded", "item_count": 5},
                                  "b": {"status": "failed", "item_count": 3, "error_code": "E1"}},
                 "foundation_types": [{"type": "f", "status": "skipped", "error_code": "S1"}]}'),
   now() - interval '3 hours'),
  (11, 1, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"a": {"status": "failed"}}}'), now() - interval '2 hours'),
  (12, 1, 'inventory_sync', 'completed', 'succeeded', '{}', now() - interval '1 hour'),
  (13, 1, 'inventory_sync', 'running', NULL,
   pg_temp.ctx('{"policy_types": {"a": {"status": "skipped"}}}'), NULL),
  (14, 1, 'inventory_sync', 'completed', 'succeeded', NULL, now() - interval '4 hours'),
  -- Tenant 2: type a in both lists.
  (20, 2, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}, "f": {"status": "failed"}},
                 "foundation_types": {"a": {"status": "failed"}, "f": {"status": "succeeded"}}}'),
   now() - interval '1 hour'),
  -- Tenant 3: no basis at all.
  (30, 3, 'inventory_sync', 'completed', 'succeeded',
   to_jsonb(pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}')::text), now() - interval '1 hour');

------------------------------------------------------------------------------
-- run_coverage
------------------------------------------------------------------------------

SELECT results_eq(
  'SELECT type FROM coverage_truth.run_coverage(10)',
  'SELECT type FROM coverage_truth.tenant_coverage(1)',
  'run_coverage rows in tenant_coverage order');
SELECT results_eq(
  'SELECT type FROM coverage_truth.run_coverage(10)',
  $$VALUES ('a'), ('b'), ('f')$$,
  'run_coverage one row per catalog type');
SELECT results_eq(
  'SELECT run_id, tenant_id, segment::text, label FROM coverage_truth.run_coverage(10)',
  $$VALUES (10::bigint, 1::bigint, 'policy', 'Ay'), (10::bigint, 1::bigint, 'policy', 'Bee'),
           (10::bigint, 1::bigint, 'foundation', 'Ef')$$,
  'run_coverage identity columns');

SELECT is(pg_temp.run_state(10, 'a'), 'succeeded|5|NULL', 'older run: own succeeded entry');
SELECT is(pg_temp.run_state(10, 'b'), 'failed|3|E1', 'older run: own failed entry');
SELECT is(pg_temp.run_state(10, 'f'), 'skipped|NULL|S1', 'older run: own array entry');
SELECT is((SELECT bool_or(run_is_basis) FROM coverage_truth.run_coverage(10)), false, 'older run is not the basis');
SELECT is((SELECT min(basis_run_id) FROM coverage_truth.run_coverage(10)), 11::bigint, 'older run names current basis');
SELECT is((SELECT count(DISTINCT basis_run_id) FROM coverage_truth.run_coverage(10)), 1::bigint,
  'one basis_run_id on every row');

SELECT is(pg_temp.run_state(11, 'a'), 'failed|NULL|NULL', 'basis run: own entry');
SELECT is(pg_temp.run_state(11, 'b'), 'unknown|NULL|NULL', 'basis run: absent type unknown');
SELECT is((SELECT bool_and(run_is_basis) FROM coverage_truth.run_coverage(11)), true, 'basis run is the basis');

SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(12) WHERE coverage_state = 'unknown'), 3::bigint,
  'unparseable run: every type unknown');
SELECT is((SELECT bool_or(run_is_basis) FROM coverage_truth.run_coverage(12)), false, 'unparseable run is not the basis');
SELECT is((SELECT min(basis_run_id) FROM coverage_truth.run_coverage(12)), 11::bigint, 'unparseable run names current basis');

SELECT is(pg_temp.run_state(13, 'a'), 'skipped|NULL|NULL', 'running run: own payload read');
SELECT is((SELECT bool_or(run_is_basis) FROM coverage_truth.run_coverage(13)), false, 'running run is not the basis');
SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(14) WHERE coverage_state = 'unknown'), 3::bigint,
  'NULL context run: every type unknown');

SELECT is(pg_temp.run_state(20, 'a'), 'succeeded|NULL|NULL', 'run_coverage: policy type uses policy list');
SELECT is(pg_temp.run_state(20, 'f'), 'succeeded|NULL|NULL', 'run_coverage: foundation type uses foundation list');

SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(30) WHERE coverage_state = 'unknown'), 3::bigint,
  'double-encoded run: every type unknown');
SELECT is((SELECT count(*) FROM coverage_truth.run_coverage(30) WHERE basis_run_id IS NULL AND NOT run_is_basis),
  3::bigint, 'tenant without basis: basis_run_id NULL');

SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(999)', 'unknown run: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage(NULL)', 'run_coverage of NULL: no rows');

------------------------------------------------------------------------------
-- explain_coverage_payload
------------------------------------------------------------------------------

SELECT is_empty('SELECT * FROM coverage_truth.explain_coverage_payload(NULL)',
  'explain_coverage_payload of NULL: no rows');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx('{
      "policy_types": {"a": {"status": "succeeded", "item_count": 2}},
      "foundation_types": [{"type": "f", "status": "failed", "error_code": "E"}]}'))$$,
  'clean payload: no findings');

SELECT isnt_empty('SELECT * FROM coverage_truth.explain_coverage_payload(''{}'')', 'empty context: finding');
SELECT isnt_empty('SELECT * FROM coverage_truth.explain_coverage_payload(''{"inventory": []}'')',
  'array inventory: finding');
SELECT isnt_empty('SELECT * FROM coverage_truth.explain_coverage_payload(''{"inventory": {"coverage": "x"}}'')',
  'string coverage: finding');
SELECT isnt_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx('{}'))$$,
  'coverage without lists: finding');
SELECT isnt_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx('{"policy_types": 1}'))$$,
  'wrong-typed list: finding');
SELECT isnt_empty('SELECT * FROM coverage_truth.explain_coverage_payload(''[1, 2]'')', 'array context: finding');

CREATE TEMP TABLE double_encoded_findings AS
SELECT * FROM coverage_truth.explain_coverage_payload(
  to_jsonb(pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}')::text));
SELECT isnt_empty('SELECT * FROM double_encoded_findings', 'double-encoded context: finding');
SELECT ok((SELECT bool_or(problem ~* '(string|encod)') FROM double_encoded_findings),
  'double-encoded context: problem says why');

CREATE TEMP TABLE dropped_findings AS
SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx('{
  "policy_types": {"a": {"status": "succeeded"}, "dropped_by_status": {"status": "\u00a0failed"}},
  "foundation_types": [{"type": "f", "status": "skipped"}, {"status": "failed"}]}'));
SELECT ok((SELECT bool_or(path ~ 'dropped_by_status') FROM dropped_findings),
  'dropped object entry: path names the type');
SELECT ok((SELECT bool_or(path ~ 'foundation_types') FROM dropped_findings),
  'dropped array entry: path names the list');
SELECT ok((SELECT bool_and(problem IS NOT NULL AND problem <> '') FROM dropped_findings),
  'every finding states a problem');

CREATE TEMP TABLE odd_contexts (context jsonb);
INSERT INTO odd_contexts (context) VALUES
  ('null'), ('true'), ('0'), ('"x"'), ('[]'), ('{}'), ('[null]'),
  ('{"inventory": null}'), ('{"inventory": {"coverage": []}}'),
  ('{"inventory": {"coverage": {"policy_types": [null, 1, "x", [], {}, {"type": null}, {"type": {}},
     {"type": "a", "status": {}}, {"type": "a", "status": "succeeded", "item_count": 1e1000},
     {"type": "a", "status": "failed", "item_count": -1e1000, "error_code": []}]}}}'),
  ('{"inventory": {"coverage": {"policy_types": {"": {"status": "succeeded"}, "a": [], "b": null}}}}'),
  ((repeat('[', 5000) || repeat(']', 5000))::jsonb),
  ((repeat('{"inventory":', 5000) || '1' || repeat('}', 5000))::jsonb),
  (pg_temp.ctx(jsonb_build_object('policy_types',
     (SELECT jsonb_agg(jsonb_build_object('type', 't' || i, 'status', 'bogus')) FROM generate_series(1, 20000) AS i)))),
  (pg_temp.ctx(jsonb_build_object('policy_types', jsonb_build_object(E'\u0001 "q" \\',
     ('{"status": ' || repeat('[', 3000) || repeat(']', 3000) || '}')::jsonb))));
SELECT lives_ok(
  'SELECT count(*) FROM odd_contexts AS o, LATERAL coverage_truth.explain_coverage_payload(o.context) AS e',
  'explain_coverage_payload never raises');

------------------------------------------------------------------------------
-- check_sources
------------------------------------------------------------------------------

CREATE TEMP TABLE checks_without_indexes AS SELECT * FROM coverage_truth.check_sources();
SELECT isnt_empty('SELECT * FROM checks_without_indexes', 'check_sources returns checks');
SELECT is((SELECT count(*) FROM checks_without_indexes WHERE check_name IS NULL OR ok IS NULL), 0::bigint,
  'every check has a name and a result');
SELECT ok((SELECT bool_or(NOT ok) FROM checks_without_indexes), 'missing indexes: a check fails');
SELECT ok((SELECT bool_or(detail ~* 'index') FROM checks_without_indexes WHERE NOT ok),
  'missing indexes: detail names the index');
SELECT is((SELECT count(*) FROM checks_without_indexes WHERE NOT ok AND coalesce(detail, '') = ''), 0::bigint,
  'missing indexes: every failing check has a detail');

CREATE INDEX ct_check_runs_basis ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
CREATE INDEX ct_check_items_type ON public.inventory_items (tenant_id, policy_type);
CREATE TEMP TABLE checks_with_indexes AS SELECT * FROM coverage_truth.check_sources();
SELECT is((SELECT count(*) FROM checks_with_indexes WHERE NOT ok), 0::bigint, 'recommended indexes: every check passes');

CREATE VIEW public.ct_check_runs_no_context AS
SELECT id, tenant_id, type, status, outcome, completed_at FROM public.operation_runs;
SET LOCAL coverage_truth.operation_runs_relation = 'public.ct_check_runs_no_context';
CREATE TEMP TABLE checks_missing_column AS SELECT * FROM coverage_truth.check_sources();
SELECT ok((SELECT bool_or(detail ~ '\mcontext\M') FROM checks_missing_column WHERE NOT ok),
  'missing column: failing check names it');

SET LOCAL coverage_truth.operation_runs_relation = 'public.ct_check_no_such_runs';
SELECT lives_ok('SELECT * FROM coverage_truth.check_sources()', 'unknown relation: check_sources lives');
CREATE TEMP TABLE checks_unknown_relation AS SELECT * FROM coverage_truth.check_sources();
SELECT ok((SELECT bool_or(detail ~ 'ct_check_no_such_runs') FROM checks_unknown_relation WHERE NOT ok),
  'unknown relation: failing check names it');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;

CREATE ROLE ct_run_detail_no_access NOLOGIN;
SET LOCAL ROLE ct_run_detail_no_access;
CREATE TEMP TABLE checks_no_privilege AS SELECT * FROM coverage_truth.check_sources();
RESET ROLE;
SELECT ok((SELECT bool_or(NOT ok) FROM checks_no_privilege), 'no SELECT privilege: a check fails');
SELECT ok((SELECT bool_or(detail ~* '(grant|privilege)') FROM checks_no_privilege WHERE NOT ok),
  'no SELECT privilege: detail says to grant');

SELECT * FROM finish();
ROLLBACK;
