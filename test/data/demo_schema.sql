-- Host application tables for the demo, shaped like the Laravel migrations of
-- an Intune management application: bigserial keys, varchar(255) strings,
-- jsonb payload columns and timestamp(0) with time zone for created_at and
-- updated_at (Laravel's timestampsTz). coverage_truth reads operation_runs
-- and inventory_items and never writes them.
--
-- Load into an empty database before test/data/demo_data.sql. The script
-- drops and recreates the three tables, so it may be loaded again.

BEGIN;

DROP TABLE IF EXISTS public.inventory_items;
DROP TABLE IF EXISTS public.operation_runs;
DROP TABLE IF EXISTS public.tenants;

-- One managed Microsoft Entra tenant. workspace_id groups the tenants of one
-- customer. The demo has no workspaces table because coverage_truth never
-- reads it.
CREATE TABLE public.tenants (
  id bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL,
  name varchar(255) NOT NULL,
  primary_domain varchar(255) NOT NULL,
  entra_tenant_id uuid NOT NULL UNIQUE,
  status varchar(255) NOT NULL DEFAULT 'active',
  created_at timestamp(0) with time zone NULL,
  updated_at timestamp(0) with time zone NULL
);

-- Every background job of the application: inventory syncs, backups,
-- restores, exports and compares. Queued runs have no started_at, and runs
-- that are not completed have no completed_at and no outcome.
CREATE TABLE public.operation_runs (
  id bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL,
  tenant_id bigint NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
  user_id bigint NULL,
  type varchar(255) NOT NULL,
  status varchar(255) NOT NULL DEFAULT 'queued',
  outcome varchar(255) NULL,
  summary_counts jsonb NOT NULL DEFAULT '{}',
  failure_summary jsonb NOT NULL DEFAULT '[]',
  context jsonb NULL,
  started_at timestamptz NULL,
  completed_at timestamptz NULL,
  created_at timestamp(0) with time zone NULL,
  updated_at timestamp(0) with time zone NULL
);

CREATE INDEX operation_runs_tenant_id_type_created_at_index
  ON public.operation_runs (tenant_id, type, created_at);

-- Recommended by coverage_truth for the basis-run search: newest completed
-- inventory sync first, in the order the extension reads candidates.
CREATE INDEX operation_runs_inventory_sync_basis_index
  ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';

-- The last observed state of each Intune object. A sync upserts on
-- (tenant_id, policy_type, external_id) and never deletes rows of types it
-- did not read, so rows can outlive the run that last saw them.
CREATE TABLE public.inventory_items (
  id bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL,
  tenant_id bigint NOT NULL REFERENCES public.tenants (id) ON DELETE CASCADE,
  policy_type varchar(255) NOT NULL,
  external_id varchar(255) NOT NULL,
  display_name varchar(255) NOT NULL,
  category varchar(255) NULL,
  platform varchar(255) NULL,
  meta_jsonb jsonb NOT NULL DEFAULT '{}',
  last_seen_at timestamptz NULL,
  last_seen_operation_run_id bigint NULL REFERENCES public.operation_runs (id) ON DELETE SET NULL,
  created_at timestamp(0) with time zone NULL,
  updated_at timestamp(0) with time zone NULL,
  CONSTRAINT inventory_items_tenant_id_policy_type_external_id_unique
    UNIQUE (tenant_id, policy_type, external_id)
);

-- Recommended by coverage_truth for the observed item counts per type.
CREATE INDEX inventory_items_tenant_id_policy_type_index
  ON public.inventory_items (tenant_id, policy_type);

COMMIT;
