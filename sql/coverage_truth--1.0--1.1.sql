/* coverage_truth--1.0--1.1.sql: fleet, run detail, dashboard views and diagnostics */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION coverage_truth UPDATE TO '1.1'" to load this file. \quit

------------------------------------------------------------------------------
-- Fleet functions
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.fleet_coverage_summary(
  tenant_ids bigint[] DEFAULT NULL,
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
AS 'MODULE_PATHNAME', 'coverage_truth_fleet_coverage_summary'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.fleet_coverage_summary(bigint[]) IS
  'Returns one tenant_coverage_summary row per tenant, ordered by tenant_id; NULL means every tenant with a row in either source relation';

CREATE FUNCTION @extschema@.fleet_coverage(
  tenant_ids bigint[] DEFAULT NULL,
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
AS 'MODULE_PATHNAME', 'coverage_truth_fleet_coverage'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.fleet_coverage(bigint[]) IS
  'Returns the tenant_coverage rows of many tenants, ordered by tenant_id then catalog order; NULL means every tenant with a row in either source relation';

------------------------------------------------------------------------------
-- Run detail
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.run_coverage(
  run_id bigint,
  OUT run_id bigint,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment @extschema@.type_segment,
  OUT label text,
  OUT coverage_state @extschema@.coverage_state,
  OUT item_count bigint,
  OUT error_code text,
  OUT run_is_basis boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_run_coverage'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.run_coverage(bigint) IS
  'Returns, per catalog type, the state that this run''s own payload reports, and whether the run is its tenant''s current basis; no rows for an unknown run';

------------------------------------------------------------------------------
-- Diagnostics
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.explain_coverage_payload(
  context jsonb,
  OUT path text,
  OUT problem text,
  OUT excerpt text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_explain_coverage_payload'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.explain_coverage_payload(jsonb) IS
  'Returns one row per reason a run context''s coverage payload, a list, an entry or a member is not used; no rows for a payload used in full';

-- Checks the source settings without raising, so an operator sees every
-- problem at once together with its fix.  PARALLEL UNSAFE because the
-- exception block around parse_ident opens a subtransaction.
CREATE FUNCTION @extschema@.check_sources(
  OUT check_name text,
  OUT ok boolean,
  OUT detail text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  source record;
  relation regclass;
  relation_kind "char";
  names text[];
  column_spec record;
  found_type regtype;
  problems text[];
  denied text[];
  index_found boolean;
BEGIN
  -- The settings are defined when the C library loads, which this
  -- PL/pgSQL function would not otherwise cause.
  PERFORM @extschema@.coverage_is_parseable(NULL::jsonb);

  FOR source IN
    SELECT *
    FROM (VALUES
      ('operation_runs', 'coverage_truth.operation_runs_relation', 1,
       ARRAY['id', 'tenant_id', 'type', 'status', 'outcome', 'context', 'completed_at'],
       ARRAY['integer', 'integer', 'text', 'text', 'text', 'json', 'timestamp']),
      ('inventory_items', 'coverage_truth.inventory_items_relation', 2,
       ARRAY['tenant_id', 'policy_type'],
       ARRAY['integer', 'text'])
    ) AS s(label, setting, position, columns, kinds)
    ORDER BY s.position
  LOOP
    relation := NULL;
    BEGIN
      names := pg_catalog.parse_ident(pg_catalog.current_setting(source.setting));
    EXCEPTION WHEN OTHERS THEN
      names := NULL;
    END;

    IF names IS NULL OR pg_catalog.cardinality(names) OPERATOR(pg_catalog.<>) 2 THEN
      check_name := source.label || ' relation';
      ok := false;
      detail := pg_catalog.format('setting %s is %L, which is not a schema-qualified name; set it to schema.relation',
                                  source.setting, pg_catalog.current_setting(source.setting));
      RETURN NEXT;
      CONTINUE;
    END IF;

    SELECT c.oid, c.relkind INTO relation, relation_kind
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE n.nspname OPERATOR(pg_catalog.=) names[1]
      AND c.relname OPERATOR(pg_catalog.=) names[2]
      AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v', 'm', 'p', 'f']::"char"[]);

    check_name := source.label || ' relation';
    ok := relation IS NOT NULL;
    detail := CASE WHEN ok
      THEN pg_catalog.format('setting %s names %s', source.setting, relation)
      ELSE pg_catalog.format('no table or view %I.%I exists; create it or change setting %s',
                             names[1], names[2], source.setting) END;
    RETURN NEXT;
    CONTINUE WHEN relation IS NULL;

    -- Columns and their types, checked the way the C code checks them.
    problems := '{}';
    denied := '{}';
    FOR column_spec IN
      SELECT u.name, u.kind
      FROM ROWS FROM (pg_catalog.unnest(source.columns), pg_catalog.unnest(source.kinds)) AS u(name, kind)
    LOOP
      SELECT a.atttypid::regtype INTO found_type
      FROM pg_catalog.pg_attribute AS a
      WHERE a.attrelid OPERATOR(pg_catalog.=) relation
        AND a.attname OPERATOR(pg_catalog.=) column_spec.name
        AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;

      IF found_type IS NULL THEN
        problems := problems || pg_catalog.format('column %I is missing', column_spec.name);
        CONTINUE;
      END IF;

      IF NOT (CASE column_spec.kind
          WHEN 'integer' THEN @extschema@.base_type(found_type) OPERATOR(pg_catalog.=) ANY (ARRAY['smallint', 'integer', 'bigint']::regtype[])
          WHEN 'text' THEN @extschema@.base_type(found_type) OPERATOR(pg_catalog.=) ANY (ARRAY['text', 'character varying']::regtype[])
          WHEN 'json' THEN @extschema@.base_type(found_type) OPERATOR(pg_catalog.=) ANY (ARRAY['json', 'jsonb']::regtype[])
          ELSE @extschema@.base_type(found_type) OPERATOR(pg_catalog.=) ANY (ARRAY['timestamp with time zone', 'timestamp without time zone']::regtype[])
        END) THEN
        problems := problems || pg_catalog.format('column %I has type %s, expected %s',
          column_spec.name, found_type,
          CASE column_spec.kind
            WHEN 'integer' THEN 'smallint, integer or bigint'
            WHEN 'text' THEN 'text or character varying'
            WHEN 'json' THEN 'json or jsonb'
            ELSE 'timestamp with time zone or timestamp without time zone' END);
      END IF;

      IF NOT pg_catalog.has_column_privilege(relation, column_spec.name, 'SELECT') THEN
        denied := denied || column_spec.name;
      END IF;
    END LOOP;

    check_name := source.label || ' columns';
    ok := pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 0;
    detail := CASE WHEN ok THEN 'every required column exists with a usable type'
      ELSE pg_catalog.array_to_string(problems, '; ')
           || '; add or cast the columns, for example in a view that renames the host''s columns' END;
    RETURN NEXT;

    check_name := source.label || ' select privilege';
    IF NOT pg_catalog.has_schema_privilege(names[1], 'USAGE') THEN
      ok := false;
      detail := pg_catalog.format('%s has no USAGE privilege on schema %I; GRANT USAGE ON SCHEMA %I TO %I',
                                  current_user, names[1], names[1], current_user);
    ELSE
      ok := pg_catalog.cardinality(denied) OPERATOR(pg_catalog.=) 0;
      detail := CASE WHEN ok
        THEN pg_catalog.format('%s may read every required column of %s', current_user, relation)
        ELSE pg_catalog.format('%s may not read column(s) %s of %s; GRANT SELECT on them',
                               current_user, pg_catalog.array_to_string(denied, ', '), relation) END;
    END IF;
    RETURN NEXT;

    check_name := source.label || ' recommended index';
    IF relation_kind OPERATOR(pg_catalog.<>) ALL (ARRAY['r', 'm', 'p']::"char"[]) THEN
      ok := NULL;
      detail := pg_catalog.format('%s is not a table, so its indexes cannot be checked here; index its base table',
                                  relation);
    ELSIF source.position OPERATOR(pg_catalog.=) 1 THEN
      SELECT pg_catalog.bool_or(true) INTO index_found
      FROM pg_catalog.pg_index AS i
      WHERE i.indrelid OPERATOR(pg_catalog.=) relation
        AND i.indnkeyatts OPERATOR(pg_catalog.>=) 3
        AND (SELECT pg_catalog.array_agg(a.attname ORDER BY k.position)
             FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute AS a
               ON a.attrelid OPERATOR(pg_catalog.=) relation AND a.attnum OPERATOR(pg_catalog.=) k.attnum
             WHERE k.position OPERATOR(pg_catalog.<=) 3)
            OPERATOR(pg_catalog.=) ARRAY['tenant_id', 'completed_at', 'id']::name[]
        -- indoption keeps int2vector's lower bound 0, so [1] is completed_at
        -- and [2] is id.  Bit 1 is DESC, bit 2 NULLS FIRST: completed_at
        -- must be DESC NULLS LAST, id only DESC (it is never NULL).
        AND (i.indoption::int2[])[1] OPERATOR(pg_catalog.=) 1
        AND ((i.indoption::int2[])[2] OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1
        -- A partial index serves only when its predicate is made of the
        -- candidate conditions: removing them must leave nothing but ANDs.
        AND (i.indpred IS NULL OR pg_catalog.btrim(pg_catalog.regexp_replace(
              pg_catalog.regexp_replace(pg_catalog.pg_get_expr(i.indpred, i.indrelid),
                '\(*\(?(type|status)\)?(::text)? = ''(inventory_sync|completed)''::(text|character varying)\)*',
                '', 'g'),
              '[() ]|AND', '', 'g')) OPERATOR(pg_catalog.=) '');
      ok := coalesce(index_found, false);
      detail := CASE WHEN ok
        THEN 'an index on (tenant_id, completed_at DESC NULLS LAST, id DESC) exists'
        ELSE pg_catalog.format('create it: CREATE INDEX ON %s (tenant_id, completed_at DESC NULLS LAST, id DESC) WHERE type = ''inventory_sync'' AND status = ''completed''',
                               relation) END;
    ELSE
      SELECT pg_catalog.bool_or(true) INTO index_found
      FROM pg_catalog.pg_index AS i
      WHERE i.indrelid OPERATOR(pg_catalog.=) relation
        AND i.indnkeyatts OPERATOR(pg_catalog.>=) 2
        AND (SELECT pg_catalog.array_agg(a.attname ORDER BY k.position)
             FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute AS a
               ON a.attrelid OPERATOR(pg_catalog.=) relation AND a.attnum OPERATOR(pg_catalog.=) k.attnum
             WHERE k.position OPERATOR(pg_catalog.<=) 2)
            OPERATOR(pg_catalog.=) ARRAY['tenant_id', 'policy_type']::name[]
        AND i.indpred IS NULL;
      ok := coalesce(index_found, false);
      detail := CASE WHEN ok
        THEN 'an index on (tenant_id, policy_type) exists'
        ELSE pg_catalog.format('create it: CREATE INDEX ON %s (tenant_id, policy_type)', relation) END;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.check_sources() IS
  'Returns one row per check of the source settings: relation found, columns and types, the caller''s SELECT privilege, recommended indexes; a failing row says what to do';

-- Resolve a domain to its base type, as the C code does before checking a column.
CREATE FUNCTION @extschema@.base_type(type_oid regtype)
RETURNS regtype
LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH RECURSIVE chain(oid, basetype) AS (
    SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type AS t
    WHERE t.oid OPERATOR(pg_catalog.=) type_oid
    UNION ALL
    SELECT t.oid, t.typbasetype FROM pg_catalog.pg_type AS t
    JOIN chain AS c ON t.oid OPERATOR(pg_catalog.=) c.basetype
  )
  SELECT c.oid::regtype FROM chain AS c
  WHERE c.basetype OPERATOR(pg_catalog.=) 0
$$;
COMMENT ON FUNCTION @extschema@.base_type(regtype) IS
  'Returns the base type of a domain, or the type itself';

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------

CREATE VIEW @extschema@.tenant_coverage_summaries
WITH (security_invoker = true) AS
  SELECT s.* FROM @extschema@.fleet_coverage_summary() AS s;
COMMENT ON VIEW @extschema@.tenant_coverage_summaries IS
  'One coverage summary row per tenant with a row in either source relation, ordered by tenant_id';

CREATE VIEW @extschema@.coverage_follow_ups
WITH (security_invoker = true) AS
  SELECT c.* FROM @extschema@.fleet_coverage() AS c
  WHERE c.follow_up_required;
COMMENT ON VIEW @extschema@.coverage_follow_ups IS
  'Every supported type of every tenant that needs follow-up (failed, skipped or unknown), ordered by tenant_id and catalog order';

GRANT SELECT ON @extschema@.tenant_coverage_summaries, @extschema@.coverage_follow_ups TO PUBLIC;

COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.tenant_id IS 'Tenant id';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.basis_run_id IS 'Run that establishes the coverage; NULL when none';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.basis_run_outcome IS 'Outcome of the basis run';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.basis_completed_at IS 'When the basis run completed';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.has_current_coverage_result IS 'True when a basis run exists';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.supported_type_count IS 'Number of catalog types';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.succeeded_type_count IS 'Types in state succeeded';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.failed_type_count IS 'Types in state failed';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.skipped_type_count IS 'Types in state skipped';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.unknown_type_count IS 'Types the basis run did not report, or all types without a basis';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.follow_up_type_count IS 'failed + skipped + unknown';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.observed_item_total IS 'Inventory items of catalog types currently observed for the tenant';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.calm_claim_allowed IS 'True only with a basis, at least one type and no follow-up';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.basis_age IS 'Transaction time minus basis_completed_at';
COMMENT ON COLUMN @extschema@.tenant_coverage_summaries.basis_is_stale IS 'True when basis_age exceeds coverage_truth.stale_after, or there is no dated basis';

COMMENT ON COLUMN @extschema@.coverage_follow_ups.tenant_id IS 'Tenant id';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.type IS 'Catalog type key';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.segment IS 'policy or foundation';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.label IS 'Display name of the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.category IS 'Display group of the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.platform IS 'Platform of the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.coverage_state IS 'failed, skipped or unknown';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.follow_up_required IS 'Always true in this view';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.observed_item_count IS 'Items of this type currently observed; never changes the state';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.basis_item_count IS 'item_count reported by the basis run';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.basis_error_code IS 'error_code reported by the basis run';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.restore_mode IS 'Restore capability of the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.risk_level IS 'Risk level of the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.supports_dependencies IS 'Whether dependencies are resolved for the type';
COMMENT ON COLUMN @extschema@.coverage_follow_ups.basis_run_id IS 'Run that establishes the state; NULL when none';
