-- Parallel query safety of every function.
--
-- Each function carries the PARALLEL label it needs, and the parser runs
-- correctly inside parallel workers. Every function also gives the same rows
-- when the planner is pushed to plan parallel queries (force_parallel_mode,
-- zero parallel costs, two workers) as it gives without parallelism.
--
-- Labels: the parser functions read only their argument, so they are SAFE.
-- The functions that read the source relations are UNSAFE because converting
-- a json context may open a subtransaction, which parallel mode forbids, and
-- a SAFE function can run in a worker. explain_coverage_payload reads the
-- catalog through SPI and is RESTRICTED, so it runs in the leader, which may
-- be in parallel mode. check_sources is PL/pgSQL with an EXCEPTION block,
-- which opens a subtransaction on entry. Even the leader cannot do that in
-- parallel mode, so check_sources must be UNSAFE.
--
-- Queries run inside CREATE TABLE AS, which may use a parallel plan. A
-- cursor, as pgTAP's results_eq uses, never does. Result tables are ordinary
-- tables because a query that reads a temporary table cannot use workers.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(94);

------------------------------------------------------------------------------
-- Labels
------------------------------------------------------------------------------

CREATE TABLE public.expected_labels (signature text PRIMARY KEY, label "char" NOT NULL);
INSERT INTO public.expected_labels VALUES
  ('base_type(regtype)', 's'),
  ('catalog_row_is_default(coverage_truth.supported_types)', 's'),
  ('check_sources()', 'u'),
  ('coverage_is_parseable(jsonb)', 's'),
  ('default_supported_types()', 's'),
  ('explain_coverage_payload(jsonb)', 'r'),
  ('fleet_coverage(bigint[])', 'u'),
  ('fleet_coverage_summary(bigint[])', 'u'),
  ('parse_coverage(jsonb)', 's'),
  ('removed_default_types_before_insert()', 'u'),
  ('run_coverage(bigint)', 'u'),
  ('run_coverage_diff(bigint,bigint)', 'u'),
  ('supported_types_after_remove()', 'u'),
  ('supported_types_after_truncate()', 'u'),
  ('supported_types_before_insert()', 'u'),
  ('tenant_coverage(bigint)', 'u'),
  ('tenant_coverage_at(bigint,timestamp with time zone)', 'u'),
  ('tenant_coverage_changes(bigint,timestamp with time zone)', 'u'),
  ('tenant_coverage_history(bigint,timestamp with time zone,timestamp with time zone)', 'u'),
  ('tenant_coverage_summary(bigint)', 'u'),
  ('tenant_coverage_summary_at(bigint,timestamp with time zone)', 'u'),
  ('tenant_last_success(bigint)', 'u');

CREATE TABLE public.actual_labels AS
SELECT p.proname::text || '(' ||
       coalesce((SELECT string_agg(format_type(t.type, NULL), ',' ORDER BY t.position)
                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(type, position)), '') || ')' AS signature,
       p.proparallel AS label
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'coverage_truth');

-- A new function needs a decided label and a row in expected_labels.
SELECT set_eq('SELECT signature FROM public.actual_labels',
              'SELECT signature FROM public.expected_labels',
  'every function of the extension has an expected PARALLEL label');

SELECT is((SELECT a.label FROM public.actual_labels AS a WHERE a.signature = e.signature),
          e.label,
          e.signature || ' is PARALLEL ' ||
          CASE e.label WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END)
FROM public.expected_labels AS e
ORDER BY e.signature COLLATE "C";

------------------------------------------------------------------------------
-- Fixtures: ordinary tables, so parallel workers can read them
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

