/* coverage_truth--1.0.sql: types, the supported-type catalog and the 1.0 functions */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION coverage_truth" to load this file. \quit

GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE TYPE @extschema@.coverage_state AS ENUM ('succeeded', 'failed', 'skipped', 'unknown');
COMMENT ON TYPE @extschema@.coverage_state IS
  'Coverage of one supported type as the basis run reports it; unknown when the run did not report it';

CREATE TYPE @extschema@.type_segment AS ENUM ('policy', 'foundation');
COMMENT ON TYPE @extschema@.type_segment IS
  'Catalog segment of a supported type, matching the payload list it is normally reported in';

------------------------------------------------------------------------------
-- Catalog of supported types
------------------------------------------------------------------------------

CREATE TABLE @extschema@.supported_types (
  type text PRIMARY KEY CHECK (type OPERATOR(pg_catalog.<>) ''),
  segment @extschema@.type_segment NOT NULL,
  label text NOT NULL,
  category text NOT NULL,
  platform text,
  restore_mode text,
  risk_level text,
  supports_dependencies boolean NOT NULL DEFAULT false,
  sort_order integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE @extschema@.supported_types IS
  'Product-support catalog: every row is a type that each tenant result reports on';
COMMENT ON COLUMN @extschema@.supported_types.type IS
  'Type key as used in coverage payloads and in inventory_items.policy_type (case-sensitive)';
COMMENT ON COLUMN @extschema@.supported_types.segment IS
  'policy or foundation: which payload list is read first for this type';
COMMENT ON COLUMN @extschema@.supported_types.label IS 'Display name';
COMMENT ON COLUMN @extschema@.supported_types.category IS 'Display group';
COMMENT ON COLUMN @extschema@.supported_types.platform IS 'Platform the type applies to, NULL when not specific';
COMMENT ON COLUMN @extschema@.supported_types.restore_mode IS
  'Restore capability (enabled, preview_only, not_supported); informational only';
COMMENT ON COLUMN @extschema@.supported_types.risk_level IS 'Risk of a change to this type (low, medium, high); informational only';
COMMENT ON COLUMN @extschema@.supported_types.supports_dependencies IS 'Whether dependencies are resolved for this type; informational only';
COMMENT ON COLUMN @extschema@.supported_types.sort_order IS 'Position within the segment in every result';

GRANT SELECT ON @extschema@.supported_types TO PUBLIC;

-- The shipped catalog. CREATE EXTENSION copies it into supported_types, and
-- the restore helpers below compare rows against it.
CREATE FUNCTION @extschema@.default_supported_types()
RETURNS SETOF @extschema@.supported_types
LANGUAGE sql IMMUTABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT v.type, v.segment::@extschema@.type_segment, v.label, v.category, v.platform,
         v.restore_mode, v.risk_level, v.supports_dependencies, v.sort_order
  FROM (VALUES
    ('deviceConfiguration', 'policy', 'Device Configuration', 'Configuration', 'all', 'enabled', 'medium', true, 10),
    ('settingsCatalogPolicy', 'policy', 'Settings Catalog Policy', 'Configuration', 'all', 'enabled', 'medium', true, 20),
    ('groupPolicyConfiguration', 'policy', 'Administrative Templates', 'Configuration', 'windows', 'enabled', 'medium', true, 30),
    ('deviceCompliancePolicy', 'policy', 'Compliance Policy', 'Compliance', 'all', 'enabled', 'high', true, 40),
    ('windowsAutopilotDeploymentProfile', 'policy', 'Windows Autopilot Profile', 'Enrollment', 'windows', 'preview_only', 'high', true, 50),
    ('windowsEnrollmentStatusPage', 'policy', 'Enrollment Status Page', 'Enrollment', 'windows', 'preview_only', 'medium', true, 60),
    ('enrollmentRestriction', 'policy', 'Enrollment Restriction', 'Enrollment', 'all', 'preview_only', 'high', true, 70),
    ('appProtectionPolicy', 'policy', 'App Protection Policy', 'Apps', 'mobile', 'enabled', 'high', true, 80),
    ('appConfigurationPolicy', 'policy', 'App Configuration Policy', 'Apps', 'mobile', 'enabled', 'medium', true, 90),
    ('mobileApp', 'policy', 'Mobile App', 'Apps', 'all', 'not_supported', 'low', true, 100),
    ('endpointSecurityPolicy', 'policy', 'Endpoint Security Policy', 'Endpoint Security', 'windows', 'enabled', 'high', true, 110),
    ('windowsUpdateRing', 'policy', 'Windows Update Ring', 'Update Management', 'windows', 'enabled', 'medium', true, 120),
    ('windowsFeatureUpdateProfile', 'policy', 'Feature Update Profile', 'Update Management', 'windows', 'enabled', 'medium', true, 130),
    ('windowsQualityUpdateProfile', 'policy', 'Quality Update Profile', 'Update Management', 'windows', 'enabled', 'medium', true, 140),
    ('windowsDriverUpdateProfile', 'policy', 'Driver Update Profile', 'Update Management', 'windows', 'preview_only', 'low', true, 150),
    ('deviceManagementScript', 'policy', 'PowerShell Script', 'Scripts', 'windows', 'enabled', 'high', true, 160),
    ('deviceShellScript', 'policy', 'macOS Shell Script', 'Scripts', 'macOS', 'enabled', 'high', true, 170),
    ('deviceHealthScript', 'policy', 'Remediation Script', 'Scripts', 'windows', 'enabled', 'medium', true, 180),
    ('conditionalAccessPolicy', 'policy', 'Conditional Access Policy', 'Conditional Access', 'all', 'preview_only', 'high', false, 190),
    ('termsAndConditions', 'policy', 'Terms and Conditions', 'Tenant Administration', 'all', 'enabled', 'low', true, 200),
    ('assignmentFilter', 'foundation', 'Assignment Filter', 'Foundation', 'all', 'enabled', 'low', false, 10),
    ('roleScopeTag', 'foundation', 'Scope Tag', 'Foundation', 'all', 'enabled', 'medium', false, 20),
    ('notificationMessageTemplate', 'foundation', 'Notification Message Template', 'Foundation', 'all', 'enabled', 'low', false, 30)
  ) AS v(type, segment, label, category, platform, restore_mode, risk_level, supports_dependencies, sort_order)
$$;
COMMENT ON FUNCTION @extschema@.default_supported_types() IS
  'Returns the catalog rows shipped with the extension (the Intune default catalog)';

-- Shipped keys an operator removed (deleted or renamed). pg_dump saves this
-- table so that a restore, whose CREATE EXTENSION re-inserts every shipped
-- row, removes those rows again.
CREATE TABLE @extschema@.removed_default_types (
  type text PRIMARY KEY
);
COMMENT ON TABLE @extschema@.removed_default_types IS
  'Shipped catalog keys removed by an operator; maintained by triggers so pg_dump and pg_restore keep the removal';

-- True when the catalog row with this key is exactly as shipped.
CREATE FUNCTION @extschema@.catalog_row_is_default(entry @extschema@.supported_types)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM @extschema@.default_supported_types() AS d
    WHERE d OPERATOR(pg_catalog.=) entry
  )
