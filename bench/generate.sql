-- Benchmark data generator: a fleet of Intune tenants with daily inventory
-- syncs, other operation types and the inventory items the syncs left.
--
-- Run with psql, which supplies the parameters as variables (bench/generate.sh
-- sets them all):
--   tenants           number of tenants (ids 1 .. tenants)
--   days              days of history, one scheduled sync a day per tenant
--   items_per_tenant  mean inventory items of a tenant
--   heavy_tenants     how many tenants are heavy (0 for none)
--   heavy_factor      a heavy tenant has this many syncs a day and this many
--                     times the items
--
-- The tables have the columns of the host application (see
-- test/data/demo_schema.sql) without foreign keys, which would only slow the
-- bulk load. The script drops and recreates them. Every pseudo-random choice
-- is a hash of fixed keys, so a given set of parameters always produces the
-- same rows and ids. Only timestamps move, because they are relative to now().
--
-- What the data holds, per tenant:
--   * one scheduled inventory_sync a day; about 5% of them fail before
--     reading anything and store no coverage (unparseable), about 18% end
--     partially_succeeded with one to three types failed or skipped, with a
--     Microsoft Graph error code;
--   * payloads of all 23 default catalog types with item counts, in the
--     object form for 95% of tenants and the array form for the rest;
--   * 1% of tenants have a double-encoded (unparseable) newest sync, 3% stopped
--     syncing five days ago, 0.5% never synced, 5% have a sync still running;
--   * a backup a day, a compare every third day, a policy export a week and
--     a restore every twentieth day for 30% of tenants;
--   * items for the 23 catalog types, weighted like a real tenant, plus a few
--     items of a type outside the catalog for 10% of tenants.

\set ON_ERROR_STOP on

SET client_min_messages = warning;

DROP TABLE IF EXISTS public.inventory_items;
DROP TABLE IF EXISTS public.operation_runs;
DROP TABLE IF EXISTS public.tenants;

CREATE TABLE public.tenants (
  id bigint PRIMARY KEY,
  workspace_id bigint NOT NULL,
  name varchar(255) NOT NULL,
  primary_domain varchar(255) NOT NULL,
  entra_tenant_id uuid NOT NULL,
  status varchar(255) NOT NULL DEFAULT 'active',
  created_at timestamp(0) with time zone NULL,
  updated_at timestamp(0) with time zone NULL
);