-- Payload variants: object and array forms, every status spelling, dropped
-- entries, odd item counts, error codes, duplicates in both lists, and
-- contexts that are not parseable at all.
CREATE TABLE public.payload_variants (variant integer PRIMARY KEY, context jsonb);
INSERT INTO public.payload_variants VALUES
  (0, '{"inventory": {"coverage": {"policy_types": {"deviceConfiguration": {"status": "succeeded", "item_count": 4},
        "mobileApp": {"status": "failed", "error_code": "Forbidden"}, "windowsUpdateRing": {"status": " Skipped\n"}},
      "foundation_types": {"roleScopeTag": {"status": "succeeded", "item_count": 2.0}}}}}'),
  (1, '{"inventory": {"coverage": {"policy_types": [{"type": "deviceConfiguration", "status": "FAILED", "error_code": "Throttled"},
        {"type": "deviceConfiguration", "status": "succeeded", "item_count": 1e2},
        {"type": "mobileApp", "status": "bogus"}, {"status": "succeeded"}, 7, null],
      "foundation_types": [{"type": "assignmentFilter", "status": "skipped", "error_code": ""}]}}}'),
  (2, '{"inventory": {"coverage": {"policy_types": {}, "foundation_types": []}}}'),
  (3, '{"inventory": {"coverage": {"policy_types": "not a list"}}}'),
  (4, '"{\"inventory\": {\"coverage\": {\"policy_types\": {}}}}"'),
  (5, '{"inventory": {"coverage": {"policy_types": {"deviceConfiguration": {"status": "succeeded", "item_count": -1},
        "mobileApp": {"status": "succeeded", "item_count": 9223372036854775808},
        "roleScopeTag": {"status": "failed", "item_count": 3.5, "error_code": "Partial"}},
      "foundation_types": {"roleScopeTag": {"status": "succeeded"}, "deviceConfiguration": {"status": "skipped"}}}}}'),
  (6, '[1, 2, 3]'),
  (7, NULL),
  (8, '{"inventory": null}'),
  (9, '{"inventory": {"coverage": {"foundation_types": {"notificationMessageTemplate": {"status": "succeeded", "item_count": 9223372036854775807}}}}}');

-- Enough contexts that the planner gives the scan to two workers.
CREATE TABLE public.parallel_contexts (id integer PRIMARY KEY, context jsonb);
INSERT INTO public.parallel_contexts
SELECT g, v.context
FROM generate_series(1, 20000) AS g
JOIN public.payload_variants AS v ON v.variant = g % 10;
ANALYZE public.parallel_contexts;

-- Tenant 1: the newest run is parseable (object form).
-- Tenant 2: the newest runs are unparseable, so the basis is an array-form run.
-- Tenant 3: only unparseable runs. Tenant 4: items only.
-- Tenant 5: the newest run has no completed_at. Tenant 6: a run of another type.
INSERT INTO public.operation_runs
SELECT t * 100 + k, t, 'inventory_sync', 'completed', 'succeeded',
       v.context, '2024-01-01 00:00:00+00'::timestamptz + (t * 10 + k) * interval '1 hour'
FROM (VALUES (1, 1, 0), (1, 2, 1), (2, 1, 1), (2, 2, 4), (2, 3, 7), (3, 1, 3), (3, 2, 6), (5, 1, 5)) AS r(t, k, variant)
JOIN public.payload_variants AS v ON v.variant = r.variant;
INSERT INTO public.operation_runs VALUES
  (599, 5, 'inventory_sync', 'completed', 'succeeded',
   (SELECT context FROM public.payload_variants WHERE variant = 2), NULL),
  (601, 6, 'policy_sync', 'completed', 'succeeded',
   (SELECT context FROM public.payload_variants WHERE variant = 0), '2024-02-01 00:00:00+00');
INSERT INTO public.inventory_items
SELECT t, s.type
FROM generate_series(1, 5) AS t, coverage_truth.supported_types AS s, generate_series(1, 3) AS n
WHERE (t + n + length(s.type)) % 4 <> 0;
ANALYZE public.operation_runs;
ANALYZE public.inventory_items;

------------------------------------------------------------------------------
-- Every function, once without parallelism and once with parallel query forced
------------------------------------------------------------------------------

