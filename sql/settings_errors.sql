-- Source relation settings and the errors for unusable sources. Every error
-- is a configuration problem: SQLSTATE class 42, a message naming the
-- setting or relation and the value, and a hint with the fix.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

CREATE TABLE public.operation_runs (
  id bigint PRIMARY KEY,
  tenant_id bigint NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  context jsonb,
  completed_at timestamptz
);
CREATE TABLE public.inventory_items (
  tenant_id bigint NOT NULL,
  policy_type text NOT NULL
);
INSERT INTO public.operation_runs VALUES
  (1, 1, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "failed"}}}}}',
   '2024-03-01 10:00:00+00');

-- Run QUERY and return its error's SQLSTATE, message, detail and hint, or
-- the code 'none' when it succeeds.
CREATE FUNCTION pg_temp.error_of(query text,
  OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE query;
  code := 'none';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END
$$;

-- The defaults name public.operation_runs and public.inventory_items.
SELECT coverage_state, count(*) FROM coverage_truth.tenant_coverage(1)
 GROUP BY 1 ORDER BY 1;
SHOW coverage_truth.operation_runs_relation;
SHOW coverage_truth.inventory_items_relation;

\x on

------------------------------------------------------------------------------
-- Setting values that name no usable relation
------------------------------------------------------------------------------
SET coverage_truth.operation_runs_relation = 'operation_runs';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');
-- The summary checks the same setting.
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');

SET coverage_truth.operation_runs_relation = 'public.no_such_runs';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

SET coverage_truth.operation_runs_relation = 'no_such_schema.operation_runs';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

SET coverage_truth.operation_runs_relation = '';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

SET coverage_truth.operation_runs_relation = 'public.operation_runs_pkey';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

RESET coverage_truth.operation_runs_relation;

SET coverage_truth.inventory_items_relation = 'inventory_items';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

SET coverage_truth.inventory_items_relation = 'public.no_such_items';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage_summary(1)');

RESET coverage_truth.inventory_items_relation;

------------------------------------------------------------------------------
-- Missing columns and unusable column types
------------------------------------------------------------------------------
CREATE VIEW public.runs_without_context AS
  SELECT id, tenant_id, type, status, outcome, completed_at FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_without_context';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.runs_text_context AS
  SELECT id, tenant_id, type, status, outcome, context::text AS context, completed_at
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_text_context';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.runs_numeric_id AS
  SELECT id::numeric AS id, tenant_id, type, status, outcome, context, completed_at
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_numeric_id';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.runs_text_tenant AS
  SELECT id, tenant_id::text AS tenant_id, type, status, outcome, context, completed_at
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_text_tenant';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.runs_integer_status AS
  SELECT id, tenant_id, type, 1 AS status, outcome, context, completed_at
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_integer_status';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.runs_date_completed AS
  SELECT id, tenant_id, type, status, outcome, context, completed_at::date AS completed_at
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.runs_date_completed';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

RESET coverage_truth.operation_runs_relation;

CREATE VIEW public.items_without_policy_type AS
  SELECT tenant_id FROM public.inventory_items;
SET coverage_truth.inventory_items_relation = 'public.items_without_policy_type';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

CREATE VIEW public.items_integer_policy_type AS
  SELECT tenant_id, 7 AS policy_type FROM public.inventory_items;
SET coverage_truth.inventory_items_relation = 'public.items_integer_policy_type';
SELECT * FROM pg_temp.error_of('SELECT * FROM coverage_truth.tenant_coverage(1)');

RESET coverage_truth.inventory_items_relation;

\x off

-- The full message as psql prints it, for one unqualified value.
SET coverage_truth.operation_runs_relation = 'operation_runs';
SELECT * FROM coverage_truth.tenant_coverage(1);
RESET coverage_truth.operation_runs_relation;

-- After RESET the defaults work again.
SELECT coverage_state, count(*) FROM coverage_truth.tenant_coverage(1)
 GROUP BY 1 ORDER BY 1;

DROP VIEW public.runs_without_context, public.runs_text_context,
  public.runs_numeric_id, public.runs_text_tenant, public.runs_integer_status,
  public.runs_date_completed, public.items_without_policy_type,
  public.items_integer_policy_type;
DROP TABLE public.operation_runs, public.inventory_items;
