-- Loads one seeded random fleet and the sample tables of the differential
-- checks into the current (empty) database. run.sh runs it with psql
-- variables: seed (integer), tenants (integer), flavour (jsonb or json),
-- test_dir (the folder of this file) and oracle (the oracle's file).
--
-- The jsonb flavour shapes the host tables like the application does
-- (bigint ids, varchar, jsonb, timestamptz). The json flavour uses the other
-- column types the contract allows (integer ids, text, json, timestamp
-- without time zone), so the extension's json-to-jsonb conversion and its
-- reading of timestamps in the session TimeZone are compared too.

\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;

SELECT :'flavour' = 'json' AS json_flavour \gset

\if :json_flavour
CREATE TABLE public.operation_runs (
  id serial PRIMARY KEY,
  tenant_id integer,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  context json,
  completed_at timestamp
);
CREATE TABLE public.inventory_items (
  id serial PRIMARY KEY,
  tenant_id integer,
  policy_type text NOT NULL
);
\else
CREATE TABLE public.operation_runs (
  id bigserial PRIMARY KEY,
  tenant_id bigint,
  type varchar(255) NOT NULL,
  status varchar(255) NOT NULL,
  outcome varchar(255),
  context jsonb,
  completed_at timestamptz
);
CREATE TABLE public.inventory_items (
  id bigserial PRIMARY KEY,
  tenant_id bigint,
  policy_type varchar(255) NOT NULL
);
\endif
CREATE INDEX operation_runs_basis ON public.operation_runs
  (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
CREATE INDEX inventory_items_tenant_type ON public.inventory_items (tenant_id, policy_type);

CREATE EXTENSION IF NOT EXISTS coverage_truth;
\i :oracle
\i :test_dir/generator.sql
\i :test_dir/harness.sql

SELECT pg_catalog.setseed(pg_catalog.hashint8(:seed)::float8 / 2147483648.0);
SELECT coverage_gen.edit_catalog();
SELECT coverage_gen.make_fleet(:tenants, :'flavour' = 'json', :'flavour' = 'json');

\if :json_flavour
-- Local times around daylight saving changes (a gap and a repeated hour in
-- the zones that have them), read in the session TimeZone.
INSERT INTO coverage_gen.run_rows (position, tenant_id, type, status, outcome, context, completed_at)
SELECT 1000000000 + g.n, 1 + g.n % 5, 'inventory_sync', 'completed', 'succeeded',
       '{"inventory":{"coverage":{"policy_types":{"deviceConfiguration":{"status":"'
         || (ARRAY['succeeded', 'failed', 'skipped'])[1 + g.n % 3] || '"}}}}}',
       NULL
FROM generate_series(0, 7) AS g(n);
INSERT INTO public.operation_runs (tenant_id, type, status, outcome, context, completed_at)
SELECT r.tenant_id, r.type, r.status, r.outcome, r.context::json,
       CASE WHEN r.position >= 1000000000
         THEN (ARRAY['2026-03-08 02:30:00', '2026-11-01 01:30:00', '2026-03-29 02:30:00',
                     '2026-10-25 02:30:00', '2026-04-05 02:30:00', '2026-10-04 02:00:00',
                     '2026-03-08 01:59:59.999999', '2026-11-01 01:00:00'])[r.position - 999999999]::timestamp
         ELSE r.completed_at::timestamp END
FROM coverage_gen.run_rows AS r ORDER BY r.position;
INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT i.tenant_id, i.policy_type FROM coverage_gen.item_rows AS i ORDER BY i.position;
\else
INSERT INTO public.operation_runs (tenant_id, type, status, outcome, context, completed_at)
SELECT r.tenant_id, r.type, r.status, r.outcome, r.context::jsonb, r.completed_at
FROM coverage_gen.run_rows AS r ORDER BY r.position;
INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT i.tenant_id, i.policy_type FROM coverage_gen.item_rows AS i ORDER BY i.position;
\endif
ANALYZE public.operation_runs;
ANALYZE public.inventory_items;

-- The same rows through views with the other column types the contract
-- allows, some of them domains. run.sh points the coverage_truth.*_relation
-- settings at them while the oracle keeps reading the tables. It sets
-- TimeZone to UTC for those checks, so the timestamp conversion in the views
-- is exact.
CREATE DOMAIN public.context_json AS json;
CREATE DOMAIN public.tenant_key AS bigint;
CREATE DOMAIN public.short_text AS varchar(255);
CREATE DOMAIN public.local_time AS timestamp;
CREATE DOMAIN public.moment AS timestamptz;
\if :json_flavour
CREATE VIEW public.operation_runs_view AS
SELECT r.id::bigint AS id, r.tenant_id::public.tenant_key AS tenant_id,
       r.type::public.short_text AS type, r.status::varchar AS status,
       r.outcome::varchar AS outcome, r.context::public.context_json AS context,
       r.completed_at::timestamptz::public.moment AS completed_at
FROM public.operation_runs AS r;
CREATE VIEW public.inventory_items_view AS
SELECT i.tenant_id::bigint AS tenant_id, i.policy_type::varchar AS policy_type
FROM public.inventory_items AS i;
\else
CREATE VIEW public.operation_runs_view AS
SELECT r.id::integer AS id, r.tenant_id::public.tenant_key AS tenant_id,
       r.type::public.short_text AS type, r.status::text AS status,
       r.outcome::text AS outcome, r.context::json::public.context_json AS context,
       (r.completed_at AT TIME ZONE 'UTC')::public.local_time AS completed_at
FROM public.operation_runs AS r;
CREATE VIEW public.inventory_items_view AS
SELECT i.tenant_id, i.policy_type::text AS policy_type
FROM public.inventory_items AS i;
\endif

-- The items with a case-insensitive (nondeterministic) collation on
-- policy_type, as a host database migrated from another server may have.
-- A type still matches only the policy_type values equal to it byte for
-- byte, so 'MOBILEAPP' items must not count for 'mobileApp'.
CREATE COLLATION public.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE VIEW public.inventory_items_case_insensitive AS
SELECT i.tenant_id, i.policy_type::text COLLATE public.case_insensitive AS policy_type
FROM public.inventory_items AS i;

------------------------------------------------------------------------------
-- Samples: one row per call of a check, sample_id first
------------------------------------------------------------------------------

-- Every run's context, plus hand-written edge cases with negative ids.
CREATE TABLE coverage_diff.s_contexts AS
SELECT r.id::bigint AS sample_id, coverage_oracle.as_jsonb(r.context) AS context
FROM public.operation_runs AS r
UNION ALL
SELECT -e.n, e.context::jsonb
FROM (VALUES
  (1, '{"inventory":{"coverage":{"policy_types":{}}}}'),
  (2, '{"inventory":{"coverage":{"foundation_types":[]}}}'),
  (3, '{"inventory":{"coverage":{"policy_types":"{\"mobileApp\":{\"status\":\"succeeded\"}}"}}}'),
  (4, '"{\"inventory\":{\"coverage\":{\"policy_types\":{\"mobileApp\":{\"status\":\"succeeded\"}}}}}"'),
  (5, '{"inventory":{"coverage":{"policy_types":{"":{"status":"succeeded"}}}}}'),
  (6, '{"inventory":{"coverage":{"policy_types":[{"type":"","status":"failed"}]}}}'),
  (7, '{"inventory":{"coverage":{"policy_types":[{"type":"mobileApp","status":"failed"},{"type":"mobileApp","status":"nope"},{"type":"mobileApp","status":" SKIPPED\n"}]}}}'),
  (8, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"succeeded","item_count":9223372036854775807,"error_code":"x"}}}}}'),
  (9, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"failed","item_count":9223372036854775808,"error_code":""}}}}}'),
  (10, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"skipped","item_count":-0,"error_code":"e"}}}}}'),
  (11, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"s\u212aipped"}}}}}'),
  (12, '{"inventory":{"coverage":{"policy_types":{"roleScopeTag":{"status":"failed"}},"foundation_types":{"roleScopeTag":{"status":"succeeded"}}}}}'),
  (13, '{"inventory":{"coverage":{"policy_types":null,"foundation_types":1}}}'),
  (14, '{"inventory":{"coverage":[]}}'),
  (15, '{"inventory":[{"coverage":{"policy_types":{}}}]}'),
  (16, '[]'), (17, 'null'), (18, '0'), (19, '{}'),
  (20, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"succeeded","item_count":1e2}}}}}'),
  (21, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"succeeded","item_count":5.0}}}}}'),
  (22, '{"inventory":{"coverage":{"policy_types":{"mobileApp":{"status":"succeeded","item_count":1e300}}}}}')
) AS e(n, context);
CREATE UNIQUE INDEX ON coverage_diff.s_contexts (sample_id);

