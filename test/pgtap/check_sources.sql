-- Source checks: check_sources reports, without raising, whether each source
-- relation exists, has usable columns, is readable by the caller and has
-- the recommended index, and a failing check's detail gives the fix.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(65);

-- This must run before any C function of the extension loads its library
-- in this session, which is what defines the source settings.
SELECT lives_ok('SELECT * FROM coverage_truth.check_sources()', 'first call in a session: no error');
DO $$
BEGIN
  PERFORM coverage_truth.coverage_is_parseable(NULL);
END
$$;

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

-- The recommended indexes, as documented.
CREATE INDEX operation_runs_basis ON public.operation_runs
  (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
CREATE INDEX inventory_items_tenant_type ON public.inventory_items (tenant_id, policy_type);

-- Returns ok of the one check whose name contains source and kind.
CREATE FUNCTION pg_temp.check_ok(source text, kind text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT c.ok FROM coverage_truth.check_sources() AS c
  WHERE strpos(c.check_name, source) > 0 AND strpos(c.check_name, kind) > 0
$$;

-- Returns detail of the one check whose name contains source and kind.
CREATE FUNCTION pg_temp.check_detail(source text, kind text) RETURNS text
LANGUAGE sql AS $$
  SELECT c.detail FROM coverage_truth.check_sources() AS c
  WHERE strpos(c.check_name, source) > 0 AND strpos(c.check_name, kind) > 0
$$;

-- Returns the checks that are not ok, as "name: detail" lines.
CREATE FUNCTION pg_temp.failing_checks() RETURNS text
LANGUAGE sql AS $$
  SELECT coalesce(string_agg(c.check_name || ': ' || coalesce(c.detail, '<NULL>'), E'\n'), '')
  FROM coverage_truth.check_sources() AS c
  WHERE c.ok IS NOT TRUE
$$;

------------------------------------------------------------------------------
-- Passing sources
------------------------------------------------------------------------------

SELECT is(pg_temp.failing_checks(), '', 'documented sources and indexes: every check ok');
SELECT results_eq(
  $$SELECT s.source, k.kind, count(c.check_name)
    FROM (VALUES (1, 'operation_runs'), (2, 'inventory_items')) AS s(position, source)
    CROSS JOIN (VALUES (1, 'relation'), (2, 'column'), (3, 'privilege'), (4, 'index')) AS k(position, kind)
    LEFT JOIN coverage_truth.check_sources() AS c
      ON strpos(c.check_name, s.source) > 0 AND strpos(c.check_name, k.kind) > 0
    GROUP BY s.position, s.source, k.position, k.kind
    ORDER BY s.position, k.position$$,
  $$VALUES ('operation_runs', 'relation', 1::bigint), ('operation_runs', 'column', 1::bigint),
           ('operation_runs', 'privilege', 1::bigint), ('operation_runs', 'index', 1::bigint),
           ('inventory_items', 'relation', 1::bigint), ('inventory_items', 'column', 1::bigint),
           ('inventory_items', 'privilege', 1::bigint), ('inventory_items', 'index', 1::bigint)$$,
  'one check per source and kind');
SELECT is((SELECT count(*) FROM coverage_truth.check_sources()), 8::bigint, 'eight checks');
SELECT is_empty($$SELECT * FROM coverage_truth.check_sources() WHERE coalesce(detail, '') = ''$$,
  'every check has a detail');

-- Other usable column types: json, timestamp, smallint, integer, varchar and
-- domains over them.
CREATE SCHEMA ct_check_host;
CREATE DOMAIN ct_check_host.payload AS jsonb;
CREATE DOMAIN ct_check_host.label AS varchar(40);
CREATE TABLE ct_check_host.runs (
  id integer, tenant_id smallint, type ct_check_host.label, status varchar, outcome varchar(10),
  context json, completed_at timestamp);
CREATE TABLE ct_check_host.runs_domain (
  id bigint, tenant_id integer, type text, status text, outcome text,
  context ct_check_host.payload, completed_at timestamptz);
CREATE TABLE ct_check_host.items (tenant_id integer, policy_type ct_check_host.label);
CREATE TABLE ct_check_host."Runs Table" (
  id bigint, tenant_id bigint, type text, status text, outcome text, context jsonb, completed_at timestamptz);

SET LOCAL coverage_truth.operation_runs_relation = 'ct_check_host.runs';
SET LOCAL coverage_truth.inventory_items_relation = 'ct_check_host.items';
SELECT ok(pg_temp.check_ok('operation_runs', 'column'), 'json, timestamp, smallint, varchar, domain: usable');
SELECT ok(pg_temp.check_ok('inventory_items', 'column'), 'integer and varchar domain: usable');
SET LOCAL coverage_truth.operation_runs_relation = 'ct_check_host.runs_domain';
SELECT ok(pg_temp.check_ok('operation_runs', 'column'), 'jsonb domain context: usable');
SET LOCAL coverage_truth.operation_runs_relation = '"ct_check_host"."Runs Table"';
SELECT ok(pg_temp.check_ok('operation_runs', 'relation'), 'quoted schema-qualified name: found');
SELECT ok(pg_temp.check_ok('operation_runs', 'column'), 'quoted schema-qualified name: columns');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;

------------------------------------------------------------------------------
-- Recommended indexes
------------------------------------------------------------------------------

DROP INDEX public.operation_runs_basis;
SELECT is(pg_temp.check_ok('operation_runs', 'index'), false, 'runs index missing: not ok');
SELECT matches(pg_temp.check_detail('operation_runs', 'index'), 'CREATE INDEX', 'runs index missing: detail has CREATE INDEX');
SELECT matches(pg_temp.check_detail('operation_runs', 'index'),
  'tenant_id, completed_at DESC NULLS LAST, id DESC', 'runs index missing: detail has the key');
SELECT matches(pg_temp.check_detail('operation_runs', 'index'),
  'WHERE type = ''inventory_sync'' AND status = ''completed''', 'runs index missing: detail has the predicate');
SELECT is((SELECT count(*) FROM coverage_truth.check_sources() WHERE ok IS NOT TRUE), 1::bigint,
  'runs index missing: only that check fails');

-- The statement in the detail creates an index that passes the check.
DO $$
BEGIN
  EXECUTE substring(pg_temp.check_detail('operation_runs', 'index') FROM 'CREATE INDEX.*$');
END
$$;
SELECT ok(pg_temp.check_ok('operation_runs', 'index'), 'runs index from the detail: ok');
DROP INDEX public.operation_runs_tenant_id_completed_at_id_idx;

DROP INDEX public.inventory_items_tenant_type;
SELECT is(pg_temp.check_ok('inventory_items', 'index'), false, 'items index missing: not ok');
SELECT matches(pg_temp.check_detail('inventory_items', 'index'), 'CREATE INDEX.*\(tenant_id, policy_type\)',
  'items index missing: detail has CREATE INDEX');
DO $$
BEGIN
  EXECUTE substring(pg_temp.check_detail('inventory_items', 'index') FROM 'CREATE INDEX.*$');
END
$$;
SELECT ok(pg_temp.check_ok('inventory_items', 'index'), 'items index from the detail: ok');

CREATE INDEX runs_id_ascending ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id)
  WHERE type = 'inventory_sync' AND status = 'completed';
SELECT is(pg_temp.check_ok('operation_runs', 'index'), false, 'runs index with id ascending: not ok');
DROP INDEX public.runs_id_ascending;
CREATE INDEX runs_nulls_first ON public.operation_runs (tenant_id, completed_at DESC, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
SELECT is(pg_temp.check_ok('operation_runs', 'index'), false, 'runs index with NULLS FIRST: not ok');
DROP INDEX public.runs_nulls_first;
CREATE INDEX runs_other_order ON public.operation_runs (completed_at DESC NULLS LAST, tenant_id, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
SELECT is(pg_temp.check_ok('operation_runs', 'index'), false, 'runs index in another column order: not ok');
DROP INDEX public.runs_other_order;
CREATE INDEX runs_other_rows ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE status = 'running';
SELECT is(pg_temp.check_ok('operation_runs', 'index'), false, 'runs index over other rows: not ok');
DROP INDEX public.runs_other_rows;

CREATE INDEX operation_runs_basis ON public.operation_runs
  (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
SELECT is(pg_temp.failing_checks(), '', 'indexes restored: every check ok');

------------------------------------------------------------------------------
-- Columns
------------------------------------------------------------------------------

ALTER TABLE public.operation_runs DROP COLUMN outcome;
SELECT is(pg_temp.check_ok('operation_runs', 'column'), false, 'missing column: not ok');
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'outcome.*missing', 'missing column: named');
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'add|cast', 'missing column: detail gives the fix');
SELECT ok(pg_temp.check_ok('operation_runs', 'relation'), 'missing column: relation still found');
ALTER TABLE public.operation_runs ADD COLUMN outcome text;

ALTER TABLE public.operation_runs ALTER COLUMN context TYPE text;
SELECT is(pg_temp.check_ok('operation_runs', 'column'), false, 'text context: not ok');
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'context.*text.*json',
  'text context: names column, found and expected type');
ALTER TABLE public.operation_runs ALTER COLUMN context TYPE jsonb USING context::jsonb;

ALTER TABLE public.operation_runs ALTER COLUMN completed_at TYPE date;
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'completed_at.*date.*timestamp',
  'date completed_at: names column, found and expected type');