$$;
COMMENT ON FUNCTION @extschema@.catalog_row_is_default(@extschema@.supported_types) IS
  'Returns true when a catalog row equals the shipped row with the same key';

-- pg_restore loads the dumped catalog after CREATE EXTENSION has inserted the
-- shipped rows. An incoming row replaces a shipped row that is still as
-- shipped, so the load neither fails on the key nor keeps the shipped value.
CREATE FUNCTION @extschema@.supported_types_before_insert()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  DELETE FROM @extschema@.supported_types AS s
  WHERE s.type OPERATOR(pg_catalog.=) NEW.type
    AND @extschema@.catalog_row_is_default(s);

  DELETE FROM @extschema@.removed_default_types AS r
  WHERE r.type OPERATOR(pg_catalog.=) NEW.type;

  RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.supported_types_before_insert() IS
  'Trigger: lets an inserted row replace an unmodified shipped row with the same key';

-- Record a shipped key that leaves the catalog, by DELETE or by renaming.
CREATE FUNCTION @extschema@.supported_types_after_remove()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.type OPERATOR(pg_catalog.=) OLD.type THEN
    RETURN NULL;
  END IF;

  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    DELETE FROM @extschema@.removed_default_types AS r
    WHERE r.type OPERATOR(pg_catalog.=) NEW.type;
  END IF;

  INSERT INTO @extschema@.removed_default_types (type)
  SELECT d.type FROM @extschema@.default_supported_types() AS d
  WHERE d.type OPERATOR(pg_catalog.=) OLD.type
    AND NOT EXISTS (SELECT 1 FROM @extschema@.supported_types AS s
                    WHERE s.type OPERATOR(pg_catalog.=) OLD.type)
  ON CONFLICT (type) DO NOTHING;

  RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.supported_types_after_remove() IS
  'Trigger: records shipped keys removed from the catalog so a dump keeps the removal';