-- Every tenant, a NULL tenant and ids without any data.
CREATE TABLE coverage_diff.s_tenants AS
SELECT row_number() OVER (ORDER BY t.tenant_id NULLS LAST) AS sample_id, t.tenant_id
FROM (SELECT r.tenant_id::bigint AS tenant_id FROM public.operation_runs AS r
      UNION SELECT i.tenant_id FROM public.inventory_items AS i
      UNION VALUES (NULL::bigint), (-424242), (987654321)) AS t;
CREATE UNIQUE INDEX ON coverage_diff.s_tenants (sample_id);

-- Fleet arguments: every tenant, no tenant, a sample with duplicates and
-- unknown ids.
CREATE TABLE coverage_diff.s_fleet AS
SELECT 1::bigint AS sample_id, NULL::bigint[] AS tenant_ids
UNION ALL SELECT 2, '{}'::bigint[]
UNION ALL
SELECT 3, pg_catalog.array_agg(x.tenant_id ORDER BY x.position)
FROM (SELECT s.tenant_id, pg_catalog.random() AS position
      FROM coverage_diff.s_tenants AS s, generate_series(1, 2) AS d
      WHERE s.tenant_id IS NOT NULL AND pg_catalog.random() < 0.2
      UNION ALL VALUES (-1::bigint, 0.5::float8), (555555555, 0.25)) AS x
