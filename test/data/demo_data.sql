-- Demo data generator: a fleet of ten Intune tenants with 30 to 90 days of
-- operation runs and the inventory items their syncs left behind.
--
-- Load after test/data/demo_schema.sql. The output is deterministic except
-- for timestamps: every pseudo-random choice comes from an md5 hash of fixed
-- keys, not from random(), so the same rows come out in any plan order.
-- Timestamps are relative to now() at load time, which is one value for the
-- whole transaction, so ages and the freshness columns look real on any day.
-- Reloading truncates the tables first, so ids are the same on every load.
--
-- The tenants and the story each one tells (tenant id: name):
--  1 Contoso Ltd            healthy: the newest sync succeeded for every type.
--  2 Fabrikam Inc           the app registration lost Policy.Read.All three days
--                           ago, so the last three syncs failed
--                           conditionalAccessPolicy with Authorization_RequestDenied.
--  3 Northwind Traders      the newest completed sync stored its coverage as a
--                           JSON string (double-encoded), so the basis falls
--                           back to the run before it.
--  4 Tailspin Toys          never synced: only other run types (backup,
--                           policy_export, compare, restore) and one
--                           inventory_import run that loaded items from a CSV.
--  5 Woodgrove Bank         a manual sync is still running, so the basis stays
--                           the last completed sync.
--  6 Adventure Works Cycles a connector release candidate dropped
--                           foundation_types from the last two payloads, so
--                           the foundation types are unknown despite items.
--  7 Litware Inc            Microsoft Graph throttled the newest sync, so four
--                           types were skipped with TooManyRequests. A retry
--                           is queued.
--  8 Proseware Inc          the sync selection was narrowed two weeks ago: four
--                           types are no longer reported, but items from older
--                           runs remain, so those types are unknown.
--  9 Wide World Importers   stale on purpose: the scheduler was paused five
--                           days ago, so the last (healthy) basis is old.
-- 10 Alpine Ski House       pinned to the older connector that writes the array
--                           form. Two types are skipped with not_licensed.
--
-- Older history has occasional noise: single types failed with
-- ServiceUnavailable or skipped with TooManyRequests, and whole runs that
-- failed at token acquisition and stored no coverage. Runs from 60 or more
-- days ago use the array form, as the connector did before version 3.

BEGIN;

TRUNCATE public.inventory_items, public.operation_runs, public.tenants RESTART IDENTITY;

