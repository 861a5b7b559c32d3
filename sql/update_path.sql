-- Update chain one step at a time: CREATE EXTENSION at 1.0, then ALTER
-- EXTENSION UPDATE TO '1.1' and TO '1.2', must leave exactly the members,
-- definitions, properties, comments, privileges and catalog rows of a fresh
-- install of the default version.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS coverage_truth CASCADE;
RESET client_min_messages;

-- One row per member and aspect: (member, aspect, value). The view reads
-- only system catalogs, so it survives DROP EXTENSION, and no value
-- contains an OID, so two installs compare equal. The rows of the
-- extension's own tables are added after each capture.
CREATE TEMP VIEW member_aspects AS
WITH members AS (
  SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS member
    FROM pg_depend AS d
    JOIN pg_extension AS e ON e.oid = d.refobjid
   WHERE d.refclassid = 'pg_extension'::regclass
     AND d.deptype = 'e'
     AND e.extname = 'coverage_truth'
)
SELECT m.member, 'comment' AS aspect, pd.description AS value
  FROM members AS m
  JOIN pg_description AS pd ON pd.classoid = m.classid AND pd.objoid = m.objid AND pd.objsubid = 0
UNION ALL
SELECT m.member, 'initial privileges', ip.privtype::text || ' ' || ip.initprivs::text
  FROM members AS m
  JOIN pg_init_privs AS ip ON ip.classoid = m.classid AND ip.objoid = m.objid AND ip.objsubid = 0
UNION ALL
-- Functions and procedures.
SELECT m.member, a.aspect, a.value
  FROM members AS m
  JOIN pg_proc AS p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
  CROSS JOIN LATERAL (VALUES
    ('definition', CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END),
    ('arguments', pg_get_function_arguments(p.oid)),
    ('result', pg_get_function_result(p.oid)),
    ('kind', p.prokind::text),
    ('volatility', p.provolatile::text),
    ('parallel', p.proparallel::text),
    ('strict', p.proisstrict::text),
    ('security definer', p.prosecdef::text),
    ('leakproof', p.proleakproof::text),
    ('cost and rows', p.procost::text || ' ' || p.prorows::text),
    ('config', p.proconfig::text),
    ('acl', p.proacl::text),
    ('owner', pg_get_userbyid(p.proowner))
  ) AS a(aspect, value)
