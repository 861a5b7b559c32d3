-- explain_coverage_payload(): one finding per reason that a context, a list,
-- an entry or a member is not used. Each case below must run without an error.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

-- Wrap a coverage object in the context shape that the parser reads.
CREATE FUNCTION pg_temp.payload(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage)) $$;

-- Payloads used in full have no finding, whichever lists they carry.
SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.payload('{
  "policy_types": {"deviceConfiguration": {"status": "succeeded", "item_count": 3}},
  "foundation_types": [{"type": "roleScopeTag", "status": "failed", "error_code": "E1"}]}'));
SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.payload('{
  "policy_types": {"deviceConfiguration": {"status": "succeeded", "item_count": 3}}}'));
SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.payload('{
  "foundation_types": [{"type": "roleScopeTag", "status": "skipped"}]}'));

-- An absent list is no JSON null: no finding may quote a null excerpt that
-- the payload does not contain.
SELECT path, problem, excerpt
  FROM coverage_truth.explain_coverage_payload(pg_temp.payload('{}'))
 WHERE excerpt = 'null';

-- A context that cannot be a basis gets a finding on the step that fails.
CREATE TEMP TABLE cases (id serial, name text, context jsonb);
INSERT INTO cases (name, context) VALUES
  ('empty object', '{}'),
  ('JSON null', 'null'),
  ('top-level array', '[]'),
  ('inventory array', '{"inventory": []}'),
  ('coverage missing', '{"inventory": {}}'),
  ('coverage string', '{"inventory": {"coverage": "{\"policy_types\": {}}"}}'),
  ('double-encoded context', to_jsonb('{"inventory": {"coverage": {"policy_types": {}}}}'::text)),
  ('lists of other JSON types', pg_temp.payload('{"policy_types": "x", "foundation_types": 7}'));
SELECT c.id, c.name, e.path, e.problem, e.excerpt
  FROM cases AS c
  LEFT JOIN LATERAL coverage_truth.explain_coverage_payload(c.context) AS e ON true
 ORDER BY c.id, e.path COLLATE "C", e.problem COLLATE "C";

-- Every such context is also unparseable.
SELECT count(*) FILTER (WHERE coverage_truth.coverage_is_parseable(context)) AS parseable
  FROM cases;
TRUNCATE cases;

-- Dropped entries and ignored members, in both forms; both lists present and
-- every type in the catalog, so each finding is about the entry itself.
INSERT INTO cases (name, context) VALUES
  ('bad status', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": {"status": "bogus"}}}')),
  ('missing status', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": {"item_count": 1}}}')),
  ('entry not an object', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": "succeeded"}}')),
  ('array entry not an object', pg_temp.payload('{"policy_types": {},
     "foundation_types": [1]}')),
  ('empty type', pg_temp.payload('{"policy_types": {},
     "foundation_types": [{"type": "", "status": "failed"}]}')),
  ('bad item_count', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": {"status": "failed", "item_count": -1}}}')),
  ('bad error_code', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": {"status": "failed", "error_code": 5}}}')),
  ('error_code on success', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"mobileApp": {"status": "succeeded", "error_code": "E"}}}')),
  ('replaced entry', pg_temp.payload('{"policy_types": {},
     "foundation_types": [{"type": "roleScopeTag", "status": "failed"},
                          {"type": "roleScopeTag", "status": "succeeded"}]}')),
  ('type not in catalog', pg_temp.payload('{"foundation_types": {},
     "policy_types": {"notInCatalog": {"status": "succeeded"}}}'));
SELECT c.id, c.name, e.path, e.problem, e.excerpt
  FROM cases AS c
  LEFT JOIN LATERAL coverage_truth.explain_coverage_payload(c.context) AS e ON true
 ORDER BY c.id, e.path COLLATE "C", e.problem COLLATE "C";
TRUNCATE cases;

-- Long values are cut in the excerpt, and hostile values raise no error.
SELECT length(excerpt) < 200 AS excerpt_is_short
  FROM coverage_truth.explain_coverage_payload(pg_temp.payload(jsonb_build_object(
         'foundation_types', '{}'::jsonb,
         'policy_types', jsonb_build_object('mobileApp',
           jsonb_build_object('status', repeat('x', 100000))))));
SELECT count(*) > 0 AS has_findings
  FROM coverage_truth.explain_coverage_payload(pg_temp.payload(jsonb_build_object(
         'policy_types', (repeat('[', 5000) || repeat(']', 5000))::jsonb)));
-- 9,999 replaced entries: 999 are listed, then one row counts the rest.
SELECT count(*) AS findings
  FROM coverage_truth.explain_coverage_payload(pg_temp.payload(jsonb_build_object(
         'foundation_types', '{}'::jsonb,
         'policy_types', (SELECT jsonb_agg(jsonb_build_object('type', 'mobileApp', 'status', 'failed'))
                            FROM generate_series(1, 10000)))));
