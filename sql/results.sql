-- Result shapes: every column of tenant_coverage() and
-- tenant_coverage_summary() for one basis, a tenant without a basis and a
-- calm tenant, with the row order. The catalog edits roll back at the end.
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

-- Tenant 1: run 2 is the basis. Run 1 is older, run 3 is still running,
-- run 4 is another run type and run 5 is unparseable.
INSERT INTO public.operation_runs VALUES
  (1, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"windowsUpdateRing": {"status": "succeeded"}}}}}',
   '2024-01-01 00:00:00+00'),
  (2, 1, 'inventory_sync', 'completed', 'partially_succeeded',
   '{"inventory": {"coverage": {
      "policy_types": {
        "deviceConfiguration": {"status": "succeeded", "item_count": 10},
        "mobileApp": {"status": "failed", "item_count": 3, "error_code": "throttled"},
        "windowsUpdateRing": {"status": "skipped", "error_code": "not_licensed"},
        "assignmentFilter": {"status": "failed", "error_code": "policy list"},
        "roleScopeTag": {"status": "succeeded", "item_count": 5}},
      "foundation_types": {
        "assignmentFilter": {"status": "succeeded", "item_count": 4},
        "deviceCompliancePolicy": {"status": "failed", "error_code": "foundation list"}}}}}',
   '2024-02-01 12:00:00+00'),
  (3, 1, 'inventory_sync', 'running', NULL,
   '{"inventory": {"coverage": {"policy_types": {}}}}', '2024-03-01 00:00:00+00'),
  (4, 1, 'policy_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {}}}}', '2024-03-02 00:00:00+00'),
  (5, 1, 'inventory_sync', 'completed', 'failed',
   '{"inventory": {}}', '2024-03-03 00:00:00+00'),
  (6, 2, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "succeeded"}}}}}',
   '2024-03-04 00:00:00+00');

-- Observed items never change a state: settingsCatalogPolicy has items but
-- no entry, and notInCatalog is no catalog type.
INSERT INTO public.inventory_items VALUES
  (1, 'deviceConfiguration'), (1, 'deviceConfiguration'), (1, 'mobileApp'),
  (1, 'settingsCatalogPolicy'), (1, 'settingsCatalogPolicy'),
  (1, 'settingsCatalogPolicy'), (1, 'settingsCatalogPolicy'),
  (1, 'notInCatalog'), (2, 'deviceConfiguration');

-- A type in both lists uses the entry of its catalog segment
-- (assignmentFilter), and a type listed only in the other segment's list
-- uses that entry (roleScopeTag, deviceCompliancePolicy).
SELECT * FROM coverage_truth.tenant_coverage(1);

-- Every summary column but basis_age, which depends on the current time.
\x on
SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at,
       has_current_coverage_result, supported_type_count, succeeded_type_count,
       failed_type_count, skipped_type_count, unknown_type_count,
       follow_up_type_count, observed_item_total, calm_claim_allowed,
       basis_is_stale
  FROM coverage_truth.tenant_coverage_summary(1);
\x off

-- Freshness is reported beside the state: the basis is older than 26 hours.
SELECT basis_age = now() - basis_completed_at AS age_from_transaction_time,
       basis_is_stale
  FROM coverage_truth.tenant_coverage_summary(1);

-- Tenant 3 has no run: no basis, every type unknown, stale, no calm claim.
SELECT coverage_state, follow_up_required, count(*), count(basis_run_id) AS with_basis
  FROM coverage_truth.tenant_coverage(3)
 GROUP BY 1, 2;
\x on
SELECT * FROM coverage_truth.tenant_coverage_summary(3);
\x off

-- Tenant 4 reports every catalog type as succeeded an hour ago: calm and
-- fresh.
INSERT INTO public.operation_runs
SELECT 40, 4, 'inventory_sync', 'completed', 'succeeded',
       jsonb_build_object('inventory', jsonb_build_object('coverage', jsonb_build_object(
         'policy_types', jsonb_object_agg(type, '{"status": "succeeded"}'::jsonb)))),
       now() - interval '1 hour'
  FROM coverage_truth.supported_types;
SELECT basis_run_id, supported_type_count, succeeded_type_count,
       follow_up_type_count, calm_claim_allowed,
       basis_age BETWEEN interval '1 hour' AND interval '2 hours' AS age_about_one_hour,
       basis_is_stale
  FROM coverage_truth.tenant_coverage_summary(4);
SELECT count(*) FILTER (WHERE follow_up_required) AS follow_ups
  FROM coverage_truth.tenant_coverage(4);

-- A shorter coverage_truth.stale_after makes the same basis stale, and the
-- calm claim stays.
SET coverage_truth.stale_after = '30 minutes';
SELECT calm_claim_allowed, basis_is_stale
  FROM coverage_truth.tenant_coverage_summary(4);
RESET coverage_truth.stale_after;

BEGIN;

-- Row order: segment (policy first), sort_order, then type in byte order.
-- Upper-case letters sort before lower-case ones in byte order.
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('alpha', 'policy', 'Alpha', 'Test', 10),
  ('Zeta', 'policy', 'Zeta', 'Test', 10),
  ('Beta', 'policy', 'Beta', 'Test', 10),
  ('first', 'foundation', 'First', 'Test', -1),
  ('last', 'policy', 'Last', 'Test', 1000);
SELECT c.type, c.segment, s.sort_order
  FROM coverage_truth.tenant_coverage(3) WITH ORDINALITY AS c
  JOIN coverage_truth.supported_types AS s USING (type)
 ORDER BY c.ordinality;

-- Capability columns never change a state.
UPDATE coverage_truth.supported_types
   SET restore_mode = 'not_supported', risk_level = 'high', supports_dependencies = false
 WHERE type = 'deviceConfiguration';
SELECT type, coverage_state, restore_mode, risk_level, supports_dependencies
  FROM coverage_truth.tenant_coverage(1)
 WHERE type = 'deviceConfiguration';

-- With an empty catalog no calm claim is allowed, even for tenant 4.
DELETE FROM coverage_truth.supported_types;
SELECT count(*) AS rows FROM coverage_truth.tenant_coverage(4);
SELECT supported_type_count, follow_up_type_count, has_current_coverage_result,
       calm_claim_allowed
  FROM coverage_truth.tenant_coverage_summary(4);

ROLLBACK;

-- The rollback restored the shipped catalog.
SELECT count(*) AS catalog_rows,
       count(*) FILTER (WHERE coverage_truth.catalog_row_is_default(s)) AS shipped_rows
  FROM coverage_truth.supported_types AS s;

DROP TABLE public.operation_runs, public.inventory_items;