UNION ALL
-- Tables, views and sequences.
SELECT m.member, a.aspect, a.value
  FROM members AS m
  JOIN pg_class AS c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  CROSS JOIN LATERAL (VALUES
    ('kind', c.relkind::text),
    ('view definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END),
    ('options', c.reloptions::text),
    ('acl', c.relacl::text),
    ('owner', pg_get_userbyid(c.relowner)),
    ('row security', c.relrowsecurity::text || ' ' || c.relforcerowsecurity::text),
    ('columns', (SELECT string_agg(format('%s %s%s%s', at.attname, format_type(at.atttypid, at.atttypmod),
                                          CASE WHEN at.attnotnull THEN ' not null' ELSE '' END,
                                          coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')),
                                   ', ' ORDER BY at.attnum)
                   FROM pg_attribute AS at
                   LEFT JOIN pg_attrdef AS ad ON ad.adrelid = at.attrelid AND ad.adnum = at.attnum
                  WHERE at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped)),
    ('column comments', (SELECT string_agg(format('%s: %s', at.attname, col_description(c.oid, at.attnum)),
                                           E'\n' ORDER BY at.attnum)
                           FROM pg_attribute AS at
                          WHERE at.attrelid = c.oid AND at.attnum > 0 AND NOT at.attisdropped
                            AND col_description(c.oid, at.attnum) IS NOT NULL)),
    ('column acls', (SELECT string_agg(format('%s: %s', at.attname, at.attacl), E'\n' ORDER BY at.attnum)
                       FROM pg_attribute AS at
                      WHERE at.attrelid = c.oid AND at.attnum > 0 AND at.attacl IS NOT NULL)),
    ('constraints', (SELECT string_agg(format('%s %s', co.conname, pg_get_constraintdef(co.oid)),
                                       E'\n' ORDER BY co.conname)
                       FROM pg_constraint AS co WHERE co.conrelid = c.oid)),
    ('indexes', (SELECT string_agg(pg_get_indexdef(i.indexrelid), E'\n' ORDER BY 1)
                   FROM pg_index AS i WHERE i.indrelid = c.oid)),
    ('triggers', (SELECT string_agg(pg_get_triggerdef(t.oid), E'\n' ORDER BY t.tgname)
                    FROM pg_trigger AS t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)),
    ('rules', (SELECT string_agg(pg_get_ruledef(r.oid), E'\n' ORDER BY r.rulename)
                 FROM pg_rewrite AS r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'))
  ) AS a(aspect, value)
UNION ALL
-- Types.
SELECT m.member, a.aspect, a.value
  FROM members AS m
  JOIN pg_type AS t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  CROSS JOIN LATERAL (VALUES
    ('kind', t.typtype::text),
    ('labels', (SELECT string_agg(en.enumlabel, ', ' ORDER BY en.enumsortorder)
                  FROM pg_enum AS en WHERE en.enumtypid = t.oid)),
    ('base type', CASE WHEN t.typbasetype <> 0 THEN format_type(t.typbasetype, t.typtypmod) END),
    ('acl', t.typacl::text),
    ('owner', pg_get_userbyid(t.typowner))
  ) AS a(aspect, value)
UNION ALL
-- Schemas.
SELECT m.member, a.aspect, a.value
  FROM members AS m
  JOIN pg_namespace AS n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
  CROSS JOIN LATERAL (VALUES
    ('acl', n.nspacl::text),
    ('owner', pg_get_userbyid(n.nspowner))
  ) AS a(aspect, value)
UNION ALL
-- Every member once, whatever its kind, so no member can go unlisted.
SELECT m.member, 'member', (pg_identify_object(m.classid, m.objid, 0)).type
  FROM members AS m
UNION ALL
-- The extension itself: schema, version and the tables pg_dump saves.
SELECT 'extension coverage_truth', a.aspect, a.value
  FROM pg_extension AS e
  CROSS JOIN LATERAL (VALUES
    ('schema', e.extnamespace::regnamespace::text),
    ('schema acl', (SELECT n.nspacl::text FROM pg_namespace AS n WHERE n.oid = e.extnamespace)),
    ('version', e.extversion),
    ('relocatable', e.extrelocatable::text),
    ('dumped tables', (SELECT string_agg(format('%s %L', x.config::regclass, x.condition), ', ' ORDER BY x.config::regclass::text)
                         FROM unnest(e.extconfig, e.extcondition) AS x(config, condition)))
  ) AS a(aspect, value)
 WHERE e.extname = 'coverage_truth';

-- Update from 1.0 through 1.1 to 1.2.
CREATE EXTENSION coverage_truth VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';
ALTER EXTENSION coverage_truth UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';
ALTER EXTENSION coverage_truth UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';
CREATE TEMP TABLE updated_members AS SELECT * FROM member_aspects;
INSERT INTO updated_members
SELECT 'table coverage_truth.supported_types', 'rows',
       string_agg(s::text, E'\n' ORDER BY s.type COLLATE "C")
  FROM coverage_truth.supported_types AS s
UNION ALL
SELECT 'table coverage_truth.removed_default_types', 'rows',
       string_agg(r::text, E'\n' ORDER BY r.type COLLATE "C")
  FROM coverage_truth.removed_default_types AS r;

-- Fresh install of the default version.
DROP EXTENSION coverage_truth;
SELECT count(*) AS members_left FROM member_aspects;
CREATE EXTENSION coverage_truth;
SELECT extversion FROM pg_extension WHERE extname = 'coverage_truth';
CREATE TEMP TABLE fresh_members AS SELECT * FROM member_aspects;
INSERT INTO fresh_members
SELECT 'table coverage_truth.supported_types', 'rows',
       string_agg(s::text, E'\n' ORDER BY s.type COLLATE "C")
  FROM coverage_truth.supported_types AS s
UNION ALL
SELECT 'table coverage_truth.removed_default_types', 'rows',
       string_agg(r::text, E'\n' ORDER BY r.type COLLATE "C")
  FROM coverage_truth.removed_default_types AS r;

-- What differs between the two: no rows.
SELECT d.side, d.member, d.aspect, d.value
  FROM ((SELECT 'updated only' AS side, * FROM updated_members
         EXCEPT ALL
         SELECT 'updated only', * FROM fresh_members)
        UNION ALL
        (SELECT 'fresh only', * FROM fresh_members
         EXCEPT ALL
         SELECT 'fresh only', * FROM updated_members)) AS d
 ORDER BY d.member COLLATE "C", d.aspect COLLATE "C", d.side;

-- Member count by kind, the same on both sides.
SELECT u.kind, u.members AS updated, f.members AS fresh
  FROM (SELECT value AS kind, count(*) AS members
          FROM updated_members WHERE aspect = 'member' GROUP BY value) AS u
  FULL JOIN (SELECT value AS kind, count(*) AS members
               FROM fresh_members WHERE aspect = 'member' GROUP BY value) AS f USING (kind)
 ORDER BY kind COLLATE "C";
SELECT count(*) AS members FROM updated_members WHERE aspect = 'member';

DROP EXTENSION coverage_truth;
DROP VIEW member_aspects;
DROP TABLE updated_members, fresh_members;
