-- Fleet functions, dashboard views and run detail: which tenants and runs
-- get rows, in which order, and that they agree with the per-tenant results.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

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

-- Tenant 30 has runs, tenant 10 only items, tenant 20 only a run of another
-- type; tenant 40 has no row anywhere.
INSERT INTO public.operation_runs VALUES
  (1, 30, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "succeeded", "item_count": 1}}}}}',
   '2024-01-01 00:00:00+00'),
  (2, 30, 'inventory_sync', 'completed', 'failed',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "failed", "error_code": "E2"}},
                                "foundation_types": {"roleScopeTag": {"status": "skipped"}}}}}',
   '2024-02-01 00:00:00+00'),
  (3, 30, 'inventory_sync', 'completed', 'failed', '{"inventory": null}',
   '2024-03-01 00:00:00+00'),
  (4, 20, 'policy_sync', 'completed', 'succeeded', NULL, '2024-03-01 00:00:00+00');
INSERT INTO public.inventory_items VALUES (10, 'mobileApp'), (30, 'mobileApp');

-- NULL means every tenant with a row in either relation, by tenant_id.
SELECT tenant_id, basis_run_id, has_current_coverage_result, failed_type_count,
       skipped_type_count, unknown_type_count, observed_item_total
  FROM coverage_truth.fleet_coverage_summary(NULL);
SELECT count(*) AS same_as_null FROM coverage_truth.fleet_coverage_summary();

-- An explicit array: one row per distinct id, also for an id with no data.
SELECT tenant_id, basis_run_id, unknown_type_count
  FROM coverage_truth.fleet_coverage_summary(ARRAY[40, 30, 40, 10]::bigint[]);
SELECT count(*) AS empty_array_rows
  FROM coverage_truth.fleet_coverage_summary('{}'::bigint[]);

-- Expect no row: the fleet summary equals the per-tenant summaries.
(SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[10, 20, 30, 40]::bigint[])
 EXCEPT
 SELECT s.* FROM unnest(ARRAY[10, 20, 30, 40]::bigint[]) AS t(id),
                 LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s)
UNION ALL
(SELECT s.* FROM unnest(ARRAY[10, 20, 30, 40]::bigint[]) AS t(id),
                 LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s
 EXCEPT
 SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[10, 20, 30, 40]::bigint[]));

-- Expect no row: fleet_coverage lists each tenant's rows in tenant order,
-- then in tenant_coverage's order.
WITH fleet AS (
  SELECT f, row_number() OVER () AS position
    FROM coverage_truth.fleet_coverage(ARRAY[30, 10]::bigint[]) AS f
), single AS (
  SELECT s, row_number() OVER () AS position
    FROM (SELECT s FROM coverage_truth.tenant_coverage(10) AS s
          UNION ALL
          SELECT s FROM coverage_truth.tenant_coverage(30) AS s) AS u
)
SELECT fleet.position, single.position
  FROM fleet FULL JOIN single ON fleet.position = single.position
 WHERE fleet.f IS DISTINCT FROM single.s;

-- The dashboard views cover every tenant; the follow-up view keeps only
-- rows that need follow-up.
SELECT tenant_id, basis_run_id, follow_up_type_count
  FROM coverage_truth.tenant_coverage_summaries;
SELECT tenant_id, count(*) AS follow_ups, count(*) FILTER (WHERE NOT follow_up_required) AS calm_rows
  FROM coverage_truth.coverage_follow_ups
 GROUP BY tenant_id ORDER BY tenant_id;

-- Run detail: the basis run, an older run, an unparseable newer run, a run
-- of another type, and no run.
SELECT run_id, tenant_id, type, coverage_state, item_count, error_code, run_is_basis, basis_run_id
  FROM coverage_truth.run_coverage(2)
 WHERE coverage_state <> 'unknown';
SELECT run_id, type, coverage_state, item_count, error_code, run_is_basis, basis_run_id
  FROM coverage_truth.run_coverage(1)
 WHERE coverage_state <> 'unknown';
SELECT count(*) AS type_rows, count(*) FILTER (WHERE coverage_state = 'unknown') AS unknown_rows,
       bool_or(run_is_basis) AS is_basis, min(basis_run_id) AS basis_run_id
  FROM coverage_truth.run_coverage(3);
SELECT count(*) AS type_rows, count(*) FILTER (WHERE coverage_state = 'unknown') AS unknown_rows,
       bool_or(run_is_basis) AS is_basis, min(basis_run_id) AS basis_run_id
  FROM coverage_truth.run_coverage(4);
SELECT count(*) AS rows_for_missing_run FROM coverage_truth.run_coverage(999);

-- Expect no row: run_coverage lists the catalog in tenant_coverage's order.
SELECT r.type, t.type
  FROM (SELECT type, row_number() OVER () AS position FROM coverage_truth.run_coverage(2)) AS r
  FULL JOIN (SELECT type, row_number() OVER () AS position FROM coverage_truth.tenant_coverage(30)) AS t
    ON r.position = t.position
 WHERE r.type IS DISTINCT FROM t.type;

DROP TABLE public.operation_runs, public.inventory_items;