ALTER TABLE public.operation_runs ALTER COLUMN completed_at TYPE timestamptz;

ALTER TABLE public.operation_runs ALTER COLUMN tenant_id TYPE numeric;
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'tenant_id.*numeric.*integer',
  'numeric tenant_id: names column, found and expected type');
ALTER TABLE public.operation_runs ALTER COLUMN tenant_id TYPE bigint;

ALTER TABLE public.inventory_items ALTER COLUMN policy_type TYPE integer USING 0;
SELECT is(pg_temp.check_ok('inventory_items', 'column'), false, 'integer policy_type: not ok');
SELECT matches(pg_temp.check_detail('inventory_items', 'column'), 'policy_type.*integer.*text',
  'integer policy_type: names column, found and expected type');
ALTER TABLE public.inventory_items ALTER COLUMN policy_type TYPE text;

ALTER TABLE public.operation_runs DROP COLUMN status, DROP COLUMN type;
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'type.*missing', 'two missing columns: type named');
SELECT matches(pg_temp.check_detail('operation_runs', 'column'), 'status.*missing', 'two missing columns: status named');
ALTER TABLE public.operation_runs ADD COLUMN type text, ADD COLUMN status text;

-- Dropping the predicate's columns dropped the runs index.
CREATE INDEX operation_runs_basis ON public.operation_runs
  (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
SELECT is(pg_temp.failing_checks(), '', 'columns restored: every check ok');

------------------------------------------------------------------------------
-- Settings and relations
------------------------------------------------------------------------------

SET LOCAL coverage_truth.operation_runs_relation = 'operation_runs';
SELECT is(pg_temp.check_ok('operation_runs', 'relation'), false, 'unqualified setting: not ok');
SELECT matches(pg_temp.check_detail('operation_runs', 'relation'), 'coverage_truth\.operation_runs_relation',
  'unqualified setting: names the setting');
SELECT matches(pg_temp.check_detail('operation_runs', 'relation'), 'operation_runs.*schema',
  'unqualified setting: names the value, asks for a schema');
SELECT ok(pg_temp.check_ok('inventory_items', 'index'), 'unqualified runs setting: items still checked');

SET LOCAL coverage_truth.operation_runs_relation = 'public.no_such_runs';
SELECT is(pg_temp.check_ok('operation_runs', 'relation'), false, 'unknown relation: not ok');
SELECT matches(pg_temp.check_detail('operation_runs', 'relation'), 'no_such_runs', 'unknown relation: named');
SELECT matches(pg_temp.check_detail('operation_runs', 'relation'), 'coverage_truth\.operation_runs_relation',
  'unknown relation: names the setting');

CREATE SEQUENCE public.ct_check_sequence;
SET LOCAL coverage_truth.operation_runs_relation = 'public.ct_check_sequence';
SELECT is(pg_temp.check_ok('operation_runs', 'relation'), false, 'sequence: not a source');
SET LOCAL coverage_truth.operation_runs_relation = 'public.operation_runs_basis';
SELECT is(pg_temp.check_ok('operation_runs', 'relation'), false, 'index: not a source');

SET LOCAL coverage_truth.inventory_items_relation = 'nowhere.inventory_items';
SELECT is(pg_temp.check_ok('inventory_items', 'relation'), false, 'unknown schema: not ok');

SELECT lives_ok($q$
  DO $body$
  DECLARE
    value text;
  BEGIN
    FOREACH value IN ARRAY ARRAY['', ' ', '.', 'a.b.c', '"unterminated', 'public.', '.operation_runs',
                                 'public."', 'public.operation_runs;DROP TABLE x', repeat('a', 10000) || '.b']
    LOOP
      PERFORM set_config('coverage_truth.operation_runs_relation', value, true);
      PERFORM set_config('coverage_truth.inventory_items_relation', value, true);
      PERFORM * FROM coverage_truth.check_sources();
    END LOOP;
  END
  $body$$q$, 'malformed settings: no error');
SELECT is(
  (SELECT count(*) FROM (VALUES (''), ('a.b.c'), ('"unterminated'), ('public.')) AS v(value),
          LATERAL (SELECT set_config('coverage_truth.operation_runs_relation', v.value, true)) AS s,
          LATERAL (SELECT c.ok FROM coverage_truth.check_sources() AS c
                   WHERE strpos(c.check_name, 'operation_runs') > 0 AND strpos(c.check_name, 'relation') > 0) AS c
   WHERE c.ok IS FALSE),
  4::bigint, 'malformed settings: relation not ok');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;
SET LOCAL coverage_truth.inventory_items_relation TO DEFAULT;
SELECT is(pg_temp.failing_checks(), '', 'settings reset: every check ok');

------------------------------------------------------------------------------
-- Privileges
------------------------------------------------------------------------------

CREATE ROLE ct_check_reader NOLOGIN;
GRANT USAGE ON SCHEMA coverage_truth TO ct_check_reader;
GRANT SELECT (id, tenant_id, type, status, outcome, completed_at) ON public.operation_runs TO ct_check_reader;
GRANT SELECT ON public.inventory_items TO ct_check_reader;

SET LOCAL ROLE ct_check_reader;
SELECT lives_ok('CREATE TEMP TABLE reader_checks AS SELECT * FROM coverage_truth.check_sources()',
  'role without a column privilege: no error');
RESET ROLE;

SELECT is((SELECT ok FROM reader_checks WHERE strpos(check_name, 'operation_runs') > 0 AND strpos(check_name, 'privilege') > 0),
  false, 'column not granted: not ok');
SELECT matches((SELECT detail FROM reader_checks WHERE strpos(check_name, 'operation_runs') > 0 AND strpos(check_name, 'privilege') > 0),
  'context', 'column not granted: column named');
SELECT doesnt_match((SELECT detail FROM reader_checks WHERE strpos(check_name, 'operation_runs') > 0 AND strpos(check_name, 'privilege') > 0),
  'outcome', 'column not granted: granted columns not named');
SELECT matches((SELECT detail FROM reader_checks WHERE strpos(check_name, 'operation_runs') > 0 AND strpos(check_name, 'privilege') > 0),
  'ct_check_reader', 'column not granted: role named');
SELECT matches((SELECT detail FROM reader_checks WHERE strpos(check_name, 'operation_runs') > 0 AND strpos(check_name, 'privilege') > 0),
  'GRANT SELECT', 'column not granted: suggests GRANT SELECT');
SELECT is((SELECT ok FROM reader_checks WHERE strpos(check_name, 'inventory_items') > 0 AND strpos(check_name, 'privilege') > 0),
  true, 'granted table: ok');
SELECT is((SELECT count(*) FROM reader_checks WHERE ok IS NOT TRUE), 1::bigint, 'column not granted: only that check fails');

REVOKE SELECT ON public.inventory_items FROM ct_check_reader;
SET LOCAL ROLE ct_check_reader;
CREATE TEMP TABLE reader_checks_no_items AS SELECT * FROM coverage_truth.check_sources();
RESET ROLE;
SELECT matches((SELECT detail FROM reader_checks_no_items WHERE strpos(check_name, 'inventory_items') > 0 AND strpos(check_name, 'privilege') > 0),
  'tenant_id.*policy_type', 'table not granted: every column named');

------------------------------------------------------------------------------
-- A view as source
------------------------------------------------------------------------------

CREATE TABLE ct_check_host.host_runs (run_no bigint, org bigint, kind text, state text, result text,
                                      payload jsonb, finished timestamptz);
CREATE VIEW ct_check_host.runs_view AS
SELECT run_no AS id, org AS tenant_id, kind AS type, state AS status, result AS outcome,
       payload AS context, finished AS completed_at FROM ct_check_host.host_runs;
CREATE VIEW ct_check_host.items_view AS SELECT tenant_id, policy_type FROM public.inventory_items;

SET LOCAL coverage_truth.operation_runs_relation = 'ct_check_host.runs_view';
SET LOCAL coverage_truth.inventory_items_relation = 'ct_check_host.items_view';
SELECT is(pg_temp.check_ok('operation_runs', 'index'), NULL, 'runs view: index check ok IS NULL');
SELECT matches(pg_temp.check_detail('operation_runs', 'index'), 'base table', 'runs view: points to base table');
SELECT is(pg_temp.check_ok('inventory_items', 'index'), NULL, 'items view: index check ok IS NULL');
SELECT ok(pg_temp.check_ok('operation_runs', 'relation'), 'runs view: relation found');
SELECT ok(pg_temp.check_ok('operation_runs', 'column'), 'runs view: renamed columns usable');
SELECT ok(pg_temp.check_ok('operation_runs', 'privilege'), 'runs view: readable');

SELECT * FROM finish();
ROLLBACK;
