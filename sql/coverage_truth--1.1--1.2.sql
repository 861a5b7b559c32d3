/* coverage_truth--1.1--1.2.sql: coverage over time, derived from the runs */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION coverage_truth UPDATE TO '1.2'" to load this file. \quit

CREATE FUNCTION @extschema@.tenant_coverage_at(
  tenant_id bigint,
  at timestamptz,
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
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage_at'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage_at(bigint, timestamptz) IS
  'Returns tenant_coverage as it stood at a moment: the basis is the newest candidate completed at or before it; observed_item_count is NULL';

CREATE FUNCTION @extschema@.tenant_coverage_summary_at(
  tenant_id bigint,
  at timestamptz,
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
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage_summary_at'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage_summary_at(bigint, timestamptz) IS
  'Returns tenant_coverage_summary as it stood at a moment; basis_age is measured at that moment and observed_item_total is NULL';

CREATE FUNCTION @extschema@.run_coverage_diff(
  from_run_id bigint,
  to_run_id bigint,
  OUT type text,
  OUT segment @extschema@.type_segment,
  OUT from_state @extschema@.coverage_state,
  OUT to_state @extschema@.coverage_state,
  OUT change text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_run_coverage_diff'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.run_coverage_diff(bigint, bigint) IS
  'Returns, per catalog type, the states two runs of one tenant report and the change: regressed, recovered, changed or unchanged';

CREATE FUNCTION @extschema@.tenant_coverage_changes(
  tenant_id bigint,
  since timestamptz,
  OUT type text,
  OUT segment @extschema@.type_segment,
  OUT from_state @extschema@.coverage_state,
  OUT to_state @extschema@.coverage_state,
  OUT change text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage_changes'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage_changes(bigint, timestamptz) IS
  'Returns, per catalog type, the change from the basis as of a moment to the current basis';

CREATE FUNCTION @extschema@.tenant_last_success(
  tenant_id bigint,
  OUT type text,
  OUT segment @extschema@.type_segment,
  OUT last_succeeded_run_id bigint,
  OUT last_succeeded_at timestamptz,
  OUT parseable_runs_since bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_last_success'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_last_success(bigint) IS
  'Returns, per catalog type, the newest parseable candidate run in which it succeeded and how many parseable runs are newer; informational only';

CREATE FUNCTION @extschema@.tenant_coverage_history(
  tenant_id bigint,
  from_at timestamptz,
  to_at timestamptz,
  OUT run_id bigint,
  OUT completed_at timestamptz,
  OUT outcome text,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'coverage_truth_tenant_coverage_history'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.tenant_coverage_history(bigint, timestamptz, timestamptz) IS
  'Returns one row per parseable candidate run completed in the window, oldest first, with the counts that run alone establishes against the current catalog';