CREATE SCHEMA parallel_check;
CREATE TABLE parallel_check.queries (name text PRIMARY KEY, query text NOT NULL);
INSERT INTO parallel_check.queries VALUES
  ('parse_coverage_over_table',
   'SELECT c.id, p.* FROM public.parallel_contexts AS c,
      LATERAL coverage_truth.parse_coverage(c.context) WITH ORDINALITY AS p'),
  ('coverage_is_parseable_over_table',
   'SELECT c.id, coverage_truth.coverage_is_parseable(c.context) AS parseable FROM public.parallel_contexts AS c'),
  ('coverage_is_parseable_count',
   'SELECT count(*) AS parseable FROM public.parallel_contexts AS c
    WHERE coverage_truth.coverage_is_parseable(c.context)'),
  ('parse_coverage_aggregate',
   'SELECT p.segment, p.type, p.status, count(*) AS entries, sum(p.item_count) AS items
    FROM public.parallel_contexts AS c, LATERAL coverage_truth.parse_coverage(c.context) AS p
    GROUP BY 1, 2, 3'),
  ('explain_coverage_payload',
   'SELECT v.variant, e.* FROM public.payload_variants AS v,
      LATERAL coverage_truth.explain_coverage_payload(v.context) WITH ORDINALITY AS e'),
  ('tenant_coverage',
   'SELECT t, c.* FROM generate_series(1, 7) AS t,
      LATERAL coverage_truth.tenant_coverage(t) WITH ORDINALITY AS c'),
  ('tenant_coverage_summary',
   'SELECT t, s.* FROM generate_series(1, 7) AS t,
      LATERAL coverage_truth.tenant_coverage_summary(t) WITH ORDINALITY AS s'),
  ('fleet_coverage_summary',
   'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL) WITH ORDINALITY'),
  ('fleet_coverage',
   'SELECT * FROM coverage_truth.fleet_coverage(ARRAY[1, 2, 3, 4, 5, 6, 7]) WITH ORDINALITY'),
  ('tenant_coverage_summaries_view',
   'SELECT row_number() OVER () AS position, * FROM coverage_truth.tenant_coverage_summaries'),
  ('coverage_follow_ups_view',
   'SELECT row_number() OVER () AS position, * FROM coverage_truth.coverage_follow_ups'),
  ('run_coverage',
   'SELECT r.id, c.* FROM public.operation_runs AS r,
      LATERAL coverage_truth.run_coverage(r.id) WITH ORDINALITY AS c'),
  ('tenant_coverage_at',
   'SELECT t, c.* FROM generate_series(1, 6) AS t,
      LATERAL coverage_truth.tenant_coverage_at(t, ''2024-01-01 21:30:00+00'') WITH ORDINALITY AS c'),
  ('tenant_coverage_summary_at',
   'SELECT t, s.* FROM generate_series(1, 6) AS t,
      LATERAL coverage_truth.tenant_coverage_summary_at(t, ''2024-01-01 21:30:00+00'') AS s'),
  ('run_coverage_diff',
   'SELECT * FROM coverage_truth.run_coverage_diff(202, 201) WITH ORDINALITY
    UNION ALL
    SELECT * FROM coverage_truth.run_coverage_diff(102, 101) WITH ORDINALITY'),
  ('tenant_coverage_changes',
   'SELECT t, c.* FROM generate_series(1, 6) AS t,
      LATERAL coverage_truth.tenant_coverage_changes(t, ''2024-01-01 11:30:00+00'') WITH ORDINALITY AS c'),
  ('tenant_last_success',
   'SELECT t, l.* FROM generate_series(1, 6) AS t,
      LATERAL coverage_truth.tenant_last_success(t) WITH ORDINALITY AS l'),
  ('tenant_coverage_history',
   'SELECT t, h.* FROM generate_series(1, 6) AS t,
      LATERAL coverage_truth.tenant_coverage_history(t, ''-infinity'', ''infinity'') WITH ORDINALITY AS h'),
  ('check_sources',
   'SELECT * FROM coverage_truth.check_sources() WITH ORDINALITY'),
  ('default_supported_types',
   'SELECT * FROM coverage_truth.default_supported_types() WITH ORDINALITY'),
  ('catalog_row_is_default',
   'SELECT s.type, coverage_truth.catalog_row_is_default(s) AS is_default FROM coverage_truth.supported_types AS s'),
  ('base_type',
   'SELECT t.oid::regtype AS type, coverage_truth.base_type(t.oid::regtype) AS base
    FROM pg_catalog.pg_type AS t WHERE t.typnamespace = ''pg_catalog''::regnamespace');

-- Store the rows of every query in table parallel_check.<prefix>_<name>.
-- A query that fails gets a row with its error in parallel_check.errors.
CREATE TABLE parallel_check.errors (prefix text, name text, message text);
CREATE FUNCTION pg_temp.materialize(prefix text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  q record;
BEGIN
  FOR q IN SELECT * FROM parallel_check.queries ORDER BY name LOOP
    BEGIN
      EXECUTE format('CREATE TABLE parallel_check.%I AS %s', prefix || '_' || q.name, q.query);
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO parallel_check.errors VALUES (prefix, q.name, SQLERRM);
      EXECUTE format('CREATE TABLE parallel_check.%I (failed boolean)', prefix || '_' || q.name);
    END;
  END LOOP;
END
$$;

-- Return the EXPLAIN ANALYZE text of a query.
CREATE FUNCTION pg_temp.explain(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  line text;
  result text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    result := result || line || E'\n';
  END LOOP;
  RETURN result;
END
$$;

SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL force_parallel_mode = off;
SELECT pg_temp.materialize('serial');

SET LOCAL force_parallel_mode = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL min_parallel_index_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
-- The workers do all the scanning and call the parser once per row (no
-- Memoize cache in front of it), so the parser really runs in them.
SET LOCAL parallel_leader_participation = off;
SET LOCAL enable_memoize = off;
SELECT pg_temp.materialize('parallel');

CREATE TABLE parallel_check.plans AS
SELECT q.name, pg_temp.explain(q.query) AS plan
FROM parallel_check.queries AS q
WHERE q.name IN ('parse_coverage_over_table', 'coverage_is_parseable_count', 'parse_coverage_aggregate');

RESET enable_memoize;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_index_scan_size;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET force_parallel_mode;

SELECT is((SELECT string_agg(e.message, '; ') FROM parallel_check.errors AS e WHERE e.prefix = 'serial' AND e.name = q.name),
          NULL,
          q.name || ' runs without parallelism')
FROM parallel_check.queries AS q
ORDER BY q.name COLLATE "C";

SELECT is((SELECT string_agg(e.message, '; ') FROM parallel_check.errors AS e WHERE e.prefix = 'parallel' AND e.name = q.name),
          NULL,
          q.name || ' runs with parallel query forced')
FROM parallel_check.queries AS q
ORDER BY q.name COLLATE "C";

SELECT bag_eq(format('TABLE parallel_check.%I', 'parallel_' || q.name),
              format('TABLE parallel_check.%I', 'serial_' || q.name),
              q.name || ': the same rows with parallel query forced as without')
FROM parallel_check.queries AS q
ORDER BY q.name COLLATE "C";

------------------------------------------------------------------------------
-- The parser really ran in parallel workers
------------------------------------------------------------------------------

SELECT matches((SELECT plan FROM parallel_check.plans WHERE name = 'coverage_is_parseable_count'),
               'Gather.*Parallel Seq Scan on parallel_contexts',
  'coverage_is_parseable in a WHERE clause over a big table gets a parallel plan');
SELECT matches((SELECT plan FROM parallel_check.plans WHERE name = 'coverage_is_parseable_count'),
               'Workers Launched: [12]',
  'coverage_is_parseable runs in parallel workers');
SELECT matches((SELECT plan FROM parallel_check.plans WHERE name = 'parse_coverage_over_table'),
               'Gather.*Function Scan on parse_coverage',
  'parse_coverage over a table of contexts runs below Gather');
SELECT matches((SELECT plan FROM parallel_check.plans WHERE name = 'parse_coverage_over_table'),
               'Workers Launched: [12]',
  'parse_coverage runs in parallel workers');
SELECT is((SELECT parseable FROM parallel_check.parallel_coverage_is_parseable_count),
          (SELECT count(*) FROM public.parallel_contexts AS c
           JOIN public.payload_variants AS v ON v.variant = c.id % 10
           WHERE v.variant IN (0, 1, 2, 5, 9)),
  'the parallel count of parseable contexts is right');

SELECT * FROM finish();
ROLLBACK;