UNION ALL
SELECT 4, pg_catalog.array_agg(s.tenant_id ORDER BY s.tenant_id DESC)
FROM coverage_diff.s_tenants AS s WHERE s.tenant_id IS NOT NULL;

-- An explicit array that contains NULL, a case the contract does not cover.
CREATE TABLE coverage_diff.s_fleet_null AS
SELECT 1::bigint AS sample_id, ARRAY[3, NULL, 3, -424242]::bigint[] AS tenant_ids;

-- Runs: a sample of existing runs and ids that do not exist.
CREATE TABLE coverage_diff.s_runs AS
SELECT row_number() OVER (ORDER BY x.run_id) AS sample_id, x.run_id
FROM (SELECT r.id::bigint AS run_id FROM public.operation_runs AS r
      WHERE pg_catalog.random() < 2500.0 / greatest(1, (SELECT count(*) FROM public.operation_runs))
      UNION VALUES (-1::bigint), (0), ((SELECT coalesce(max(r.id), 0) + 1000 FROM public.operation_runs AS r))) AS x;
CREATE UNIQUE INDEX ON coverage_diff.s_runs (sample_id);

-- Run pairs: two runs of one tenant (any type or status), a run with
-- itself, runs of two tenants (both sides must raise), runs without a
-- tenant, and ids that do not exist.
CREATE TABLE coverage_diff.s_pairs AS
WITH numbered AS (
  -- no_tenant and tenant_key make an equality join (which can be hashed)
  -- pair up the runs without a tenant too
  SELECT r.id::bigint AS id, r.tenant_id::bigint AS tenant_id,
         r.tenant_id IS NULL AS no_tenant, coalesce(r.tenant_id, 0)::bigint AS tenant_key,
         row_number() OVER (PARTITION BY r.tenant_id ORDER BY pg_catalog.random()) AS k
  FROM public.operation_runs AS r
),
pairs AS (
  SELECT a.id AS from_run_id, b.id AS to_run_id, 1 AS kind
  FROM numbered AS a JOIN numbered AS b
    ON b.no_tenant = a.no_tenant AND b.tenant_key = a.tenant_key AND b.k = a.k + 1
  WHERE pg_catalog.random() < 0.15
  UNION ALL
  SELECT a.id, a.id, 2 FROM numbered AS a WHERE pg_catalog.random() < 0.02
  UNION ALL
  SELECT a.id, b.id, 3
  FROM (SELECT n.id, n.tenant_id, row_number() OVER (ORDER BY n.id) AS j FROM numbered AS n WHERE n.k = 1) AS a
  JOIN (SELECT n.id, n.tenant_id, row_number() OVER (ORDER BY n.id) AS j FROM numbered AS n WHERE n.k = 1) AS b
    ON b.j = a.j + 1
  WHERE pg_catalog.random() < 0.05
  UNION ALL
  SELECT a.id, -1, 4 FROM numbered AS a WHERE pg_catalog.random() < 0.01
  UNION ALL
  SELECT -2, a.id, 4 FROM numbered AS a WHERE pg_catalog.random() < 0.01
  UNION ALL
  SELECT * FROM (VALUES (-1::bigint, -2::bigint, 4)) AS v
)
SELECT row_number() OVER (ORDER BY p.kind, p.from_run_id, p.to_run_id) AS sample_id,
       p.from_run_id, p.to_run_id