-- Maps any key to a uniform value in [0, 1) through the first 32 bits of
-- its md5 hash.
CREATE FUNCTION pg_temp.demo_unit(key text)
RETURNS double precision
LANGUAGE sql IMMUTABLE
AS $$ SELECT ('x' || substr(md5(key), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

-- Formats the md5 hash of a key as a UUID, for Graph object ids.
CREATE FUNCTION pg_temp.demo_uuid(key text)
RETURNS uuid
LANGUAGE sql IMMUTABLE
AS $$ SELECT md5(key)::uuid $$;

------------------------------------------------------------------------------
-- Fleet and type catalog
------------------------------------------------------------------------------

-- sync_hours_ago is how long before now() the newest scheduled sync started,
-- and NULL means the tenant was never synced. size scales every item count.
CREATE TEMP TABLE demo_tenant (
  id bigint PRIMARY KEY,
  workspace_id bigint NOT NULL,
  name text NOT NULL,
  primary_domain text NOT NULL,
  history_days integer NOT NULL,
  size numeric NOT NULL,
  sync_hours_ago numeric,
  payload_form text NOT NULL
) ON COMMIT DROP;

INSERT INTO demo_tenant VALUES
  (1, 1, 'Contoso Ltd', 'contoso.onmicrosoft.com', 90, 1.6, 3, 'object'),
  (2, 1, 'Fabrikam Inc', 'fabrikam.onmicrosoft.com', 75, 1.2, 5, 'object'),
  (3, 1, 'Northwind Traders', 'northwindtraders.onmicrosoft.com', 60, 0.9, 2, 'object'),
  (4, 2, 'Tailspin Toys', 'tailspintoys.onmicrosoft.com', 30, 0.7, NULL, 'object'),
  (5, 2, 'Woodgrove Bank', 'woodgrovebank.onmicrosoft.com', 90, 2.0, 20, 'object'),
  (6, 2, 'Adventure Works Cycles', 'adventureworks.onmicrosoft.com', 45, 1.0, 4, 'object'),
  (7, 3, 'Litware Inc', 'litwareinc.onmicrosoft.com', 60, 1.1, 6, 'object'),
  (8, 3, 'Proseware Inc', 'proseware.onmicrosoft.com', 90, 1.3, 7, 'object'),
  (9, 3, 'Wide World Importers', 'wideworldimporters.onmicrosoft.com', 40, 0.8, 124, 'object'),
  (10, 4, 'Alpine Ski House', 'alpineskihouse.onmicrosoft.com', 30, 0.6, 9, 'array');

-- The default coverage_truth catalog. base_count is a typical item count for
-- a mid-sized tenant (size 1.0), and name_stems feed the display names.
CREATE TEMP TABLE demo_type (
  type text PRIMARY KEY,
  segment text NOT NULL,
  sort_order integer NOT NULL,
  category text NOT NULL,
  platform text NOT NULL,
  base_count integer NOT NULL,
  odata_type text NOT NULL,
  name_stems text[] NOT NULL
) ON COMMIT DROP;

INSERT INTO demo_type VALUES
  ('deviceConfiguration', 'policy', 10, 'Configuration', 'all', 85,
   '#microsoft.graph.windows10GeneralConfiguration',
   '{"Device Restrictions","BitLocker","Wi-Fi Corporate","VPN Always On","SCEP Certificate","Kiosk Mode","Email Profile","Defender SmartScreen"}'),
  ('settingsCatalogPolicy', 'policy', 20, 'Configuration', 'all', 120,
   '#microsoft.graph.deviceManagementConfigurationPolicy',
   '{"Edge Baseline","OneDrive Known Folder Move","Windows Hello for Business","Office Updates","LAPS","Power Settings","Firewall Rules","Start Menu Layout"}'),
  ('groupPolicyConfiguration', 'policy', 30, 'Configuration', 'windows', 35,
   '#microsoft.graph.groupPolicyConfiguration',
   '{"ADMX Office Security","ADMX Chrome","ADMX Remote Desktop","ADMX Credential Guard","ADMX Printers"}'),
  ('deviceCompliancePolicy', 'policy', 40, 'Compliance', 'all', 18,
   '#microsoft.graph.windows10CompliancePolicy',
   '{"Minimum OS Version","Encryption Required","Defender Healthy","Jailbreak Detection","Password Required"}'),
  ('windowsAutopilotDeploymentProfile', 'policy', 50, 'Enrollment', 'windows', 4,
   '#microsoft.graph.azureADWindowsAutopilotDeploymentProfile',
   '{"Autopilot User Driven","Autopilot Self Deploying","Autopilot Pre-provisioned"}'),
  ('windowsEnrollmentStatusPage', 'policy', 60, 'Enrollment', 'windows', 3,
   '#microsoft.graph.windows10EnrollmentCompletionPageConfiguration',
   '{"ESP Default","ESP Kiosk","ESP Shared Devices"}'),
  ('enrollmentRestriction', 'policy', 70, 'Enrollment', 'all', 6,
   '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration',
   '{"Block Personal Android","Device Limit 5","Block Personal iOS","Windows Corporate Only"}'),
  ('appProtectionPolicy', 'policy', 80, 'Apps', 'mobile', 14,
   '#microsoft.graph.iosManagedAppProtection',
   '{"MAM Office Apps","MAM Outlook","MAM Teams","MAM Edge"}'),
  ('appConfigurationPolicy', 'policy', 90, 'Apps', 'mobile', 12,
   '#microsoft.graph.iosMobileAppConfiguration',
   '{"Outlook Account Setup","Edge Managed Bookmarks","Teams Shared Device","OneDrive Tenant Restriction"}'),
  ('mobileApp', 'policy', 100, 'Apps', 'all', 260,
   '#microsoft.graph.win32LobApp',
   '{"Microsoft Teams","Company Portal","Google Chrome","Adobe Acrobat Reader","7-Zip","Zoom Workplace","Notepad++","Cisco Secure Client","Microsoft 365 Apps","Slack","Visual Studio Code","Power BI Desktop"}'),
  ('endpointSecurityPolicy', 'policy', 110, 'Endpoint Security', 'windows', 28,
   '#microsoft.graph.deviceManagementIntent',
   '{"Antivirus","Attack Surface Reduction","Disk Encryption","Firewall","Account Protection","EDR Onboarding"}'),
  ('windowsUpdateRing', 'policy', 120, 'Update Management', 'windows', 6,
   '#microsoft.graph.windowsUpdateForBusinessConfiguration',
   '{"Ring 0 Pilot","Ring 1 Early","Ring 2 Broad","Ring 3 Critical"}'),
  ('windowsFeatureUpdateProfile', 'policy', 130, 'Update Management', 'windows', 3,
   '#microsoft.graph.windowsFeatureUpdateProfile',
   '{"Windows 11 23H2","Windows 11 24H2","Windows 10 22H2 Hold"}'),
  ('windowsQualityUpdateProfile', 'policy', 140, 'Update Management', 'windows', 2,
   '#microsoft.graph.windowsQualityUpdateProfile',
   '{"Expedite Security Update","Expedite Out-of-Band Fix"}'),
  ('windowsDriverUpdateProfile', 'policy', 150, 'Update Management', 'windows', 2,
   '#microsoft.graph.windowsDriverUpdateProfile',
   '{"Drivers Manual Approval","Drivers Automatic"}'),
  ('deviceManagementScript', 'policy', 160, 'Scripts', 'windows', 30,
   '#microsoft.graph.deviceManagementScript',
   '{"Set Time Zone","Map Network Drives","Remove Bloatware","Configure Proxy","Install Fonts"}'),
  ('deviceShellScript', 'policy', 170, 'Scripts', 'macOS', 8,
   '#microsoft.graph.deviceShellScript',
   '{"Install Rosetta","Set Computer Name","Enable FileVault Escrow","Dock Layout"}'),
  ('deviceHealthScript', 'policy', 180, 'Scripts', 'windows', 12,
   '#microsoft.graph.deviceHealthScript',
   '{"Clear Teams Cache","Restart Stale Devices","Repair Windows Update","Free Disk Space"}'),
  ('conditionalAccessPolicy', 'policy', 190, 'Conditional Access', 'all', 24,
   '#microsoft.graph.conditionalAccessPolicy',
   '{"Require MFA for Admins","Block Legacy Authentication","Require Compliant Device","Block Risky Sign-ins","Require MFA for Guests","Session Timeout Unmanaged"}'),
  ('termsAndConditions', 'policy', 200, 'Tenant Administration', 'all', 1,
   '#microsoft.graph.termsAndConditions',
   '{"Acceptable Use Policy","BYOD Terms"}'),
  ('assignmentFilter', 'foundation', 10, 'Foundation', 'all', 16,
   '#microsoft.graph.deviceAndAppManagementAssignmentFilter',
   '{"Corporate Windows","Personal iOS","Surface Devices","Windows 11 Only","Kiosk Devices"}'),
  ('roleScopeTag', 'foundation', 20, 'Foundation', 'all', 7,
   '#microsoft.graph.roleScopeTag',
   '{"EMEA","Americas","APAC","Helpdesk","Finance"}'),
  ('notificationMessageTemplate', 'foundation', 30, 'Foundation', 'all', 4,
   '#microsoft.graph.notificationMessageTemplate',
   '{"Noncompliance Notice","Final Warning","OS Update Required"}');

-- Messages that the application stores in failure_summary beside each code.
CREATE TEMP TABLE demo_error (
  code text PRIMARY KEY,
  message text NOT NULL
) ON COMMIT DROP;

INSERT INTO demo_error VALUES
  ('Authorization_RequestDenied', 'Insufficient privileges to complete the operation. The application lacks the Policy.Read.All permission.'),
  ('permission_missing', 'Required permission DeviceManagementScripts.Read.All has no admin consent; type skipped.'),
  ('TooManyRequests', 'Microsoft Graph throttled the request (HTTP 429); retry after 120 seconds.'),
  ('ServiceUnavailable', 'Microsoft Graph returned HTTP 503 Service Unavailable after 3 retries.'),
  ('not_licensed', 'The tenant has no license that includes this feature (Windows Enterprise E3 or E5 required).');

------------------------------------------------------------------------------
-- Planned inventory syncs, one per tenant and day
------------------------------------------------------------------------------

-- day_index 0 is the newest sync. A sync starts at the same hour every day
-- with up to 15 minutes of queue jitter and runs for about 5 to 19 minutes,
-- longer in bigger tenants.
CREATE TEMP TABLE demo_sync ON COMMIT DROP AS
SELECT t.id AS tenant_id,
       d.day_index,
       s.started_at,
       s.started_at + make_interval(secs => round(60 * (3 + 4 * t.size + 8 * pg_temp.demo_unit(concat_ws('|', 'duration', t.id, d.day_index))))) AS completed_at,
       CASE WHEN t.payload_form = 'array' OR d.day_index >= 60 THEN 'array' ELSE 'object' END AS payload_form,
       CASE WHEN t.payload_form = 'array' OR d.day_index >= 60 THEN '2.9.4' ELSE '3.2.1' END AS connector_version,
       -- Token acquisition failed and the run stored no coverage at all.
       d.day_index >= 2 AND pg_temp.demo_unit(concat_ws('|', 'token', t.id, d.day_index)) < 0.03 AS token_failure,
       false AS omits_foundation_types,
       NULL::text[] AS excluded_types,
       CASE WHEN pg_temp.demo_unit(concat_ws('|', 'manual', t.id, d.day_index)) < 0.1 THEN 'manual' ELSE 'schedule' END AS trigger
FROM demo_tenant AS t
CROSS JOIN LATERAL generate_series(0, t.history_days - 1) AS d(day_index)
CROSS JOIN LATERAL (
  SELECT now() - make_interval(hours => t.sync_hours_ago::integer, days => d.day_index)
         + make_interval(secs => round(900 * pg_temp.demo_unit(concat_ws('|', 'jitter', t.id, d.day_index)))) AS started_at
) AS s
WHERE t.sync_hours_ago IS NOT NULL;

-- Adventure Works: connector 3.3.0-rc1, deployed two days ago, leaves out
-- foundation_types.
UPDATE demo_sync
SET omits_foundation_types = true, connector_version = '3.3.0-rc1'
WHERE tenant_id = 6 AND day_index <= 1;

-- Proseware: for the last 14 days the sync no longer reads macOS scripts,
-- driver updates, remediations and terms. Their items stay from before.
UPDATE demo_sync
SET excluded_types = ARRAY['windowsDriverUpdateProfile', 'deviceShellScript', 'deviceHealthScript', 'termsAndConditions']
WHERE tenant_id = 8 AND day_index <= 13;

------------------------------------------------------------------------------
-- Per-type results of each sync
------------------------------------------------------------------------------

-- Item counts differ per tenant and type and grow by up to 15 percent over
-- 90 days. About a third of the tenants manage no Macs.
CREATE TEMP TABLE demo_entry ON COMMIT DROP AS
SELECT s.tenant_id,
       s.day_index,
       ty.type,
       ty.segment,
       ty.sort_order,
       'succeeded'::text AS status,
       CASE
         WHEN ty.type = 'deviceShellScript' AND pg_temp.demo_unit(concat_ws('|', 'no-macs', t.id)) < 0.35 THEN 0
         ELSE round(ty.base_count * t.size
                    * (0.5 + pg_temp.demo_unit(concat_ws('|', 'mix', t.id, ty.type)))
                    * (1 - 0.15 * s.day_index / 90.0))::bigint
       END AS item_count,
       NULL::text AS error_code,
       NOT (ty.segment = 'foundation' AND s.omits_foundation_types)
         AND NOT (ty.type = ANY (coalesce(s.excluded_types, '{}'))) AS reported
FROM demo_sync AS s
JOIN demo_tenant AS t ON t.id = s.tenant_id
CROSS JOIN demo_type AS ty
WHERE NOT s.token_failure;

-- Noise in older history only, so that the two newest runs of each tenant
-- tell nothing but their story.
UPDATE demo_entry
SET status = 'failed', item_count = NULL, error_code = 'ServiceUnavailable'
WHERE day_index >= 2
  AND pg_temp.demo_unit(concat_ws('|', 'noise', tenant_id, day_index, type)) < 0.004;

UPDATE demo_entry
SET status = 'skipped', item_count = NULL, error_code = 'TooManyRequests'
WHERE day_index >= 2
  AND pg_temp.demo_unit(concat_ws('|', 'noise', tenant_id, day_index, type)) BETWEEN 0.004 AND 0.009;

-- Fabrikam: conditional access reads fail since the permission was removed.
UPDATE demo_entry
SET status = 'failed', item_count = NULL, error_code = 'Authorization_RequestDenied'
WHERE tenant_id = 2 AND day_index <= 2 AND type = 'conditionalAccessPolicy';

-- Fabrikam, weeks ago: scripts were skipped until an admin consented.
UPDATE demo_entry
SET status = 'skipped', item_count = NULL, error_code = 'permission_missing'
WHERE tenant_id = 2 AND day_index BETWEEN 20 AND 25 AND type = 'deviceManagementScript';

-- Litware: throttled on the newest sync (four types) and the one before (two).
UPDATE demo_entry
SET status = 'skipped', item_count = NULL, error_code = 'TooManyRequests'
WHERE tenant_id = 7
  AND ((day_index = 0 AND type IN ('settingsCatalogPolicy', 'groupPolicyConfiguration', 'mobileApp', 'deviceHealthScript'))
    OR (day_index = 1 AND type IN ('mobileApp', 'settingsCatalogPolicy')));

-- Alpine Ski House: no Windows Enterprise licenses, so remediations and
-- driver updates are skipped on every sync.
UPDATE demo_entry
SET status = 'skipped', item_count = NULL, error_code = 'not_licensed'
WHERE tenant_id = 10 AND type IN ('deviceHealthScript', 'windowsDriverUpdateProfile');

------------------------------------------------------------------------------
-- Other operations: backups, exports, compares, restores, one import
------------------------------------------------------------------------------

CREATE TEMP TABLE demo_other_run ON COMMIT DROP AS
SELECT t.id AS tenant_id,
       d.day_index,
       k.type,
       now() - make_interval(days => d.day_index, hours => k.hours_ago)
         + make_interval(secs => round(1800 * pg_temp.demo_unit(concat_ws('|', 'start', k.type, t.id, d.day_index)))) AS started_at,
       k.minutes,
       pg_temp.demo_unit(concat_ws('|', 'outcome', k.type, t.id, d.day_index)) AS outcome_draw
FROM demo_tenant AS t
CROSS JOIN LATERAL generate_series(0, t.history_days - 1) AS d(day_index)
CROSS JOIN (VALUES
  ('backup', 22, 9),
  ('policy_export', 13, 2),
  ('compare', 15, 4),
  ('restore', 11, 6)
) AS k(type, hours_ago, minutes)
WHERE d.day_index >= 1
  AND CASE k.type
        WHEN 'backup' THEN d.day_index % 7 = t.id % 7
        WHEN 'policy_export' THEN pg_temp.demo_unit(concat_ws('|', 'export', t.id, d.day_index)) < 0.08
        WHEN 'compare' THEN pg_temp.demo_unit(concat_ws('|', 'compare', t.id, d.day_index)) < 0.06
        ELSE pg_temp.demo_unit(concat_ws('|', 'restore', t.id, d.day_index)) < 0.02
      END;

------------------------------------------------------------------------------
-- operation_runs
------------------------------------------------------------------------------

-- Every run the fleet produced, with the key that later joins items to the
-- run that observed them. Ids are assigned in creation order, as bigserial
-- would assign them.
CREATE TEMP TABLE demo_run (
  id bigint,
  tenant_id bigint NOT NULL,
  kind text NOT NULL,
  day_index integer,
  user_id bigint,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  summary_counts jsonb NOT NULL,
  failure_summary jsonb NOT NULL,
  context jsonb,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz NOT NULL
) ON COMMIT DROP;

-- Completed inventory syncs. Coverage entries are listed in catalog order,
-- and the array form repeats the type inside each entry.
INSERT INTO demo_run (tenant_id, kind, day_index, user_id, type, status, outcome,
                      summary_counts, failure_summary, context, started_at, completed_at, created_at)
SELECT s.tenant_id,
       'sync',
       s.day_index,
       CASE WHEN s.trigger = 'manual' THEN 100 + s.tenant_id END,
       'inventory_sync',
       'completed',
       CASE
         WHEN s.token_failure THEN 'failed'
         WHEN e.succeeded = e.reported THEN 'succeeded'
         WHEN e.succeeded > 0 THEN 'partially_succeeded'
         ELSE 'failed'
       END,
       CASE
         WHEN s.token_failure THEN jsonb_build_object('types_total', 0, 'items', 0)
         ELSE jsonb_build_object('types_total', e.reported, 'succeeded', e.succeeded,
                                 'failed', e.failed, 'skipped', e.skipped, 'items', e.items)
       END,
       CASE
         WHEN s.token_failure THEN jsonb_build_array(jsonb_build_object(
           'type', NULL, 'code', 'temporarily_unavailable',
           'message', 'AADSTS90033: A transient error occurred while acquiring a token. Retry later.'))
         ELSE e.failures
       END,
       jsonb_build_object(
         'trigger', s.trigger,
         'inventory', CASE
           WHEN s.token_failure THEN jsonb_build_object(
             'connector_version', s.connector_version,
             'error', jsonb_build_object('code', 'temporarily_unavailable', 'stage', 'token'))
           ELSE jsonb_build_object(
             'connector_version', s.connector_version,
             'selection', CASE WHEN s.excluded_types IS NULL
                               THEN jsonb_build_object('policy_types', 'all', 'foundation_types', 'all')
                               ELSE jsonb_build_object('policy_types', e.policy_selection, 'foundation_types', 'all')
                          END,
             'coverage', CASE WHEN s.omits_foundation_types
                              THEN jsonb_build_object('policy_types', e.policy_types)
                              ELSE jsonb_build_object('policy_types', e.policy_types,
                                                      'foundation_types', e.foundation_types)
                         END)
         END),
       s.started_at,
       s.completed_at,
       s.started_at - make_interval(secs => 5 + round(40 * pg_temp.demo_unit(concat_ws('|', 'queue', s.tenant_id, s.day_index))))
FROM demo_sync AS s
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE x.reported) AS reported,
         count(*) FILTER (WHERE x.reported AND x.status = 'succeeded') AS succeeded,
         count(*) FILTER (WHERE x.reported AND x.status = 'failed') AS failed,
         count(*) FILTER (WHERE x.reported AND x.status = 'skipped') AS skipped,
         coalesce(sum(x.item_count) FILTER (WHERE x.reported), 0) AS items,
         coalesce(jsonb_agg(jsonb_build_object('type', x.type, 'code', x.error_code, 'message', er.message)
                            ORDER BY x.segment DESC, x.sort_order)
                    FILTER (WHERE x.reported AND x.status <> 'succeeded'), '[]') AS failures,
         jsonb_agg(x.type ORDER BY x.sort_order) FILTER (WHERE x.reported AND x.segment = 'policy') AS policy_selection,
         CASE WHEN s.payload_form = 'object'
              THEN coalesce(jsonb_object_agg(x.type, x.entry ORDER BY x.sort_order)
                              FILTER (WHERE x.reported AND x.segment = 'policy'), '{}')
              ELSE coalesce(jsonb_agg(jsonb_build_object('type', x.type) || x.entry ORDER BY x.sort_order)
                              FILTER (WHERE x.reported AND x.segment = 'policy'), '[]')
         END AS policy_types,
         CASE WHEN s.payload_form = 'object'
              THEN coalesce(jsonb_object_agg(x.type, x.entry ORDER BY x.sort_order)
                              FILTER (WHERE x.reported AND x.segment = 'foundation'), '{}')
              ELSE coalesce(jsonb_agg(jsonb_build_object('type', x.type) || x.entry ORDER BY x.sort_order)
                              FILTER (WHERE x.reported AND x.segment = 'foundation'), '[]')
         END AS foundation_types
  FROM (
    SELECT de.*,
           jsonb_build_object('status', de.status, 'item_count', de.item_count, 'error_code', de.error_code) AS entry
    FROM demo_entry AS de
    WHERE de.tenant_id = s.tenant_id AND de.day_index = s.day_index
  ) AS x
  LEFT JOIN demo_error AS er ON er.code = x.error_code
) AS e ON true;