CREATE TABLE public.operation_runs (
  id bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL,
  tenant_id bigint NOT NULL,
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

CREATE TABLE public.inventory_items (
  id bigserial PRIMARY KEY,
  workspace_id bigint NOT NULL,
  tenant_id bigint NOT NULL,
  policy_type varchar(255) NOT NULL,
  external_id varchar(255) NOT NULL,
  display_name varchar(255) NOT NULL,
  category varchar(255) NULL,
  platform varchar(255) NULL,
  meta_jsonb jsonb NOT NULL DEFAULT '{}',
  last_seen_at timestamptz NULL,
  last_seen_operation_run_id bigint NULL,
  created_at timestamp(0) with time zone NULL,
  updated_at timestamp(0) with time zone NULL
);

-- A uniform value in [0, 1) from a key and a salt.
CREATE FUNCTION pg_temp.unit(key bigint, salt bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (pg_catalog.hashint8extended(key, salt) & 9007199254740991)::double precision
             / 9007199254740992.0 $$;

------------------------------------------------------------------------------
-- Catalog types with a realistic share of a tenant's items
------------------------------------------------------------------------------

CREATE TEMP TABLE bench_type (
  n integer PRIMARY KEY,
  type text NOT NULL,
  segment text NOT NULL,
  category text NOT NULL,
  platform text NOT NULL,
  weight integer NOT NULL,
  odata_type text NOT NULL
);

INSERT INTO bench_type VALUES
  (1, 'deviceConfiguration', 'policy', 'Configuration', 'windows', 79, '#microsoft.graph.windows10GeneralConfiguration'),
  (2, 'settingsCatalogPolicy', 'policy', 'Configuration', 'windows', 73, '#microsoft.graph.deviceManagementConfigurationPolicy'),
  (3, 'groupPolicyConfiguration', 'policy', 'Configuration', 'windows', 42, '#microsoft.graph.groupPolicyConfiguration'),
  (4, 'deviceCompliancePolicy', 'policy', 'Compliance', 'windows', 15, '#microsoft.graph.windows10CompliancePolicy'),
  (5, 'windowsAutopilotDeploymentProfile', 'policy', 'Enrollment', 'windows', 2, '#microsoft.graph.azureADWindowsAutopilotDeploymentProfile'),
  (6, 'windowsEnrollmentStatusPage', 'policy', 'Enrollment', 'windows', 2, '#microsoft.graph.windows10EnrollmentCompletionPageConfiguration'),
  (7, 'enrollmentRestriction', 'policy', 'Enrollment', 'all', 6, '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration'),
  (8, 'appProtectionPolicy', 'policy', 'Apps', 'mobile', 17, '#microsoft.graph.iosManagedAppProtection'),
  (9, 'appConfigurationPolicy', 'policy', 'Apps', 'mobile', 14, '#microsoft.graph.iosMobileAppConfiguration'),
  (10, 'mobileApp', 'policy', 'Apps', 'all', 176, '#microsoft.graph.win32LobApp'),
  (11, 'endpointSecurityPolicy', 'policy', 'Endpoint Security', 'windows', 25, '#microsoft.graph.deviceManagementIntent'),
  (12, 'windowsUpdateRing', 'policy', 'Update Management', 'windows', 8, '#microsoft.graph.windowsUpdateForBusinessConfiguration'),
  (13, 'windowsFeatureUpdateProfile', 'policy', 'Update Management', 'windows', 4, '#microsoft.graph.windowsFeatureUpdateProfile'),
  (14, 'windowsQualityUpdateProfile', 'policy', 'Update Management', 'windows', 1, '#microsoft.graph.windowsQualityUpdateProfile'),
  (15, 'windowsDriverUpdateProfile', 'policy', 'Update Management', 'windows', 2, '#microsoft.graph.windowsDriverUpdateProfile'),
  (16, 'deviceManagementScript', 'policy', 'Scripts', 'windows', 20, '#microsoft.graph.deviceManagementScript'),
  (17, 'deviceShellScript', 'policy', 'Scripts', 'macOS', 5, '#microsoft.graph.deviceShellScript'),
  (18, 'deviceHealthScript', 'policy', 'Scripts', 'windows', 12, '#microsoft.graph.deviceHealthScript'),
  (19, 'conditionalAccessPolicy', 'policy', 'Conditional Access', 'all', 26, '#microsoft.graph.conditionalAccessPolicy'),
  (20, 'termsAndConditions', 'policy', 'Tenant Administration', 'all', 1, '#microsoft.graph.termsAndConditions'),
  (21, 'assignmentFilter', 'foundation', 'Foundation', 'all', 8, '#microsoft.graph.deviceAndAppManagementAssignmentFilter'),
  (22, 'roleScopeTag', 'foundation', 'Foundation', 'all', 8, '#microsoft.graph.roleScopeTag'),
  (23, 'notificationMessageTemplate', 'foundation', 'Foundation', 'all', 4, '#microsoft.graph.notificationMessageTemplate');

-- Error codes a failed or skipped type reports.
CREATE TEMP TABLE bench_error (
  n integer PRIMARY KEY,
  status text NOT NULL,
  code text NOT NULL
);
INSERT INTO bench_error VALUES
  (0, 'failed', 'Authorization_RequestDenied'),
  (1, 'failed', 'ServiceUnavailable'),
  (2, 'skipped', 'TooManyRequests'),
  (3, 'skipped', 'not_licensed'),
  (4, 'failed', 'BadGateway'),
  (5, 'failed', 'GatewayTimeout');

------------------------------------------------------------------------------
-- Tenants
------------------------------------------------------------------------------

-- size scales the tenant's items (mean 1). A heavy tenant gets heavy_factor
-- syncs a day and heavy_factor times the mean items.
CREATE TEMP TABLE bench_tenant AS
SELECT id,
       (id - 1) / 5 + 1 AS workspace_id,
       CASE WHEN heavy THEN :heavy_factor ELSE 1 END AS syncs_per_day,
       CASE WHEN heavy THEN :heavy_factor ELSE 0.25 + 1.5 * pg_temp.unit(id, 1) END AS size,
       pg_temp.unit(id, 2) < 0.05 AS array_form,
       pg_temp.unit(id, 3) < 0.01 AS newest_double_encoded,
       pg_temp.unit(id, 4) < 0.03 AS stale,
       pg_temp.unit(id, 5) < 0.005 AS never_synced,
       pg_temp.unit(id, 6) < 0.05 AS sync_running,
       pg_temp.unit(id, 7) < 0.30 AS restores,
       pg_temp.unit(id, 8) < 0.10 AS legacy_items,
       heavy
FROM (
  SELECT id::bigint AS id,
         :heavy_tenants > 0
           AND id % GREATEST(:tenants / GREATEST(:heavy_tenants, 1), 1) = 0
           AND id / GREATEST(:tenants / GREATEST(:heavy_tenants, 1), 1) <= :heavy_tenants AS heavy
  FROM pg_catalog.generate_series(1, :tenants) AS id
) AS t;
ALTER TABLE bench_tenant ADD PRIMARY KEY (id);

INSERT INTO public.tenants (id, workspace_id, name, primary_domain, entra_tenant_id, created_at, updated_at)
SELECT id, workspace_id, 'Tenant ' || id, 'tenant' || id || '.onmicrosoft.com',
       pg_catalog.md5('tenant' || id)::uuid,
       now() - interval '400 days', now() - interval '1 day'
FROM bench_tenant;

-- Item count per tenant and catalog type. Every tenant has at least one item
-- of each of the larger types.
CREATE TEMP TABLE bench_tenant_type AS
SELECT t.id AS tenant_id, ty.n, ty.type, ty.segment,
       GREATEST(CASE WHEN ty.weight >= 8 THEN 1 ELSE 0 END,
                round(ty.weight::numeric / 550 * :items_per_tenant * t.size
                      * (0.5 + pg_temp.unit(t.id * 100 + ty.n, 9))))::integer AS items
FROM bench_tenant AS t CROSS JOIN bench_type AS ty;
ALTER TABLE bench_tenant_type ADD PRIMARY KEY (tenant_id, n);

-- Payload entry text of each tenant and type, healthy and with each error,
-- in the tenant's payload form.
CREATE TEMP TABLE bench_entry AS
SELECT tt.tenant_id, tt.n, tt.segment,
       CASE WHEN t.array_form
         THEN pg_catalog.format('{"type": "%s", "status": "succeeded", "item_count": %s, "error_code": null, "duration_ms": %s, "pages": %s}',
                                tt.type, tt.items, 200 + tt.items * 7, tt.items / 100 + 1)
         ELSE pg_catalog.format('"%s": {"status": "succeeded", "item_count": %s, "error_code": null, "duration_ms": %s, "pages": %s}',
                                tt.type, tt.items, 200 + tt.items * 7, tt.items / 100 + 1)
       END AS healthy,
       CASE WHEN t.array_form
         THEN pg_catalog.format('{"type": "%s", "status": "%%s", "item_count": 0, "error_code": "%%s", "duration_ms": %s, "pages": 0}',
                                tt.type, 150 + tt.n * 11)
         ELSE pg_catalog.format('"%s": {"status": "%%s", "item_count": 0, "error_code": "%%s", "duration_ms": %s, "pages": 0}',
                                tt.type, 150 + tt.n * 11)
       END AS broken
FROM bench_tenant_type AS tt JOIN bench_tenant AS t ON t.id = tt.tenant_id;
ALTER TABLE bench_entry ADD PRIMARY KEY (tenant_id, n);

-- The coverage object of a tenant's fully successful sync, as JSON text.
CREATE TEMP TABLE bench_coverage AS
SELECT e.tenant_id,
       CASE WHEN t.array_form
         THEN '{"policy_types": [' || string_agg(e.healthy, ', ' ORDER BY e.n) FILTER (WHERE e.segment = 'policy')
              || '], "foundation_types": [' || string_agg(e.healthy, ', ' ORDER BY e.n) FILTER (WHERE e.segment = 'foundation')
              || ']}'
         ELSE '{"policy_types": {' || string_agg(e.healthy, ', ' ORDER BY e.n) FILTER (WHERE e.segment = 'policy')
              || '}, "foundation_types": {' || string_agg(e.healthy, ', ' ORDER BY e.n) FILTER (WHERE e.segment = 'foundation')
              || '}}'
       END AS coverage
FROM bench_entry AS e JOIN bench_tenant AS t ON t.id = e.tenant_id
GROUP BY e.tenant_id, t.array_form;
ALTER TABLE bench_coverage ADD PRIMARY KEY (tenant_id);

------------------------------------------------------------------------------
-- Inventory syncs
------------------------------------------------------------------------------

-- One row per scheduled sync: day 0 is the newest. slot numbers the syncs
-- of one day (heavy tenants have several). roll decides the run's fate.
CREATE TEMP TABLE bench_sync AS
SELECT t.id AS tenant_id, t.workspace_id, d.day, s.slot,
       pg_temp.unit((t.id * 100000 + d.day) * 1000 + s.slot, 10) AS roll,
       now() - d.day * interval '1 day'
         - (s.slot * 86400.0 / t.syncs_per_day) * interval '1 second'
         - (2 + 20 * pg_temp.unit(t.id, 11)) * interval '1 hour' AS started_at,
       t.newest_double_encoded AND d.day = CASE WHEN t.stale THEN 5 ELSE 0 END AND s.slot = 0 AS double_encoded
FROM bench_tenant AS t
CROSS JOIN pg_catalog.generate_series(0, :days - 1) AS d(day)
CROSS JOIN LATERAL pg_catalog.generate_series(0, t.syncs_per_day - 1) AS s(slot)
WHERE NOT t.never_synced
  AND NOT (t.stale AND d.day < 5);

-- Insert in time order, oldest first, like the application writes them.
INSERT INTO public.operation_runs
  (workspace_id, tenant_id, user_id, type, status, outcome, summary_counts,
   failure_summary, context, started_at, completed_at, created_at, updated_at)
SELECT s.workspace_id, s.tenant_id, NULL, 'inventory_sync', 'completed',
       CASE WHEN s.double_encoded THEN 'succeeded'
            WHEN s.roll < 0.05 THEN 'failed'
            WHEN s.roll < 0.23 THEN 'partially_succeeded'
            ELSE 'succeeded' END,
       CASE WHEN s.roll < 0.05 AND NOT s.double_encoded
         THEN '{"total": 0, "succeeded": 0, "failed": 0}'::jsonb
         ELSE pg_catalog.jsonb_build_object('total', 23, 'succeeded', CASE WHEN s.roll < 0.23 THEN 22 ELSE 23 END,
                                            'failed', CASE WHEN s.roll < 0.23 THEN 1 ELSE 0 END)
       END,
       CASE WHEN s.roll < 0.05 AND NOT s.double_encoded
         THEN '[{"code": "AADSTS7000215", "message": "Invalid client secret provided."}]'::jsonb
         ELSE '[]'::jsonb
       END,
       CASE
         WHEN s.double_encoded THEN
           ('{"trigger": "schedule", "inventory": {"coverage": ' || pg_catalog.to_jsonb(c.coverage)::text
            || ', "connector_version": "3.2.1"}}')::jsonb
         WHEN s.roll < 0.05 THEN
           '{"trigger": "schedule", "inventory": {"selection": {"policy_types": "all", "foundation_types": "all"}, "connector_version": "3.2.1"}, "error": {"stage": "token_acquisition", "code": "AADSTS7000215"}}'::jsonb
         ELSE
           ('{"trigger": "schedule", "attempt": 1, "inventory": {"coverage": '
            || CASE WHEN s.roll < 0.23
                 THEN pg_catalog.replace(
                        pg_catalog.replace(c.coverage, e1.healthy,
                                           pg_catalog.format(e1.broken, x1.status, x1.code)),
                        e2.healthy,
                        CASE WHEN s.roll < 0.12 THEN e2.healthy
                             ELSE pg_catalog.format(e2.broken, x2.status, x2.code) END)
                 ELSE c.coverage END
            || ', "selection": {"policy_types": "all", "foundation_types": "all"}, "connector_version": "3.2.1"}}')::jsonb
       END,
       s.started_at,
       s.started_at + (60 + 600 * s.roll) * interval '1 second',
       date_trunc('second', s.started_at),
       date_trunc('second', s.started_at + (60 + 600 * s.roll) * interval '1 second')
FROM bench_sync AS s
JOIN bench_coverage AS c ON c.tenant_id = s.tenant_id
JOIN bench_entry AS e1 ON e1.tenant_id = s.tenant_id AND e1.n = 1 + (s.roll * 1000000)::bigint % 23
JOIN bench_entry AS e2 ON e2.tenant_id = s.tenant_id AND e2.n = 1 + (s.roll * 7000000)::bigint % 23
JOIN bench_error AS x1 ON x1.n = (s.roll * 3000000)::bigint % 6
JOIN bench_error AS x2 ON x2.n = (s.roll * 5000000)::bigint % 6
ORDER BY s.started_at;

-- A sync still running, newer than every completed one: not a candidate.
INSERT INTO public.operation_runs
  (workspace_id, tenant_id, type, status, context, started_at, created_at, updated_at)
SELECT t.workspace_id, t.id, 'inventory_sync', 'running',
       '{"trigger": "manual", "inventory": {"selection": {"policy_types": "all", "foundation_types": "all"}}}'::jsonb,
       now() - interval '10 minutes', date_trunc('second', now() - interval '10 minutes'),
       date_trunc('second', now() - interval '10 minutes')
FROM bench_tenant AS t
WHERE t.sync_running AND NOT t.never_synced;

------------------------------------------------------------------------------
-- Other operation types
------------------------------------------------------------------------------

INSERT INTO public.operation_runs
  (workspace_id, tenant_id, user_id, type, status, outcome, context,
   started_at, completed_at, created_at, updated_at)
SELECT o.workspace_id, o.tenant_id, o.user_id, o.type, 'completed',
       CASE WHEN o.roll < 0.03 THEN 'failed'
            WHEN o.roll < 0.08 THEN 'partially_succeeded'
            ELSE 'succeeded' END,
       o.context, o.started_at, o.started_at + interval '4 minutes',
       date_trunc('second', o.started_at),
       date_trunc('second', o.started_at + interval '4 minutes')
FROM (
  SELECT t.workspace_id, t.id AS tenant_id, k.type,
         CASE WHEN k.type IN ('restore', 'compare') THEN t.workspace_id * 10 + 1 END AS user_id,
         pg_temp.unit(t.id * 100000 + d.day, 20 + k.n) AS roll,
         now() - d.day * interval '1 day' - (k.n * 3 + 1) * interval '1 hour' AS started_at,
         CASE k.type
           WHEN 'backup' THEN pg_catalog.jsonb_build_object('backup', pg_catalog.jsonb_build_object(
                  'storage', 'azure_blob', 'snapshot_id', pg_catalog.md5(t.id || '/' || d.day)::uuid))
           WHEN 'compare' THEN pg_catalog.jsonb_build_object('compare', pg_catalog.jsonb_build_object(
                  'baseline', 'golden', 'drifted_items', d.day % 7))
           WHEN 'policy_export' THEN '{"export": {"format": "json", "destination": "git"}}'::jsonb
           ELSE pg_catalog.jsonb_build_object('restore', pg_catalog.jsonb_build_object(
                  'mode', 'selective', 'items', 3 + d.day % 5))
         END AS context
  FROM bench_tenant AS t
  CROSS JOIN pg_catalog.generate_series(0, :days - 1) AS d(day)
  CROSS JOIN (VALUES (1, 'backup', 1), (2, 'compare', 3), (3, 'policy_export', 7), (4, 'restore', 20))
    AS k(n, type, every_days)
  WHERE d.day % k.every_days = 0
    AND (k.type <> 'restore' OR t.restores)
) AS o
ORDER BY o.started_at;

------------------------------------------------------------------------------
-- Inventory items
------------------------------------------------------------------------------

INSERT INTO public.inventory_items
  (workspace_id, tenant_id, policy_type, external_id, display_name, category,
   platform, meta_jsonb, last_seen_at, last_seen_operation_run_id, created_at,
   updated_at)
SELECT t.workspace_id, t.id, ty.type,
       pg_catalog.md5(t.id || '/' || ty.n || '/' || g.k)::uuid::text,
       ty.category || ' - ' || ty.type || ' ' || g.k,
       ty.category, ty.platform,
       pg_catalog.jsonb_build_object('@odata.type', ty.odata_type, 'version', 1 + g.k % 5,
                                     'is_assigned', g.k % 3 <> 0, 'role_scope_tag_ids', '["0"]'::jsonb),
       now() - interval '3 hours', NULL,
       now() - (g.k % 300) * interval '1 day', now() - interval '3 hours'
FROM bench_tenant_type AS tt
JOIN bench_tenant AS t ON t.id = tt.tenant_id
JOIN bench_type AS ty ON ty.n = tt.n
CROSS JOIN LATERAL pg_catalog.generate_series(1, tt.items) AS g(k)
ORDER BY t.id, ty.n, g.k;

-- Items of a type the catalog does not list, which no coverage count includes.
INSERT INTO public.inventory_items
  (workspace_id, tenant_id, policy_type, external_id, display_name, meta_jsonb,
   last_seen_at, created_at, updated_at)
SELECT t.workspace_id, t.id, 'windowsInformationProtectionPolicy',
       pg_catalog.md5(t.id || '/wip/' || g.k)::uuid::text, 'WIP policy ' || g.k, '{}',
       now() - interval '200 days', now() - interval '400 days', now() - interval '200 days'
FROM bench_tenant AS t
CROSS JOIN pg_catalog.generate_series(1, 3) AS g(k)
WHERE t.legacy_items;

------------------------------------------------------------------------------
-- Indexes: the application's own and the two that coverage_truth recommends
------------------------------------------------------------------------------

SET maintenance_work_mem = '512MB';

CREATE INDEX operation_runs_tenant_id_type_created_at_index
  ON public.operation_runs (tenant_id, type, created_at);
CREATE INDEX operation_runs_inventory_sync_basis_index
  ON public.operation_runs (tenant_id, completed_at DESC NULLS LAST, id DESC)
  WHERE type = 'inventory_sync' AND status = 'completed';
ALTER TABLE public.inventory_items
  ADD CONSTRAINT inventory_items_tenant_id_policy_type_external_id_unique
  UNIQUE (tenant_id, policy_type, external_id);
CREATE INDEX inventory_items_tenant_id_policy_type_index
  ON public.inventory_items (tenant_id, policy_type);

-- The tenants to measure, in a fixed shuffled order.
DROP TABLE IF EXISTS public.bench_tenants;
CREATE TABLE public.bench_tenants AS
SELECT t.id AS tenant_id, t.heavy, t.never_synced, t.stale, t.array_form,
       t.newest_double_encoded,
       row_number() OVER (ORDER BY pg_temp.unit(t.id, 99), t.id) AS position
FROM bench_tenant AS t;

-- Freeze the rows and set the visibility map, so no later read sets hint
-- bits and item counts are index-only scans, and gather statistics. This
-- needs the inserts' commit records flushed: a page whose rows' commits are
-- not yet flushed (synchronous_commit = off) cannot be marked all-visible.
VACUUM (FREEZE, ANALYZE) public.operation_runs, public.inventory_items, public.tenants, public.bench_tenants;
CHECKPOINT;
