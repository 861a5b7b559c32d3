-- The functions and views that the product's results promise, beyond those
-- pinned in the install test. Each query lists what is missing or differs,
-- so every query must return no row.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;

-- Return the output columns of a function as "name type, ...".
CREATE FUNCTION pg_temp.output_columns(function regprocedure) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT string_agg(format('%s %s', a.name, format_type(a.type, NULL)), ', ' ORDER BY a.position)
    FROM pg_proc AS p,
         unnest(p.proargnames, p.proargmodes::text[], p.proallargtypes)
           WITH ORDINALITY AS a(name, mode, type, position)
   WHERE p.oid = function AND a.mode IN ('o', 't', 'b')
$$;

-- Return the columns of a view as "name type, ...".
CREATE FUNCTION pg_temp.view_columns(view_name text) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT string_agg(format('%s %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    FROM pg_attribute AS a
   WHERE a.attrelid = to_regclass(view_name) AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- Functions that must exist, by signature.
SELECT signature AS missing_function
  FROM (VALUES
    ('coverage_truth.explain_coverage_payload(jsonb)'),
    ('coverage_truth.fleet_coverage_summary(bigint[])'),
    ('coverage_truth.fleet_coverage(bigint[])'),
    ('coverage_truth.run_coverage(bigint)'),
    ('coverage_truth.check_sources()')
  ) AS required(signature)
 WHERE to_regprocedure(signature) IS NULL;

-- Views that must exist.
SELECT name AS missing_view
  FROM (VALUES
    ('coverage_truth.tenant_coverage_summaries'),
    ('coverage_truth.coverage_follow_ups')
  ) AS required(name)
 WHERE to_regclass(name) IS NULL;

-- Output columns that differ from the promised ones. The fleet functions
-- and the views repeat the per-tenant columns.
SELECT name, expected, actual
  FROM (VALUES
    ('explain_coverage_payload',
     'path text, problem text, excerpt text',
     pg_temp.output_columns(to_regprocedure('coverage_truth.explain_coverage_payload(jsonb)'))),
    ('check_sources',
     'check_name text, ok boolean, detail text',
     pg_temp.output_columns(to_regprocedure('coverage_truth.check_sources()'))),
    ('fleet_coverage_summary',
     pg_temp.output_columns('coverage_truth.tenant_coverage_summary(bigint)'),
     pg_temp.output_columns(to_regprocedure('coverage_truth.fleet_coverage_summary(bigint[])'))),
    ('fleet_coverage',
     pg_temp.output_columns('coverage_truth.tenant_coverage(bigint)'),
     pg_temp.output_columns(to_regprocedure('coverage_truth.fleet_coverage(bigint[])'))),
    ('tenant_coverage_summaries',
     pg_temp.output_columns('coverage_truth.tenant_coverage_summary(bigint)'),
     pg_temp.view_columns('coverage_truth.tenant_coverage_summaries')),
    ('coverage_follow_ups',
     pg_temp.output_columns('coverage_truth.tenant_coverage(bigint)'),
     pg_temp.view_columns('coverage_truth.coverage_follow_ups'))
  ) AS c(name, expected, actual)
 WHERE actual IS DISTINCT FROM expected;

-- run_coverage's column names, in order (the contract fixes no types).
SELECT expected, actual
  FROM (SELECT 'run_id, tenant_id, type, segment, label, coverage_state, item_count, error_code, run_is_basis, basis_run_id'::text,
               (SELECT string_agg(a.name, ', ' ORDER BY a.position)
                  FROM pg_proc AS p,
                       unnest(p.proargnames, p.proargmodes::text[])
                         WITH ORDINALITY AS a(name, mode, position)
                 WHERE p.oid = to_regprocedure('coverage_truth.run_coverage(bigint)')
                   AND a.mode IN ('o', 't', 'b'))
       ) AS c(expected, actual)
 WHERE actual IS DISTINCT FROM expected;

-- Output column names of the functions that report coverage over time, in order.
SELECT name, expected, actual
  FROM (VALUES
    ('tenant_coverage_at(bigint,timestamp with time zone)',
     'tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required, observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level, supports_dependencies, basis_run_id'),
    ('tenant_coverage_summary_at(bigint,timestamp with time zone)',
     'tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result, supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count, unknown_type_count, follow_up_type_count, observed_item_total, calm_claim_allowed, basis_age, basis_is_stale'),
    ('run_coverage_diff(bigint,bigint)',
     'type, segment, from_state, to_state, change'),
    ('tenant_coverage_changes(bigint,timestamp with time zone)',
     'type, segment, from_state, to_state, change'),
    ('tenant_last_success(bigint)',
     'type, segment, last_succeeded_run_id, last_succeeded_at, parseable_runs_since'),
    ('tenant_coverage_history(bigint,timestamp with time zone,timestamp with time zone)',
     'run_id, completed_at, outcome, supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count, unknown_type_count, follow_up_type_count')
  ) AS f(name, expected)
  LEFT JOIN LATERAL (
    SELECT string_agg(a.name, ', ' ORDER BY a.position) AS actual
      FROM pg_proc AS p,
           unnest(p.proargnames, p.proargmodes::text[])
             WITH ORDINALITY AS a(name, mode, position)
     WHERE p.oid = to_regprocedure('coverage_truth.' || f.name)
       AND a.mode IN ('o', 't', 'b')
  ) AS c ON true
 WHERE actual IS DISTINCT FROM expected;

-- The fleet functions take tenant_ids, NULL by default (every tenant).
SELECT signature AS without_null_default
  FROM (VALUES
    ('coverage_truth.fleet_coverage_summary(bigint[])'),
    ('coverage_truth.fleet_coverage(bigint[])')
  ) AS f(signature)
 WHERE to_regprocedure(f.signature) IS NULL
    OR pg_get_function_arguments(to_regprocedure(f.signature))
       NOT LIKE 'tenant_ids bigint[] DEFAULT NULL%';
