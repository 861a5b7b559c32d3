-- Source relations: the relation settings, views over host schemas, column
-- checks and their errors, privileges and row level security of the caller,
-- a hostile search_path and read-only transactions.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(121);

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

CREATE FUNCTION pg_temp.state_of(tenant bigint, t text) RETURNS text
LANGUAGE sql AS $$
  SELECT c.coverage_state::text FROM coverage_truth.tenant_coverage(tenant) AS c WHERE c.type = t
$$;

CREATE FUNCTION pg_temp.observed_of(tenant bigint, t text) RETURNS bigint
LANGUAGE sql AS $$
  SELECT c.observed_item_count FROM coverage_truth.tenant_coverage(tenant) AS c WHERE c.type = t
$$;

CREATE FUNCTION pg_temp.basis_of(tenant bigint) RETURNS bigint
LANGUAGE sql AS $$
  SELECT s.basis_run_id FROM coverage_truth.tenant_coverage_summary(tenant) AS s
$$;

-- Runs a query and returns the error it raised, or state 'none'.
CREATE FUNCTION pg_temp.error_of(query text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  state := 'none';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;

CREATE TEMP TABLE errors (name text PRIMARY KEY, state text, message text, detail text, hint text);

-- The message, detail and hint of a recorded error as one text.
CREATE FUNCTION pg_temp.error_text(error_name text) RETURNS text
LANGUAGE sql AS $$
  SELECT e.message || ' ' || coalesce(e.detail, '') || ' ' || coalesce(e.hint, '')
  FROM errors AS e WHERE e.name = error_name
$$;

CREATE FUNCTION pg_temp.error_state(error_name text) RETURNS text
LANGUAGE sql AS $$
  SELECT e.state FROM errors AS e WHERE e.name = error_name
$$;

CREATE FUNCTION pg_temp.error_hint(error_name text) RETURNS text
LANGUAGE sql AS $$
  SELECT nullif(e.hint, '') FROM errors AS e WHERE e.name = error_name
$$;

-- Default relations: tenant 1 has an older success and a newer failure.
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at) VALUES
  (10, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}, "foundation_types": {"f": {"status": "succeeded"}}}'),
   now() - interval '2 hours'),
  (11, 1, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"a": {"status": "failed"}}, "foundation_types": {"f": {"status": "succeeded"}}}'),
   now() - interval '1 hour'),
  (30, 3, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}'), now() - interval '1 hour');
INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT 1, 'a' FROM generate_series(1, 2)
UNION ALL SELECT 1, 'f' FROM generate_series(1, 3)
UNION ALL SELECT 3, 'a';

-- A host schema with its own column names and types.
CREATE SCHEMA ct_host;
CREATE TABLE ct_host.sync_runs (
  run_no integer PRIMARY KEY,
  org smallint NOT NULL,
  kind varchar(40) NOT NULL,
  state varchar(20) NOT NULL,
  result varchar(20),
  payload json,
  finished timestamp,
  note text
);
CREATE TABLE ct_host.seen_items (
  org integer NOT NULL,
  kind varchar(60) NOT NULL
);

INSERT INTO ct_host.sync_runs VALUES
  (4, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}', '2024-01-15 11:00:00', NULL),
  -- Run 5 has duplicate json keys, and the conversion to jsonb keeps the last one.
  (5, 1, 'inventory_sync', 'completed', 'partial',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "failed"}, "a": {"status": "skipped", "item_count": 2}},
                                "foundation_types": [{"type": "f", "status": "succeeded"}]}}}',
   '2024-01-15 12:00:00', NULL),
  -- Run 6 is valid json that cannot become jsonb, so the run is unparseable and the call goes on.
  (6, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "failed", "note": "\u0000"}}}}}',
   '2024-01-15 13:00:00', NULL),
  (7, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "failed"}}}}}', NULL, NULL),
  (8, 2, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}, "x\u0000": 1}',
   '2024-01-15 12:00:00', NULL),
  -- Local times that do not exist (spring forward) or exist twice (fall back)
  -- in America/New_York.
  (9, 9, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}', '2024-03-10 02:30:00', NULL),
  (10, 10, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}', '2024-11-03 01:30:00', NULL);