FROM pairs AS p;
CREATE UNIQUE INDEX ON coverage_diff.s_pairs (sample_id);

-- Moments for the *_at and changes checks: each candidate's completed_at
-- and one microsecond on either side, random moments, now and the
-- infinities, for a sample of tenants.
CREATE TABLE coverage_diff.s_moments AS
WITH chosen AS (
  SELECT s.tenant_id FROM coverage_diff.s_tenants AS s
  WHERE pg_catalog.random() < 250.0 / (SELECT count(*) FROM coverage_diff.s_tenants)
     OR s.tenant_id IS NULL OR s.tenant_id BETWEEN 1 AND 5
),
moments AS (
  SELECT c.tenant_id, r.completed_at::timestamptz + d.shift AS at
  FROM chosen AS c
  JOIN public.operation_runs AS r ON r.tenant_id = c.tenant_id
  CROSS JOIN (VALUES (interval '0'), (interval '-1 microsecond'), (interval '1 microsecond')) AS d(shift)
  WHERE r.completed_at IS NOT NULL AND pg_catalog.random() < 0.5
  UNION ALL
  SELECT c.tenant_id, pg_catalog.now() - pg_catalog.random() * interval '50 days'
  FROM chosen AS c, generate_series(1, 2)
  UNION ALL
  SELECT c.tenant_id, v.at
  FROM chosen AS c
  CROSS JOIN (VALUES (pg_catalog.now()), ('infinity'::timestamptz), ('-infinity'::timestamptz)) AS v(at)
  WHERE pg_catalog.random() < 0.2
)
SELECT row_number() OVER (ORDER BY m.tenant_id, m.at) AS sample_id, m.tenant_id, m.at
FROM moments AS m;
CREATE UNIQUE INDEX ON coverage_diff.s_moments (sample_id);

-- PostgreSQL 15 cannot represent the age of a summary at an infinite
-- moment, and the contract does not define it. So the summary checks leave
-- the infinities out.
CREATE TABLE coverage_diff.s_finite_moments AS
SELECT m.* FROM coverage_diff.s_moments AS m WHERE pg_catalog.isfinite(m.at);
CREATE UNIQUE INDEX ON coverage_diff.s_finite_moments (sample_id);

-- Windows for the history check, including empty, reversed, single-point
-- and unbounded ones.
CREATE TABLE coverage_diff.s_windows AS
WITH w AS (
  SELECT m.tenant_id, m.at AS from_at,
         m.at + (pg_catalog.random() * 40 - 5) * interval '1 day' AS to_at
  FROM coverage_diff.s_moments AS m
  WHERE pg_catalog.isfinite(m.at) AND pg_catalog.random() < 0.5
  UNION ALL
  SELECT m.tenant_id, m.at, m.at FROM coverage_diff.s_moments AS m
  WHERE pg_catalog.isfinite(m.at) AND pg_catalog.random() < 0.1
  UNION ALL
  SELECT DISTINCT m.tenant_id, '-infinity'::timestamptz, 'infinity'::timestamptz
  FROM coverage_diff.s_moments AS m
)
SELECT row_number() OVER (ORDER BY w.tenant_id, w.from_at, w.to_at) AS sample_id,
       w.tenant_id, w.from_at, w.to_at
FROM w;
CREATE UNIQUE INDEX ON coverage_diff.s_windows (sample_id);

