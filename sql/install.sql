-- Installation: the extension's objects, the shipped catalog and the
-- properties every function must have. Tests that sort before this one may
-- have installed the extension already, so start from scratch.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS coverage_truth CASCADE;
RESET client_min_messages;
CREATE EXTENSION coverage_truth;

-- The control file fixes the schema and forbids relocation.
SELECT e.extname, e.extversion, n.nspname AS schema, e.extrelocatable
  FROM pg_extension AS e
  JOIN pg_namespace AS n ON n.oid = e.extnamespace
 WHERE e.extname = 'coverage_truth';

ALTER EXTENSION coverage_truth SET SCHEMA public;

-- Every member object, as \dx+ lists it, in a stable order.
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS object
  FROM pg_depend AS d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'coverage_truth')
   AND d.deptype = 'e'
 ORDER BY pg_describe_object(d.classid, d.objid, d.objsubid) COLLATE "C";

-- The state and segment enums, labels in declaration order.
SELECT enum_range(NULL::coverage_truth.coverage_state) AS coverage_state,
       enum_range(NULL::coverage_truth.type_segment) AS type_segment;

-- Catalog columns: names, types, NOT NULL and defaults.
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid) AS default_value
  FROM pg_attribute AS a
  LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE a.attrelid = 'coverage_truth.supported_types'::regclass
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum;

-- The key is the type column.
SELECT conname, pg_get_constraintdef(oid) AS definition
  FROM pg_constraint
 WHERE conrelid = 'coverage_truth.supported_types'::regclass AND contype = 'p';

-- pg_dump saves the operator's catalog rows and removals with the database.
SELECT extconfig::regclass[] AS config_tables, extcondition
  FROM pg_extension WHERE extname = 'coverage_truth';

-- The shipped catalog, in result order: segment, sort_order, type.
SELECT * FROM coverage_truth.supported_types
 ORDER BY segment, sort_order, type COLLATE "C";

-- Every type that the product must ship, with its segment. Expect no row:
-- a listed row is missing from the catalog or sits in the wrong segment.
SELECT required.type, required.segment
  FROM (VALUES
    ('deviceConfiguration', 'policy'), ('settingsCatalogPolicy', 'policy'),
    ('groupPolicyConfiguration', 'policy'), ('deviceCompliancePolicy', 'policy'),
    ('windowsAutopilotDeploymentProfile', 'policy'),
    ('windowsEnrollmentStatusPage', 'policy'), ('enrollmentRestriction', 'policy'),
    ('appProtectionPolicy', 'policy'), ('appConfigurationPolicy', 'policy'),
    ('mobileApp', 'policy'), ('endpointSecurityPolicy', 'policy'),
    ('windowsUpdateRing', 'policy'), ('windowsFeatureUpdateProfile', 'policy'),
    ('windowsQualityUpdateProfile', 'policy'),
    ('windowsDriverUpdateProfile', 'policy'), ('deviceManagementScript', 'policy'),
    ('deviceShellScript', 'policy'), ('deviceHealthScript', 'policy'),
    ('conditionalAccessPolicy', 'policy'), ('termsAndConditions', 'policy'),
    ('assignmentFilter', 'foundation'), ('roleScopeTag', 'foundation'),
    ('notificationMessageTemplate', 'foundation')
  ) AS required(type, segment)
EXCEPT
SELECT type, segment::text FROM coverage_truth.supported_types;

-- The catalog starts equal to the shipped rows, with no removal recorded.
SELECT (SELECT count(*) FROM coverage_truth.supported_types) AS catalog_rows,
       (SELECT count(*) FROM coverage_truth.default_supported_types()) AS shipped_rows,
       (SELECT count(*) FROM coverage_truth.supported_types AS s
         WHERE NOT coverage_truth.catalog_row_is_default(s)) AS edited_rows,
       (SELECT count(*) FROM coverage_truth.removed_default_types) AS removed_rows;

-- Function properties: volatility, strictness, parallel safety, security
-- and the fixed search_path, per function.
SELECT p.oid::regprocedure AS function,
       p.provolatile AS volatility,
       p.proisstrict AS strict,
       p.proparallel AS parallel,
       p.prosecdef AS security_definer,
       p.proconfig AS config
  FROM pg_proc AS p
 WHERE p.pronamespace = 'coverage_truth'::regnamespace
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Expect no row: every function is SECURITY INVOKER and pins search_path to
-- pg_catalog, pg_temp or to the extension schema.
SELECT p.oid::regprocedure AS function
  FROM pg_proc AS p
 WHERE p.pronamespace = 'coverage_truth'::regnamespace
   AND (p.prosecdef
        OR p.proconfig IS NULL
        OR NOT (p.proconfig && ARRAY['search_path=pg_catalog, pg_temp',
                                     'search_path=coverage_truth, pg_catalog, pg_temp',
                                     'search_path=pg_catalog, coverage_truth, pg_temp']));

-- Expect no row: every function and type has a comment.
SELECT p.oid::regprocedure::text AS object
  FROM pg_proc AS p
 WHERE p.pronamespace = 'coverage_truth'::regnamespace
   AND obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT t.oid::regtype::text
  FROM pg_type AS t
 WHERE t.typnamespace = 'coverage_truth'::regnamespace
   AND t.typtype = 'e'
   AND obj_description(t.oid, 'pg_type') IS NULL;

-- Any role may read the catalog and call the functions.
SELECT has_schema_privilege('public', 'coverage_truth', 'USAGE') AS schema_usage,
       has_table_privilege('public', 'coverage_truth.supported_types', 'SELECT') AS catalog_select,
       has_function_privilege('public', 'coverage_truth.parse_coverage(jsonb)', 'EXECUTE') AS parse_execute,
       has_function_privilege('public', 'coverage_truth.tenant_coverage(bigint)', 'EXECUTE') AS tenant_execute;

-- The only triggers sit on the catalog tables: nothing derived is stored.
SELECT tgrelid::regclass AS relation, tgname
  FROM pg_trigger
 WHERE NOT tgisinternal
   AND tgrelid IN (SELECT c.oid FROM pg_class AS c
                    WHERE c.relnamespace = 'coverage_truth'::regnamespace)
 ORDER BY tgrelid::regclass::text COLLATE "C", tgname COLLATE "C";

-- The signatures and output columns of the public functions.
\x on
SELECT p.oid::regprocedure AS function,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result
  FROM pg_proc AS p
 WHERE p.oid IN ('coverage_truth.parse_coverage(jsonb)'::regprocedure,
                 'coverage_truth.coverage_is_parseable(jsonb)'::regprocedure,
                 'coverage_truth.tenant_coverage(bigint)'::regprocedure,
                 'coverage_truth.tenant_coverage_summary(bigint)'::regprocedure)
 ORDER BY p.oid::regprocedure::text COLLATE "C";
\x off