INSERT INTO ct_host.seen_items
SELECT 1, 'a' FROM generate_series(1, 4)
UNION ALL SELECT 1, 'f'
UNION ALL SELECT 2, 'a';

-- Columns renamed and reordered, with one extra column.
CREATE VIEW ct_host.runs_v AS
SELECT finished AS completed_at, payload AS context, run_no AS id, note, org AS tenant_id,
       kind AS type, state AS status, result AS outcome
FROM ct_host.sync_runs;
CREATE VIEW ct_host.items_v AS
SELECT kind AS policy_type, org AS tenant_id FROM ct_host.seen_items;

-- A quoted name with a smallint id and an integer tenant_id. Only run 4 is visible.
CREATE VIEW ct_host."Runs View" AS
SELECT run_no::smallint AS id, org::integer AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished AS completed_at
FROM ct_host.sync_runs WHERE run_no = 4;

-- Views that break one column rule each.
CREATE VIEW ct_host.ct_bad_no_outcome AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, payload AS context, finished AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_no_context AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome, finished AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_no_policy_type AS
SELECT org AS tenant_id, kind AS item_type FROM ct_host.seen_items;
CREATE VIEW ct_host.ct_bad_context_type AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload::text AS context, finished AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_id_type AS
SELECT run_no::numeric AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_completed_type AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished::date AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_status_type AS
SELECT run_no AS id, org AS tenant_id, kind AS type, length(state) AS status, result AS outcome,
       payload AS context, finished AS completed_at
FROM ct_host.sync_runs;
CREATE VIEW ct_host.ct_bad_items_tenant_type AS
SELECT org::text AS tenant_id, kind AS policy_type FROM ct_host.seen_items;
CREATE VIEW ct_host.ct_bad_policy_type_type AS
SELECT org AS tenant_id, length(kind) AS policy_type FROM ct_host.seen_items;

------------------------------------------------------------------------------
-- Default relations
------------------------------------------------------------------------------

SELECT is(pg_temp.basis_of(1), 11::bigint, 'default relations: basis');
SELECT is(pg_temp.state_of(1, 'a'), 'failed', 'default relations: state');
SELECT is(pg_temp.observed_of(1, 'f'), 3::bigint, 'default relations: observed items');

------------------------------------------------------------------------------
-- Views over a host schema
------------------------------------------------------------------------------

SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.runs_v';
SET LOCAL coverage_truth.inventory_items_relation = 'ct_host.items_v';
SET LOCAL TimeZone = 'America/New_York';

SELECT lives_ok('SELECT * FROM coverage_truth.tenant_coverage(1)', 'view sources: call lives');
SELECT is(pg_temp.basis_of(1), 5::bigint, 'view sources: json context with NUL escape skipped');
SELECT is(pg_temp.state_of(1, 'a'), 'skipped', 'view sources: json duplicate key keeps the last');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage(1) WHERE type = 'a'), 2::bigint,
  'view sources: item_count from json context');
SELECT is(pg_temp.state_of(1, 'f'), 'succeeded', 'view sources: array form in json context');
SELECT is(pg_temp.observed_of(1, 'a'), 4::bigint, 'view sources: observed items from view');
SELECT is((SELECT basis_run_outcome FROM coverage_truth.tenant_coverage_summary(1)), 'partial',
  'view sources: varchar outcome');
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(1)),
          '2024-01-15 12:00:00-05'::timestamptz,
  'view sources: timestamp read in session TimeZone');
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(1)),
          '2024-01-15 12:00:00'::timestamp::timestamptz,
  'view sources: timestamp read as the cast reads it');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(1)),
          now() - '2024-01-15 12:00:00-05'::timestamptz,
  'view sources: basis_age from timestamp');
SELECT is(pg_temp.basis_of(2), NULL, 'view sources: only run with NUL escape gives no basis');
SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(2)), false,
  'view sources: no current result for tenant 2');
SELECT is(pg_temp.observed_of(2, 'a'), 1::bigint, 'view sources: items of tenant 2');

SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(9)),
          '2024-03-10 02:30:00'::timestamp::timestamptz,
  'view sources: skipped local time read as the cast reads it');
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(10)),
          '2024-11-03 01:30:00'::timestamp::timestamptz,
  'view sources: repeated local time read as the cast reads it');

