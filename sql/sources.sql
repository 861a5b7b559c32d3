-- Source relations that the settings may name: views that rename a host's
-- columns, every accepted column type, quoted names, and json contexts.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

CREATE SCHEMA host;

-- A host schema with other column names and the narrowest accepted types:
-- integer keys, varchar text, a json context, timestamp without time zone.
CREATE TABLE host."Sync Runs" (
  run_no integer PRIMARY KEY,
  customer smallint NOT NULL,
  kind varchar(40) NOT NULL,
  state varchar(20) NOT NULL,
  result varchar(20),
  payload json,
  finished timestamp
);
CREATE TABLE host.items (
  customer integer NOT NULL,
  kind varchar(60) NOT NULL
);

CREATE VIEW host.runs AS
  SELECT run_no AS id, customer AS tenant_id, kind AS type, state AS status,
         result AS outcome, payload AS context, finished AS completed_at
    FROM host."Sync Runs";
CREATE VIEW host.inventory AS
  SELECT customer AS tenant_id, kind AS policy_type FROM host.items;

SET coverage_truth.operation_runs_relation = 'host.runs';
SET coverage_truth.inventory_items_relation = 'host.inventory';

-- Run 1 is older and parseable. Run 2 is newer, but its json context
-- contains \u0000, which jsonb cannot store. So run 2 is unparseable, run 1
-- stays the basis, and the call must not fail.
INSERT INTO host."Sync Runs" VALUES
  (1, 5, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "succeeded", "item_count": 2}},
                                "foundation_types": {"roleScopeTag": {"status": "failed", "error_code": "E1"}}}}}',
   '2024-03-01 10:00:00'),
  (2, 5, 'inventory_sync', 'completed', 'failed',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "failed", "error_code": "a\u0000b"}}}}}',
   '2024-03-02 10:00:00');
INSERT INTO host.items VALUES (5, 'mobileApp'), (5, 'mobileApp'), (5, 'roleScopeTag'), (6, 'mobileApp');

SELECT type, coverage_state, observed_item_count, basis_item_count, basis_error_code, basis_run_id
  FROM coverage_truth.tenant_coverage(5)
 WHERE type IN ('mobileApp', 'roleScopeTag')
 ORDER BY type COLLATE "C";

SELECT basis_run_id, basis_run_outcome, has_current_coverage_result,
       succeeded_type_count, failed_type_count, unknown_type_count, observed_item_total
  FROM coverage_truth.tenant_coverage_summary(5);

-- A timestamp without time zone is read in the session TimeZone, as
-- PostgreSQL's own cast to timestamptz reads it.
SET TimeZone = 'UTC';
SELECT basis_completed_at AT TIME ZONE 'UTC' AS utc,
       basis_completed_at = '2024-03-01 10:00:00'::timestamp::timestamptz AS same_as_cast
  FROM coverage_truth.tenant_coverage_summary(5);
SET TimeZone = 'America/New_York';
SELECT basis_completed_at AT TIME ZONE 'UTC' AS utc,
       basis_completed_at = '2024-03-01 10:00:00'::timestamp::timestamptz AS same_as_cast
  FROM coverage_truth.tenant_coverage_summary(5);
RESET TimeZone;

-- A quoted, mixed-case relation name with a space, named directly. It has
-- the host's column names, so the error names the first missing column.
SET coverage_truth.operation_runs_relation = 'host."Sync Runs"';
SELECT * FROM coverage_truth.tenant_coverage(5);

-- A quoted table with the expected column names works.
CREATE TABLE host."Runs" (
  id bigint, tenant_id integer, type text, status text, outcome text,
  context jsonb, completed_at timestamptz
);
INSERT INTO host."Runs" VALUES
  (10, 5, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"policy_types": {"mobileApp": {"status": "skipped"}}}}}',
   '2024-04-01 00:00:00+00');
SET coverage_truth.operation_runs_relation = 'host."Runs"';
SELECT type, coverage_state, basis_run_id
  FROM coverage_truth.tenant_coverage(5)
 WHERE type = 'mobileApp';

-- A partitioned table is a table too.
CREATE TABLE host.runs_by_tenant (
  id bigint, tenant_id bigint, type text, status text, outcome text,
  context jsonb, completed_at timestamptz
) PARTITION BY LIST (tenant_id);
CREATE TABLE host.runs_by_tenant_5 PARTITION OF host.runs_by_tenant FOR VALUES IN (5);
INSERT INTO host.runs_by_tenant VALUES
  (20, 5, 'inventory_sync', 'completed', 'succeeded',
   '{"inventory": {"coverage": {"foundation_types": [{"type": "assignmentFilter", "status": "succeeded"}]}}}',
   '2024-05-01 00:00:00+00');
SET coverage_truth.operation_runs_relation = 'host.runs_by_tenant';
SELECT type, coverage_state, basis_run_id
  FROM coverage_truth.tenant_coverage(5)
 WHERE coverage_state <> 'unknown';

RESET coverage_truth.operation_runs_relation;
RESET coverage_truth.inventory_items_relation;
SET client_min_messages = warning;
DROP SCHEMA host CASCADE;
RESET client_min_messages;