-- Smaller samples for the checks that repeat a function under other
-- settings: 200 tenants, 300 run pairs, 1,500 moments and 600 windows at
-- most, and the fleet arguments NULL and the sampled array.
CREATE TABLE coverage_diff.s_some_tenants AS
SELECT s.* FROM coverage_diff.s_tenants AS s
WHERE s.tenant_id IS NULL OR s.tenant_id IN (-424242, 987654321)
   OR pg_catalog.random() < 200.0 / (SELECT count(*) FROM coverage_diff.s_tenants);
CREATE UNIQUE INDEX ON coverage_diff.s_some_tenants (sample_id);
CREATE TABLE coverage_diff.s_some_pairs AS
SELECT s.* FROM coverage_diff.s_pairs AS s
WHERE pg_catalog.random() < 300.0 / (SELECT count(*) FROM coverage_diff.s_pairs);
CREATE UNIQUE INDEX ON coverage_diff.s_some_pairs (sample_id);
CREATE TABLE coverage_diff.s_some_moments AS
SELECT s.* FROM coverage_diff.s_finite_moments AS s
WHERE pg_catalog.random() < 1500.0 / (SELECT count(*) FROM coverage_diff.s_finite_moments);
CREATE UNIQUE INDEX ON coverage_diff.s_some_moments (sample_id);
CREATE TABLE coverage_diff.s_some_windows AS
SELECT s.* FROM coverage_diff.s_windows AS s
WHERE pg_catalog.random() < 600.0 / (SELECT count(*) FROM coverage_diff.s_windows);
CREATE UNIQUE INDEX ON coverage_diff.s_some_windows (sample_id);
CREATE TABLE coverage_diff.s_some_fleet AS
SELECT s.* FROM coverage_diff.s_fleet AS s WHERE s.sample_id IN (1, 3);

SELECT pg_catalog.format('# fleet: %s runs (%s candidates, %s with a parseable context), %s item rows, %s tenants, %s catalog types',
  (SELECT count(*) FROM public.operation_runs),
  (SELECT count(*) FROM coverage_oracle.candidates),
  (SELECT count(*) FROM coverage_oracle.candidates AS c WHERE coverage_oracle.coverage_is_parseable(c.context)),
  (SELECT count(*) FROM public.inventory_items),
  (SELECT count(*) FROM coverage_diff.s_tenants WHERE tenant_id IS NOT NULL),
  (SELECT count(*) FROM coverage_truth.supported_types)) AS line;

WITH basis AS MATERIALIZED (
  SELECT f.tenant_id, f.basis_run_id, f.basis_completed_at
  FROM coverage_oracle.fleet_coverage_summary() AS f
  WHERE f.has_current_coverage_result
),
candidate AS MATERIALIZED (
  SELECT c.tenant_id::bigint AS tenant_id, c.id::bigint AS id, c.completed_at,
         coverage_oracle.coverage_is_parseable(c.context) AS parseable
  FROM coverage_oracle.candidates AS c
),
per_tenant AS (
  SELECT b.tenant_id, b.basis_completed_at IS NULL AS undated,
         coalesce(bool_or(c.parseable AND c.completed_at = b.basis_completed_at), false) AS tied,
         -- a candidate before the basis in basis order that is unparseable
         coalesce(bool_or(NOT c.parseable
                          AND (c.completed_at > b.basis_completed_at
                               OR (c.completed_at IS NOT NULL AND b.basis_completed_at IS NULL)
                               OR (c.completed_at IS NOT DISTINCT FROM b.basis_completed_at AND c.id > b.basis_run_id))),
                  false) AS skipped_newer
  FROM basis AS b
  LEFT JOIN candidate AS c ON c.tenant_id = b.tenant_id AND c.id <> b.basis_run_id
  GROUP BY b.tenant_id, b.basis_completed_at
)
SELECT pg_catalog.format('# cases: %s contexts jsonb cannot hold, %s tenants whose basis has no completed_at, %s whose basis ties on completed_at with another parseable candidate, %s with a newer unparseable candidate than the basis',
  (SELECT count(*) FROM public.operation_runs AS r
   WHERE r.context IS NOT NULL AND coverage_oracle.as_jsonb(r.context) IS NULL),
  count(*) FILTER (WHERE p.undated),
  count(*) FILTER (WHERE p.tied),
  count(*) FILTER (WHERE p.skipped_newer)) AS line
FROM per_tenant AS p;