SET LOCAL TimeZone = 'Asia/Tokyo';
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(1)),
          '2024-01-15 12:00:00+09'::timestamptz,
  'view sources: TimeZone change rereads timestamp');

SET LOCAL coverage_truth.operation_runs_relation = 'ct_host."Runs View"';
SELECT is(pg_temp.basis_of(1), 4::bigint, 'quoted view name: smallint id');
SELECT is(pg_temp.state_of(1, 'a'), 'succeeded', 'quoted view name: state');
SELECT is(pg_temp.observed_of(1, 'a'), 4::bigint, 'quoted view name: items setting kept');

SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;
SET LOCAL TimeZone TO DEFAULT;
SELECT is(pg_temp.basis_of(1), 11::bigint, 'settings reset: default relations again');
SELECT is(pg_temp.observed_of(1, 'a'), 2::bigint, 'settings reset: default items again');

-- A relation replaced by another under the same name is read afresh, and so is the original
-- when it gets its name back.
ALTER TABLE public.inventory_items RENAME TO inventory_items_saved;
CREATE TABLE public.inventory_items (policy_type varchar(20), tenant_id integer);
INSERT INTO public.inventory_items VALUES ('a', 1);
SELECT is(pg_temp.observed_of(1, 'a'), 1::bigint, 'recreated relation read afresh');
DROP TABLE public.inventory_items;
ALTER TABLE public.inventory_items_saved RENAME TO inventory_items;
SELECT is(pg_temp.observed_of(1, 'a'), 2::bigint, 'restored relation read afresh');

------------------------------------------------------------------------------
-- Setting errors: class 42, naming the setting and the value
------------------------------------------------------------------------------

SET LOCAL coverage_truth.operation_runs_relation = 'ct_unqualified_runs';
INSERT INTO errors SELECT 'unqualified runs', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
INSERT INTO errors SELECT 'unqualified runs summary', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'public.ct_no_such_runs';
INSERT INTO errors SELECT 'unknown runs', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_no_such_schema.operation_runs';
INSERT INTO errors SELECT 'unknown schema', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = '';
INSERT INTO errors SELECT 'empty runs', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation = 'ct_unqualified_items';
INSERT INTO errors SELECT 'unqualified items', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.inventory_items_relation = 'public.ct_no_such_items';
INSERT INTO errors SELECT 'unknown items', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;

SELECT is(left(pg_temp.error_state('unqualified runs'), 2), '42', 'unqualified runs setting: class 42');
SELECT matches(pg_temp.error_text('unqualified runs'), 'coverage_truth\.operation_runs_relation',
  'unqualified runs setting: names the setting');
SELECT matches(pg_temp.error_text('unqualified runs'), 'ct_unqualified_runs',
  'unqualified runs setting: names the value');
SELECT isnt(pg_temp.error_hint('unqualified runs'), NULL, 'unqualified runs setting: hint');
SELECT is(left(pg_temp.error_state('unqualified runs summary'), 2), '42', 'unqualified runs setting: summary raises');

SELECT is(left(pg_temp.error_state('unknown runs'), 2), '42', 'unknown runs relation: class 42');
SELECT matches(pg_temp.error_text('unknown runs'), 'coverage_truth\.operation_runs_relation',
  'unknown runs relation: names the setting');
SELECT matches(pg_temp.error_text('unknown runs'), 'ct_no_such_runs', 'unknown runs relation: names the value');
SELECT isnt(pg_temp.error_hint('unknown runs'), NULL, 'unknown runs relation: hint');

SELECT is(left(pg_temp.error_state('unknown schema'), 2), '42', 'unknown schema: class 42');
SELECT matches(pg_temp.error_text('unknown schema'), 'ct_no_such_schema', 'unknown schema: names the value');

SELECT is(left(pg_temp.error_state('empty runs'), 2), '42', 'empty runs setting: class 42');
SELECT matches(pg_temp.error_text('empty runs'), 'coverage_truth\.operation_runs_relation',
  'empty runs setting: names the setting');

SELECT is(left(pg_temp.error_state('unqualified items'), 2), '42', 'unqualified items setting: class 42');
SELECT matches(pg_temp.error_text('unqualified items'), 'coverage_truth\.inventory_items_relation',
  'unqualified items setting: names the setting');
