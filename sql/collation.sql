-- Row order is byte order of the type key even in a database whose default
-- collation sorts otherwise: ICU en-US puts "a3" before "A4" before "b1",
-- byte order puts every upper-case key first.
SELECT current_database() AS regress_database \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS coverage_truth_icu;
RESET client_min_messages;
CREATE DATABASE coverage_truth_icu TEMPLATE template0 ENCODING 'UTF8'
  LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
\c coverage_truth_icu
CREATE EXTENSION coverage_truth;

SELECT datlocprovider, daticulocale FROM pg_database WHERE datname = current_database();

CREATE TABLE public.operation_runs (
  id bigint, tenant_id bigint, type text, status text, outcome text,
  context jsonb, completed_at timestamptz
);
CREATE TABLE public.inventory_items (tenant_id bigint, policy_type text);

DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('b1', 'policy', 'b1', 'Test', 5),
  ('B2', 'policy', 'B2', 'Test', 5),
  ('a3', 'policy', 'a3', 'Test', 5),
  ('A4', 'policy', 'A4', 'Test', 5),
  ('_5', 'policy', '_5', 'Test', 5),
  ('f1', 'foundation', 'f1', 'Test', 5),
  ('F2', 'foundation', 'F2', 'Test', 5);

-- The database's own order, for contrast.
SELECT string_agg(type, ' ' ORDER BY type) AS database_order
  FROM coverage_truth.supported_types WHERE segment = 'policy';

SELECT type, segment FROM coverage_truth.tenant_coverage(1);

\c :regress_database
DROP DATABASE coverage_truth_icu;
