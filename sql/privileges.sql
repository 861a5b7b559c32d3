-- The functions are SECURITY INVOKER: table privileges, column privileges
-- and row level security on the source relations apply to the caller as for
-- a plain SELECT.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
DROP ROLE IF EXISTS regress_coverage_reader;
RESET client_min_messages;
\pset null '<NULL>'
-- The CONTEXT lines would show the extension's internal queries.
\set SHOW_CONTEXT never

CREATE ROLE regress_coverage_reader;

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
INSERT INTO public.operation_runs VALUES
  (1, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "succeeded"}}}}}',
   '2024-03-01 00:00:00+00'),
  (2, 2, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "failed"}}}}}',
   '2024-03-01 00:00:00+00');
INSERT INTO public.inventory_items VALUES (1, 'mobileApp'), (2, 'mobileApp'), (2, 'mobileApp');

-- No privilege on the runs relation.
SET ROLE regress_coverage_reader;
SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(1);
RESET ROLE;

-- Every column but context: the column privilege is missing.
GRANT SELECT (id, tenant_id, type, status, outcome, completed_at)
  ON public.operation_runs TO regress_coverage_reader;
GRANT SELECT ON public.inventory_items TO regress_coverage_reader;
SET ROLE regress_coverage_reader;
SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(1);
RESET ROLE;

-- Runs readable, items not.
GRANT SELECT ON public.operation_runs TO regress_coverage_reader;
REVOKE SELECT ON public.inventory_items FROM regress_coverage_reader;
SET ROLE regress_coverage_reader;
SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(1);
RESET ROLE;

-- Row level security: the reader sees only tenant 1's runs and items.
GRANT SELECT ON public.inventory_items TO regress_coverage_reader;
ALTER TABLE public.operation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.inventory_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_one ON public.operation_runs
  FOR SELECT TO regress_coverage_reader USING (tenant_id = 1);
CREATE POLICY tenant_one ON public.inventory_items
  FOR SELECT TO regress_coverage_reader USING (tenant_id = 1);

SET ROLE regress_coverage_reader;
SELECT tenant_id, basis_run_id, has_current_coverage_result, observed_item_total
  FROM coverage_truth.tenant_coverage_summary(1);
SELECT tenant_id, basis_run_id, has_current_coverage_result, observed_item_total
  FROM coverage_truth.tenant_coverage_summary(2);
RESET ROLE;

-- The superuser that owns the tables bypasses the policies.
SELECT tenant_id, basis_run_id, has_current_coverage_result, observed_item_total
  FROM coverage_truth.tenant_coverage_summary(2);

DROP TABLE public.operation_runs, public.inventory_items;
DROP ROLE regress_coverage_reader;