SELECT matches(pg_temp.error_text('unqualified items'), 'ct_unqualified_items',
  'unqualified items setting: names the value');
SELECT isnt(pg_temp.error_hint('unqualified items'), NULL, 'unqualified items setting: hint');

SELECT is(left(pg_temp.error_state('unknown items'), 2), '42', 'unknown items relation: class 42');
SELECT matches(pg_temp.error_text('unknown items'), 'coverage_truth\.inventory_items_relation',
  'unknown items relation: names the setting');
SELECT matches(pg_temp.error_text('unknown items'), 'ct_no_such_items', 'unknown items relation: names the value');

------------------------------------------------------------------------------
-- Column errors: relation, column, type found and type expected
------------------------------------------------------------------------------

SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_no_outcome';
INSERT INTO errors SELECT 'missing outcome', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_no_context';
INSERT INTO errors SELECT 'missing context', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_context_type';
INSERT INTO errors SELECT 'text context', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_id_type';
INSERT INTO errors SELECT 'numeric id', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_completed_type';
INSERT INTO errors SELECT 'date completed_at', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.ct_bad_status_type';
INSERT INTO errors SELECT 'integer status', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation = 'ct_host.ct_bad_no_policy_type';
INSERT INTO errors SELECT 'missing policy_type', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.inventory_items_relation = 'ct_host.ct_bad_items_tenant_type';
INSERT INTO errors SELECT 'text items tenant_id', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.inventory_items_relation = 'ct_host.ct_bad_policy_type_type';
INSERT INTO errors SELECT 'integer policy_type', * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;

SELECT isnt(left(pg_temp.error_state('missing outcome'), 2), 'XX', 'missing outcome: not an internal error');
SELECT matches(pg_temp.error_text('missing outcome'), 'ct_bad_no_outcome', 'missing outcome: names the relation');
SELECT matches(pg_temp.error_text('missing outcome'), '\moutcome\M', 'missing outcome: names the column');
SELECT isnt(pg_temp.error_hint('missing outcome'), NULL, 'missing outcome: hint');

SELECT isnt(left(pg_temp.error_state('missing context'), 2), 'XX', 'missing context: not an internal error');
SELECT matches(pg_temp.error_text('missing context'), 'ct_bad_no_context', 'missing context: names the relation');
SELECT matches(pg_temp.error_text('missing context'), '\mcontext\M', 'missing context: names the column');

SELECT isnt(left(pg_temp.error_state('missing policy_type'), 2), 'XX', 'missing policy_type: not an internal error');
SELECT matches(pg_temp.error_text('missing policy_type'), 'ct_bad_no_policy_type', 'missing policy_type: names the relation');
SELECT matches(pg_temp.error_text('missing policy_type'), '\mpolicy_type\M', 'missing policy_type: names the column');
SELECT isnt(pg_temp.error_hint('missing policy_type'), NULL, 'missing policy_type: hint');

SELECT isnt(left(pg_temp.error_state('text context'), 2), 'XX', 'text context: not an internal error');
SELECT matches(pg_temp.error_text('text context'), 'ct_bad_context_type', 'text context: names the relation');
SELECT matches(pg_temp.error_text('text context'), '\mcontext\M', 'text context: names the column');
SELECT matches(pg_temp.error_text('text context'), '\mtext\M', 'text context: names the type found');
SELECT matches(pg_temp.error_text('text context'), '\mjsonb?\M', 'text context: names the type expected');
SELECT isnt(pg_temp.error_hint('text context'), NULL, 'text context: hint');

SELECT isnt(left(pg_temp.error_state('numeric id'), 2), 'XX', 'numeric id: not an internal error');
SELECT matches(pg_temp.error_text('numeric id'), 'ct_bad_id_type', 'numeric id: names the relation');
SELECT matches(pg_temp.error_text('numeric id'), '\mid\M', 'numeric id: names the column');
SELECT matches(pg_temp.error_text('numeric id'), '\mnumeric\M', 'numeric id: names the type found');
SELECT matches(pg_temp.error_text('numeric id'), '\m(integer|bigint|smallint|int2|int4|int8)\M',
  'numeric id: names the type expected');

