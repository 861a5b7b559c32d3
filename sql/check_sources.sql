-- check_sources(): one row per check of the source settings, no error for
-- any setting, and a failing row's detail tells the fix.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
DROP ROLE IF EXISTS regress_coverage_checker;
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

-- Usable sources without the recommended indexes. The details name the
-- caller, shown as <caller> so the output does not depend on the user name.
SELECT check_name, ok, replace(detail, current_user, '<caller>') AS detail
  FROM coverage_truth.check_sources();

-- The statements that the failing rows suggest create indexes that pass.
SELECT substring(detail FROM 'CREATE INDEX .*$')
  FROM coverage_truth.check_sources()
 WHERE NOT ok \gexec
SELECT check_name, ok FROM coverage_truth.check_sources();

-- An index in the wrong direction does not count.
DROP INDEX public.operation_runs_tenant_id_completed_at_id_idx;
CREATE INDEX runs_ascending ON public.operation_runs (tenant_id, completed_at, id);
SELECT check_name, ok FROM coverage_truth.check_sources()
 WHERE check_name = 'operation_runs recommended index';
DROP INDEX public.runs_ascending;

-- Unusable settings: each source is checked on its own.
SET coverage_truth.operation_runs_relation = 'operation_runs';
SET coverage_truth.inventory_items_relation = 'public.no_such_items';
SELECT * FROM coverage_truth.check_sources();

SET coverage_truth.operation_runs_relation = '"unterminated';
SET coverage_truth.inventory_items_relation = 'a.b.c';
SELECT * FROM coverage_truth.check_sources();

-- A view with a missing column and wrongly typed ones; a view's indexes
-- cannot be checked.
CREATE VIEW public.bad_runs AS
  SELECT id::numeric AS id, tenant_id, type, status, outcome, context::text AS context
    FROM public.operation_runs;
SET coverage_truth.operation_runs_relation = 'public.bad_runs';
RESET coverage_truth.inventory_items_relation;
SELECT check_name, ok, replace(detail, current_user, '<caller>') AS detail
  FROM coverage_truth.check_sources()
 WHERE check_name LIKE 'operation_runs %';

-- A domain over an accepted type is accepted, here and by the functions.
CREATE DOMAIN public.type_key AS varchar(100);
CREATE VIEW public.domain_items AS
  SELECT tenant_id, policy_type::public.type_key AS policy_type FROM public.inventory_items;
RESET coverage_truth.operation_runs_relation;
SET coverage_truth.inventory_items_relation = 'public.domain_items';
SELECT check_name, ok FROM coverage_truth.check_sources()
 WHERE check_name = 'inventory_items columns';
SELECT count(*) FROM coverage_truth.tenant_coverage(1);
RESET coverage_truth.inventory_items_relation;

-- A caller without SELECT on one column gets a failing privilege row, not
-- an error.
CREATE ROLE regress_coverage_checker;
GRANT SELECT (id, tenant_id, type, status, outcome, completed_at)
  ON public.operation_runs TO regress_coverage_checker;
GRANT SELECT ON public.inventory_items TO regress_coverage_checker;
SET ROLE regress_coverage_checker;
SELECT * FROM coverage_truth.check_sources()
 WHERE check_name LIKE '% select privilege';
RESET ROLE;

DROP VIEW public.bad_runs, public.domain_items;
DROP DOMAIN public.type_key;
DROP TABLE public.operation_runs, public.inventory_items;
DROP ROLE regress_coverage_checker;