-- Northwind: a serializer change stored the newest coverage as a string
-- that contains JSON. The run itself succeeded and wrote its items.
UPDATE demo_run
SET context = jsonb_set(context, '{inventory,coverage}', to_jsonb((context #> '{inventory,coverage}')::text))
WHERE tenant_id = 3 AND kind = 'sync' AND day_index = 0;

-- Woodgrove: an administrator started a manual sync 35 minutes ago. It has
-- written partial progress, including coverage for the types it finished,
-- but a running run is never a basis.
INSERT INTO demo_run (tenant_id, kind, user_id, type, status, outcome,
                      summary_counts, failure_summary, context, started_at, completed_at, created_at)
SELECT 5, 'running_sync', 105, 'inventory_sync', 'running', NULL,
       jsonb_build_object('types_total', 23, 'types_done', 6),
       '[]',
       jsonb_build_object(
         'trigger', 'manual',
         'inventory', jsonb_build_object(
           'connector_version', '3.2.1',
           'progress', jsonb_build_object('types_done', 6, 'types_total', 23),
           'coverage', jsonb_build_object('policy_types', (
             SELECT jsonb_object_agg(de.type, jsonb_build_object('status', 'succeeded', 'item_count', de.item_count, 'error_code', NULL)
                                     ORDER BY de.sort_order)
             FROM demo_entry AS de
             WHERE de.tenant_id = 5 AND de.day_index = 0 AND de.segment = 'policy' AND de.sort_order <= 60)))),
       now() - interval '35 minutes',
       NULL,
       now() - interval '36 minutes';

-- Litware: the application queued a retry of the throttled sync.
INSERT INTO demo_run (tenant_id, kind, user_id, type, status, outcome,
                      summary_counts, failure_summary, context, started_at, completed_at, created_at)
VALUES (7, 'queued_sync', NULL, 'inventory_sync', 'queued', NULL, '{}', '[]',
        '{"trigger": "retry", "retry_of": "throttled"}', NULL, NULL, now() - interval '10 minutes');

-- Tailspin: items imported from the previous management tool's CSV export
-- when the tenant was onboarded.
INSERT INTO demo_run (tenant_id, kind, user_id, type, status, outcome,
                      summary_counts, failure_summary, context, started_at, completed_at, created_at)
VALUES (4, 'import', 104, 'inventory_import', 'completed', 'succeeded', '{}', '[]',
        '{"import": {"source": "csv", "file_name": "tailspin-intune-export.csv"}}',
        now() - interval '29 days 4 hours', now() - interval '29 days 3 hours 52 minutes',
        now() - interval '29 days 4 hours 1 minute');

-- Backups, exports, compares and restores. About 8 percent end partially
-- or fully failed.
INSERT INTO demo_run (tenant_id, kind, day_index, user_id, type, status, outcome,
                      summary_counts, failure_summary, context, started_at, completed_at, created_at)
SELECT o.tenant_id,
       'other',
       o.day_index,
       CASE WHEN o.type = 'backup' THEN NULL ELSE 100 + o.tenant_id END,
       o.type,
       'completed',
       CASE
         WHEN o.outcome_draw < 0.03 THEN 'failed'
         WHEN o.outcome_draw < 0.08 THEN 'partially_succeeded'
         ELSE 'succeeded'
       END,
       jsonb_build_object('policies', round(300 * t.size * (0.8 + 0.4 * o.outcome_draw))),
       CASE
         WHEN o.outcome_draw < 0.03 THEN '[{"type": null, "code": "ServiceUnavailable", "message": "Microsoft Graph returned HTTP 503 Service Unavailable after 3 retries."}]'::jsonb
         WHEN o.outcome_draw < 0.08 THEN '[{"type": "mobileApp", "code": "TooManyRequests", "message": "Microsoft Graph throttled the request (HTTP 429); retry after 120 seconds."}]'::jsonb
         ELSE '[]'::jsonb
       END,
       CASE o.type
         WHEN 'backup' THEN jsonb_build_object('backup', jsonb_build_object(
           'snapshot_id', pg_temp.demo_uuid(concat_ws('|', 'snapshot', o.tenant_id, o.day_index)), 'storage', 'azure_blob'))
         WHEN 'policy_export' THEN jsonb_build_object('export', jsonb_build_object('format', 'json', 'scope', 'all'))
         WHEN 'compare' THEN jsonb_build_object('compare', jsonb_build_object(
           'baseline', 'last_backup', 'drifted_policies', floor(12 * o.outcome_draw)))
         ELSE jsonb_build_object('restore', jsonb_build_object(
           'policy_type', 'deviceConfiguration', 'dry_run', o.outcome_draw < 0.5))
       END,
       o.started_at,
       o.started_at + make_interval(mins => o.minutes),
       o.started_at - interval '20 seconds'
FROM demo_other_run AS o
JOIN demo_tenant AS t ON t.id = o.tenant_id;

UPDATE demo_run AS r
SET id = n.id
FROM (
  SELECT ctid, row_number() OVER (ORDER BY created_at, tenant_id, type) AS id
  FROM demo_run
) AS n
WHERE r.ctid = n.ctid;

INSERT INTO public.tenants (id, workspace_id, name, primary_domain, entra_tenant_id, status, created_at, updated_at)
SELECT t.id, t.workspace_id, t.name, t.primary_domain,
       pg_temp.demo_uuid(concat_ws('|', 'entra', t.id)),
       'active',
       now() - make_interval(days => t.history_days, hours => 30),
       now() - make_interval(days => t.id::integer)
FROM demo_tenant AS t
ORDER BY t.id;

INSERT INTO public.operation_runs (id, workspace_id, tenant_id, user_id, type, status, outcome,
                                   summary_counts, failure_summary, context,
                                   started_at, completed_at, created_at, updated_at)
SELECT r.id, t.workspace_id, r.tenant_id, r.user_id, r.type, r.status, r.outcome,
       r.summary_counts, r.failure_summary, r.context,
       r.started_at, r.completed_at, r.created_at,
       coalesce(r.completed_at, r.started_at, r.created_at)
FROM demo_run AS r
JOIN demo_tenant AS t ON t.id = r.tenant_id
ORDER BY r.id;

------------------------------------------------------------------------------
-- inventory_items
------------------------------------------------------------------------------

-- For every tenant and type, the items are those of the newest completed
-- sync that read the type successfully. A failed, skipped or unreported
-- type keeps the items of an older run. Tailspin's items come from its
-- import.
CREATE TEMP TABLE demo_observation ON COMMIT DROP AS
SELECT DISTINCT ON (e.tenant_id, e.type)
       e.tenant_id, e.type, e.item_count, r.id AS run_id, r.completed_at
FROM demo_entry AS e
JOIN demo_run AS r ON r.tenant_id = e.tenant_id AND r.kind = 'sync' AND r.day_index = e.day_index
WHERE e.reported AND e.status = 'succeeded'
ORDER BY e.tenant_id, e.type, r.completed_at DESC;

INSERT INTO demo_observation
SELECT t.id, ty.type,
       round(ty.base_count * t.size * (0.5 + pg_temp.demo_unit(concat_ws('|', 'mix', t.id, ty.type))))::bigint,
       r.id, r.completed_at
FROM demo_tenant AS t
JOIN demo_run AS r ON r.tenant_id = t.id AND r.kind = 'import'
CROSS JOIN demo_type AS ty;

INSERT INTO public.inventory_items (workspace_id, tenant_id, policy_type, external_id, display_name,
                                    category, platform, meta_jsonb, last_seen_at,
                                    last_seen_operation_run_id, created_at, updated_at)
SELECT t.workspace_id,
       o.tenant_id,
       o.type,
       pg_temp.demo_uuid(concat_ws('|', 'item', o.tenant_id, o.type, n.n))::text,
       i.platform_prefix || ty.name_stems[1 + (n.n - 1) % cardinality(ty.name_stems)]
         || CASE WHEN n.n > cardinality(ty.name_stems)
                 THEN ' v' || (1 + (n.n - 1) / cardinality(ty.name_stems))
                 ELSE '' END,
       ty.category,
       i.platform,
       jsonb_build_object(
         '@odata.type', CASE WHEN ty.type <> 'mobileApp' THEN ty.odata_type
                             WHEN i.platform = 'iOS' THEN '#microsoft.graph.iosStoreApp'
                             WHEN i.platform = 'android' THEN '#microsoft.graph.managedAndroidStoreApp'
                             WHEN i.platform = 'macOS' THEN '#microsoft.graph.macOSLobApp'
                             ELSE ty.odata_type
                        END,
         'version', 1 + floor(6 * i.draw),
         'is_assigned', i.draw < 0.85,
         'role_scope_tag_ids', jsonb_build_array('0')),
       o.completed_at,
       o.run_id,
       o.completed_at - make_interval(days => floor(t.history_days * i.draw)::integer),
       o.completed_at
FROM demo_observation AS o
JOIN demo_tenant AS t ON t.id = o.tenant_id
JOIN demo_type AS ty ON ty.type = o.type
CROSS JOIN LATERAL generate_series(1, o.item_count::integer) AS n(n)
CROSS JOIN LATERAL (
  SELECT p.draw,
         p.platform,
         -- Admins prefix policy names with the platform, but apps keep
         -- their store names.
         CASE
           WHEN ty.type = 'mobileApp' THEN ''
           WHEN p.platform = 'windows' THEN 'WIN - '
           WHEN p.platform = 'iOS' THEN 'iOS - '
           WHEN p.platform = 'android' THEN 'AND - '
           WHEN p.platform = 'macOS' THEN 'MAC - '
           ELSE ''
         END AS platform_prefix
  FROM (
    SELECT pg_temp.demo_unit(concat_ws('|', 'item', o.tenant_id, o.type, n.n)) AS draw,
           CASE ty.platform
             WHEN 'all' THEN CASE WHEN ty.segment = 'foundation' THEN NULL
                                  ELSE (ARRAY['windows', 'windows', 'iOS', 'android', 'macOS'])
                                       [1 + floor(5 * pg_temp.demo_unit(concat_ws('|', 'platform', o.tenant_id, o.type, n.n)))::integer]
                             END
             WHEN 'mobile' THEN (ARRAY['iOS', 'android'])
                                [1 + floor(2 * pg_temp.demo_unit(concat_ws('|', 'platform', o.tenant_id, o.type, n.n)))::integer]
             ELSE ty.platform
           END AS platform
  ) AS p
) AS i
ORDER BY o.tenant_id, ty.segment DESC, ty.sort_order, n.n;

SELECT setval(pg_get_serial_sequence('public.tenants', 'id'), (SELECT max(id) FROM public.tenants));
SELECT setval(pg_get_serial_sequence('public.operation_runs', 'id'), (SELECT max(id) FROM public.operation_runs));

DROP FUNCTION pg_temp.demo_unit(text);
DROP FUNCTION pg_temp.demo_uuid(text);

COMMIT;

ANALYZE public.tenants;
ANALYZE public.operation_runs;
ANALYZE public.inventory_items;