SELECT isnt(left(pg_temp.error_state('date completed_at'), 2), 'XX', 'date completed_at: not an internal error');
SELECT matches(pg_temp.error_text('date completed_at'), 'ct_bad_completed_type', 'date completed_at: names the relation');
SELECT matches(pg_temp.error_text('date completed_at'), '\mcompleted_at\M', 'date completed_at: names the column');
SELECT matches(pg_temp.error_text('date completed_at'), '\mdate\M', 'date completed_at: names the type found');
SELECT matches(pg_temp.error_text('date completed_at'), 'timestamp', 'date completed_at: names the type expected');

SELECT isnt(left(pg_temp.error_state('integer status'), 2), 'XX', 'integer status: not an internal error');
SELECT matches(pg_temp.error_text('integer status'), 'ct_bad_status_type', 'integer status: names the relation');
SELECT matches(pg_temp.error_text('integer status'), '\mstatus\M', 'integer status: names the column');
SELECT matches(pg_temp.error_text('integer status'), '\minteger\M', 'integer status: names the type found');
SELECT matches(pg_temp.error_text('integer status'), '\m(text|varchar|character varying)\M',
  'integer status: names the type expected');

SELECT isnt(left(pg_temp.error_state('text items tenant_id'), 2), 'XX', 'text items tenant_id: not an internal error');
SELECT matches(pg_temp.error_text('text items tenant_id'), 'ct_bad_items_tenant_type',
  'text items tenant_id: names the relation');
SELECT matches(pg_temp.error_text('text items tenant_id'), '\mtenant_id\M', 'text items tenant_id: names the column');
SELECT matches(pg_temp.error_text('text items tenant_id'), '\mtext\M', 'text items tenant_id: names the type found');
SELECT matches(pg_temp.error_text('text items tenant_id'), '\m(integer|bigint|smallint|int2|int4|int8)\M',
  'text items tenant_id: names the type expected');

SELECT isnt(left(pg_temp.error_state('integer policy_type'), 2), 'XX', 'integer policy_type: not an internal error');
SELECT matches(pg_temp.error_text('integer policy_type'), 'ct_bad_policy_type_type',
  'integer policy_type: names the relation');
SELECT matches(pg_temp.error_text('integer policy_type'), '\mpolicy_type\M', 'integer policy_type: names the column');
SELECT matches(pg_temp.error_text('integer policy_type'), '\minteger\M', 'integer policy_type: names the type found');
SELECT matches(pg_temp.error_text('integer policy_type'), '\m(text|varchar|character varying)\M',
  'integer policy_type: names the type expected');

------------------------------------------------------------------------------
-- NULL arguments: empty result, never an error
------------------------------------------------------------------------------

SELECT is_strict('coverage_truth', 'tenant_coverage', ARRAY['bigint'], 'tenant_coverage is strict');
SELECT is_strict('coverage_truth', 'tenant_coverage_summary', ARRAY['bigint'], 'tenant_coverage_summary is strict');
SELECT is_strict('coverage_truth', 'parse_coverage', ARRAY['jsonb'], 'parse_coverage is strict');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage(NULL)', 'tenant_coverage of NULL is empty');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_summary(NULL)', 'summary of NULL is empty');
SELECT is_empty('SELECT * FROM coverage_truth.parse_coverage(NULL)', 'parse_coverage of NULL is empty');

SET LOCAL coverage_truth.operation_runs_relation = 'ct_unqualified_runs';
SELECT lives_ok('SELECT * FROM coverage_truth.tenant_coverage(NULL)', 'NULL argument never reaches a bad setting');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;

------------------------------------------------------------------------------
-- Privileges and row level security of the caller
------------------------------------------------------------------------------

-- The result functions run with the caller's rights, and as STABLE functions they read
-- with the caller's snapshot.
SELECT volatility_is('coverage_truth', 'tenant_coverage', ARRAY['bigint'], 'stable', 'tenant_coverage is stable');
SELECT volatility_is('coverage_truth', 'tenant_coverage_summary', ARRAY['bigint'], 'stable',
  'tenant_coverage_summary is stable');
