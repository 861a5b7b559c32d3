-- Update chain: CREATE EXTENSION at 1.0 followed by ALTER EXTENSION UPDATE
-- must leave the same objects as a fresh install of the default version, and
-- keep the operator's catalog edits.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;

SELECT current_database() AS regress_database \gset

-- The definition of every member object, one line per object: its name and
-- an md5 of its definition, so a differing line names the object. It lives
-- in a plain schema so that the other database can get a copy.
CREATE SCHEMA upgrade_check;
CREATE FUNCTION upgrade_check.member_definitions() RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT string_agg(o.name || ' ' || md5(o.definition), E'\n' ORDER BY o.name COLLATE "C")
    FROM (
      SELECT pg_describe_object(d.classid, d.objid, 0) AS name,
             CASE d.classid
               WHEN 'pg_proc'::regclass THEN
                 pg_get_functiondef(d.objid)
                 || coalesce(obj_description(d.objid, 'pg_proc'), '')
                 || coalesce((SELECT p.proacl::text FROM pg_proc AS p WHERE p.oid = d.objid), '')
               WHEN 'pg_type'::regclass THEN
                 coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                             FROM pg_enum AS e WHERE e.enumtypid = d.objid), '')
                 || coalesce(obj_description(d.objid, 'pg_type'), '')
               WHEN 'pg_class'::regclass THEN
                 coalesce(pg_get_viewdef(d.objid), '')
                 || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                                || ' ' || a.attnotnull::text
                                                || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
                                                || ' ' || coalesce(col_description(a.attrelid, a.attnum), ''),
                                                ',' ORDER BY a.attnum)
                                FROM pg_attribute AS a
                                LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                               WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped), '')
                 || coalesce((SELECT string_agg(pg_get_constraintdef(c.oid), ',' ORDER BY c.conname)
                                FROM pg_constraint AS c WHERE c.conrelid = d.objid), '')
                 || coalesce((SELECT string_agg(pg_get_triggerdef(t.oid), ',' ORDER BY t.tgname)
                                FROM pg_trigger AS t WHERE t.tgrelid = d.objid AND NOT t.tgisinternal), '')
                 || coalesce(obj_description(d.objid, 'pg_class'), '')
                 || coalesce((SELECT c.relacl::text FROM pg_class AS c WHERE c.oid = d.objid), '')
               ELSE ''
             END AS definition
        FROM pg_depend AS d
       WHERE d.refclassid = 'pg_extension'::regclass
         AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'coverage_truth')
         AND d.deptype = 'e'
      UNION ALL
      SELECT 'pg_extension configuration',
             (SELECT extconfig::regclass[]::text || extcondition::text
                FROM pg_extension WHERE extname = 'coverage_truth')
    ) AS o
$$;

-- The fresh install of the default version, in this database.
SELECT extversion AS fresh_version FROM pg_extension WHERE extname = 'coverage_truth';
SELECT upgrade_check.member_definitions() AS fresh_definitions,
       pg_get_functiondef('upgrade_check.member_definitions()'::regprocedure) AS helper_definition \gset

SET client_min_messages = warning;
DROP DATABASE IF EXISTS coverage_truth_upgrade;
RESET client_min_messages;
CREATE DATABASE coverage_truth_upgrade;
\c coverage_truth_upgrade

CREATE EXTENSION coverage_truth VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';

-- Catalog edits made under 1.0.
UPDATE coverage_truth.supported_types SET label = 'Edited' WHERE type = 'mobileApp';
DELETE FROM coverage_truth.supported_types WHERE type = 'termsAndConditions';
INSERT INTO coverage_truth.supported_types (type, segment, label, category)
VALUES ('customType', 'policy', 'Custom', 'Test');

-- The chain of update scripts from 1.0 to the default version.
SELECT path FROM pg_extension_update_paths('coverage_truth')
 WHERE source = '1.0' AND target = (SELECT default_version FROM pg_available_extensions
                                     WHERE name = 'coverage_truth');
ALTER EXTENSION coverage_truth UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';

-- The same helper in this database.
CREATE SCHEMA upgrade_check;
\set ECHO none
SELECT :'helper_definition' \gexec
\set ECHO all

-- Expect no row: objects that differ between the fresh install and the
-- updated one, by side.
SELECT 'only in fresh install' AS side, line
  FROM (SELECT unnest(string_to_array(:'fresh_definitions', E'\n'))
        EXCEPT
        SELECT unnest(string_to_array(upgrade_check.member_definitions(), E'\n'))) AS f(line)
UNION ALL
SELECT 'only after update', line
  FROM (SELECT unnest(string_to_array(upgrade_check.member_definitions(), E'\n'))
        EXCEPT
        SELECT unnest(string_to_array(:'fresh_definitions', E'\n'))) AS u(line)
ORDER BY 1, 2;

-- The catalog edits survived the update.
SELECT type, label FROM coverage_truth.supported_types
 WHERE type IN ('mobileApp', 'termsAndConditions', 'customType')
 ORDER BY type COLLATE "C";
SELECT type FROM coverage_truth.removed_default_types ORDER BY type COLLATE "C";

\c :regress_database
DROP DATABASE coverage_truth_upgrade;
SET client_min_messages = warning;
DROP SCHEMA upgrade_check CASCADE;
RESET client_min_messages;
