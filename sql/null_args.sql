-- NULL arguments give an empty result, never an error, and read no source
-- relation: the settings below point at relations that do not exist.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

SET coverage_truth.operation_runs_relation = 'public.no_such_runs';
SET coverage_truth.inventory_items_relation = 'public.no_such_items';

SELECT count(*) AS parse_rows FROM coverage_truth.parse_coverage(NULL);
SELECT count(*) AS tenant_rows FROM coverage_truth.tenant_coverage(NULL);
SELECT count(*) AS summary_rows FROM coverage_truth.tenant_coverage_summary(NULL);

SELECT count(*) AS run_rows FROM coverage_truth.run_coverage(NULL);
SELECT count(*) AS explain_rows FROM coverage_truth.explain_coverage_payload(NULL);

-- Functions of more than one argument: a NULL in any position.
SELECT count(*) AS at_rows FROM coverage_truth.tenant_coverage_at(NULL, now());
SELECT count(*) AS at_rows FROM coverage_truth.tenant_coverage_at(1, NULL);
SELECT count(*) AS summary_at_rows FROM coverage_truth.tenant_coverage_summary_at(NULL, now());
SELECT count(*) AS summary_at_rows FROM coverage_truth.tenant_coverage_summary_at(1, NULL);
SELECT count(*) AS diff_rows FROM coverage_truth.run_coverage_diff(NULL, 1);
SELECT count(*) AS diff_rows FROM coverage_truth.run_coverage_diff(1, NULL);
SELECT count(*) AS changes_rows FROM coverage_truth.tenant_coverage_changes(NULL, now());
SELECT count(*) AS changes_rows FROM coverage_truth.tenant_coverage_changes(1, NULL);
SELECT count(*) AS last_success_rows FROM coverage_truth.tenant_last_success(NULL);
SELECT count(*) AS history_rows FROM coverage_truth.tenant_coverage_history(NULL, now(), now());
SELECT count(*) AS history_rows FROM coverage_truth.tenant_coverage_history(1, NULL, now());
SELECT count(*) AS history_rows FROM coverage_truth.tenant_coverage_history(1, now(), NULL);

-- A NULL context is simply unparseable.
SELECT coverage_truth.coverage_is_parseable(NULL) AS parseable;

-- A NULL from a column behaves the same as a NULL literal.
SELECT t.id, count(p.type) AS parse_rows, coverage_truth.coverage_is_parseable(t.context) AS parseable
  FROM (VALUES (1, NULL::jsonb), (2, '{}'::jsonb)) AS t(id, context)
  LEFT JOIN LATERAL coverage_truth.parse_coverage(t.context) AS p ON true
 GROUP BY t.id, t.context
 ORDER BY t.id;

SELECT t.tenant, count(c.type) AS tenant_rows, count(s.tenant_id) AS summary_rows
  FROM (VALUES (NULL::bigint)) AS t(tenant)
  LEFT JOIN LATERAL coverage_truth.tenant_coverage(t.tenant) AS c ON true
  LEFT JOIN LATERAL coverage_truth.tenant_coverage_summary(t.tenant) AS s ON true
 GROUP BY t.tenant;

RESET coverage_truth.operation_runs_relation;
RESET coverage_truth.inventory_items_relation;