SELECT isnt_definer('coverage_truth', 'tenant_coverage', ARRAY['bigint'], 'tenant_coverage is security invoker');
SELECT isnt_definer('coverage_truth', 'tenant_coverage_summary', ARRAY['bigint'],
  'tenant_coverage_summary is security invoker');

CREATE ROLE ct_sources_rls_reader NOLOGIN;
CREATE ROLE ct_sources_no_access NOLOGIN;
CREATE ROLE ct_sources_runs_only NOLOGIN;
CREATE ROLE ct_sources_no_context NOLOGIN;

GRANT SELECT ON public.operation_runs, public.inventory_items TO ct_sources_rls_reader;
GRANT SELECT ON public.operation_runs TO ct_sources_runs_only;
GRANT SELECT (id, tenant_id, type, status, outcome, completed_at) ON public.operation_runs TO ct_sources_no_context;
GRANT SELECT ON public.inventory_items TO ct_sources_no_context;

ALTER TABLE public.operation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.inventory_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_sources_runs_policy ON public.operation_runs FOR SELECT TO ct_sources_rls_reader
  USING (id <> 11 AND tenant_id <> 3);
CREATE POLICY ct_sources_items_policy ON public.inventory_items FOR SELECT TO ct_sources_rls_reader
  USING (policy_type <> 'f');

SET LOCAL ROLE ct_sources_rls_reader;
CREATE TEMP TABLE rls_rows AS SELECT * FROM coverage_truth.tenant_coverage(1);
CREATE TEMP TABLE rls_summary AS SELECT * FROM coverage_truth.tenant_coverage_summary(1);
CREATE TEMP TABLE rls_hidden_summary AS SELECT * FROM coverage_truth.tenant_coverage_summary(3);
RESET ROLE;

SELECT is((SELECT basis_run_id FROM rls_summary), 10::bigint, 'row level security hides the newest run');
SELECT is((SELECT coverage_state::text FROM rls_rows WHERE type = 'a'), 'succeeded', 'row level security: visible run state');
SELECT is((SELECT observed_item_count FROM rls_rows WHERE type = 'f'), 0::bigint, 'row level security hides items');
SELECT is((SELECT observed_item_count FROM rls_rows WHERE type = 'a'), 2::bigint, 'row level security keeps visible items');
SELECT is((SELECT has_current_coverage_result FROM rls_hidden_summary), false, 'row level security hides a tenant');
SELECT is(pg_temp.basis_of(1), 11::bigint, 'table owner still sees the newest run');

SET LOCAL ROLE ct_sources_no_access;
CREATE TEMP TABLE no_access_error AS
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
RESET ROLE;
SET LOCAL ROLE ct_sources_runs_only;
CREATE TEMP TABLE runs_only_error AS
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');
RESET ROLE;
SET LOCAL ROLE ct_sources_no_context;
CREATE TEMP TABLE no_context_error AS
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
RESET ROLE;

SELECT is((SELECT state FROM no_access_error), '42501', 'no SELECT on runs: permission error');
SELECT is((SELECT state FROM runs_only_error), '42501', 'no SELECT on items: permission error');
SELECT is((SELECT state FROM no_context_error), '42501', 'no SELECT on context column: permission error');

------------------------------------------------------------------------------
-- A hostile search_path changes nothing
------------------------------------------------------------------------------

CREATE TEMP TABLE reference_rows AS SELECT * FROM coverage_truth.tenant_coverage(1);
CREATE TEMP TABLE reference_summary AS SELECT * FROM coverage_truth.tenant_coverage_summary(1);

CREATE SCHEMA ct_hostile;
CREATE TABLE ct_hostile.operation_runs (LIKE public.operation_runs);
INSERT INTO ct_hostile.operation_runs VALUES
  (999, 1, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"a": {"status": "skipped"}}}'), now());
CREATE TABLE ct_hostile.inventory_items (LIKE public.inventory_items);
INSERT INTO ct_hostile.inventory_items SELECT 1, 'a' FROM generate_series(1, 100);
CREATE TABLE ct_hostile.supported_types (LIKE coverage_truth.supported_types INCLUDING DEFAULTS);
INSERT INTO ct_hostile.supported_types (type, segment, label, category) VALUES ('hostile', 'policy', 'H', 'H');
CREATE TEMP TABLE operation_runs (LIKE public.operation_runs);
INSERT INTO pg_temp.operation_runs SELECT * FROM ct_hostile.operation_runs;
CREATE TEMP TABLE inventory_items (LIKE public.inventory_items);
INSERT INTO pg_temp.inventory_items SELECT * FROM ct_hostile.inventory_items;