-- TRUNCATE removes every shipped key at once and fires no row triggers.
CREATE FUNCTION @extschema@.supported_types_after_truncate()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO @extschema@.removed_default_types (type)
  SELECT d.type FROM @extschema@.default_supported_types() AS d
  ON CONFLICT (type) DO NOTHING;

  RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.supported_types_after_truncate() IS
  'Trigger: records every shipped key as removed when the catalog is truncated';

-- During a restore, a recorded removal deletes the shipped row that
-- CREATE EXTENSION re-inserted, unless the operator changed it since.
CREATE FUNCTION @extschema@.removed_default_types_before_insert()
RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  DELETE FROM @extschema@.supported_types AS s
  WHERE s.type OPERATOR(pg_catalog.=) NEW.type
    AND @extschema@.catalog_row_is_default(s);

  -- The delete above may already have recorded this key.
  IF EXISTS (SELECT 1 FROM @extschema@.removed_default_types AS r
             WHERE r.type OPERATOR(pg_catalog.=) NEW.type) THEN
    RETURN NULL;
  END IF;

  RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.removed_default_types_before_insert() IS
  'Trigger: removes a re-inserted shipped row when its removal is restored';

INSERT INTO @extschema@.supported_types SELECT * FROM @extschema@.default_supported_types();

CREATE TRIGGER supported_types_before_insert
  BEFORE INSERT ON @extschema@.supported_types
  FOR EACH ROW EXECUTE FUNCTION @extschema@.supported_types_before_insert();
CREATE TRIGGER supported_types_after_remove
  AFTER DELETE OR UPDATE OF type ON @extschema@.supported_types
  FOR EACH ROW EXECUTE FUNCTION @extschema@.supported_types_after_remove();
CREATE TRIGGER supported_types_after_truncate
  AFTER TRUNCATE ON @extschema@.supported_types
  FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.supported_types_after_truncate();
CREATE TRIGGER removed_default_types_before_insert
  BEFORE INSERT ON @extschema@.removed_default_types
  FOR EACH ROW EXECUTE FUNCTION @extschema@.removed_default_types_before_insert();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.supported_types', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.removed_default_types', '');

------------------------------------------------------------------------------
-- Payload parser
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.parse_coverage(
  context jsonb,
  OUT segment @extschema@.type_segment,
  OUT type text,
  OUT status @extschema@.coverage_state,
  OUT item_count bigint,
  OUT error_code text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_parse_coverage'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.parse_coverage(jsonb) IS
  'Returns the accepted entries of a run context''s inventory.coverage payload, one row per list and type, the last accepted entry winning';

CREATE FUNCTION @extschema@.coverage_is_parseable(context jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'coverage_truth_coverage_is_parseable'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.coverage_is_parseable(jsonb) IS
  'Returns true when a run context holds a coverage payload that can serve as a basis; false for NULL';

------------------------------------------------------------------------------
-- Per-tenant results
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.tenant_coverage(
  tenant_id bigint,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment @extschema@.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state @extschema@.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage(bigint) IS
  'Returns one row per supported type with the coverage state that the tenant''s basis run establishes';

CREATE FUNCTION @extschema@.tenant_coverage_summary(
  tenant_id bigint,
  OUT tenant_id bigint,
  OUT basis_run_id bigint,
  OUT basis_run_outcome text,
  OUT basis_completed_at timestamptz,
  OUT has_current_coverage_result boolean,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer,
  OUT observed_item_total bigint,
  OUT calm_claim_allowed boolean,
  OUT basis_age interval,
  OUT basis_is_stale boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage_summary'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage_summary(bigint) IS
  'Returns one summary row for the tenant: the basis run, counts per state, the calm claim and freshness';