CREATE FUNCTION ct_hostile.text_always_equal(text, text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR ct_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = ct_hostile.text_always_equal);
CREATE FUNCTION ct_hostile.int8_always_equal(bigint, bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR ct_hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = ct_hostile.int8_always_equal);
CREATE FUNCTION ct_hostile.jsonb_member_null(jsonb, text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS 'SELECT NULL::jsonb';
CREATE OPERATOR ct_hostile.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = ct_hostile.jsonb_member_null);
CREATE FUNCTION ct_hostile.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'succeeded'$$;
CREATE FUNCTION ct_hostile.upper(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'SUCCEEDED'$$;
CREATE FUNCTION ct_hostile.btrim(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'succeeded'$$;
CREATE FUNCTION ct_hostile.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'object'$$;
CREATE FUNCTION ct_hostile.now() RETURNS timestamptz LANGUAGE sql STABLE AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
CREATE FUNCTION ct_hostile.jsonb(json) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$SELECT '{}'::jsonb$$;
CREATE FUNCTION ct_hostile.timestamptz(timestamp) RETURNS timestamptz LANGUAGE sql STABLE
AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;

SET LOCAL search_path = ct_hostile, pg_catalog, public;
CREATE TEMP TABLE hostile_probe AS
SELECT 'a'::text = 'b'::text AS text_equal, lower('X') AS lowered, now() AS now_value;
CREATE TEMP TABLE hostile_rows AS SELECT * FROM coverage_truth.tenant_coverage(1);
CREATE TEMP TABLE hostile_summary AS SELECT * FROM coverage_truth.tenant_coverage_summary(1);
SET LOCAL coverage_truth.operation_runs_relation = 'ct_host.runs_v';
SET LOCAL coverage_truth.inventory_items_relation = 'ct_host.items_v';
CREATE TEMP TABLE hostile_view_summary AS SELECT * FROM coverage_truth.tenant_coverage_summary(1);
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;
SET LOCAL search_path TO DEFAULT;

SELECT is((SELECT text_equal FROM hostile_probe), true, 'hostile search_path: text = is shadowed');
SELECT is((SELECT lowered FROM hostile_probe), 'succeeded', 'hostile search_path: lower is shadowed');
SELECT is((SELECT now_value FROM hostile_probe), '2000-01-01 00:00:00+00'::timestamptz,
  'hostile search_path: now is shadowed');
SELECT results_eq('SELECT * FROM hostile_rows', 'SELECT * FROM reference_rows',
  'hostile search_path: same rows');
SELECT results_eq('SELECT * FROM hostile_summary', 'SELECT * FROM reference_summary',
  'hostile search_path: same summary');
SELECT is((SELECT basis_run_id FROM hostile_view_summary), 5::bigint,
  'hostile search_path: view sources same basis');
SELECT is((SELECT basis_completed_at FROM hostile_view_summary), '2024-01-15 12:00:00'::timestamp::timestamptz,
  'hostile search_path: view sources same completed_at');
SELECT is((SELECT succeeded_type_count || '/' || skipped_type_count FROM hostile_view_summary), '1/1',
  'hostile search_path: view sources same counts');

------------------------------------------------------------------------------
-- Read-only transaction
------------------------------------------------------------------------------

SET TRANSACTION READ ONLY;
SELECT is(current_setting('transaction_read_only'), 'on', 'transaction is read-only');
SELECT lives_ok('SELECT * FROM coverage_truth.tenant_coverage(1)', 'read-only: tenant_coverage lives');
SELECT is(pg_temp.basis_of(1), 11::bigint, 'read-only: summary basis');
SELECT is(pg_temp.state_of(1, 'a'), 'failed', 'read-only: row state');
SELECT is((SELECT count(*) FROM coverage_truth.parse_coverage(pg_temp.ctx('{"policy_types": {"a": {"status": "failed"}}}'))),
  1::bigint, 'read-only: parse_coverage');

SELECT * FROM finish();
ROLLBACK;
