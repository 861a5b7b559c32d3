-- The payload parser: parse_coverage() and coverage_is_parseable().
-- Each case names the rule it pins. A case that parses to no entry shows one
-- row with an empty type.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS coverage_truth;
RESET client_min_messages;
\pset null '<NULL>'

-- Wrap a coverage object in the context shape that the parser reads.
CREATE FUNCTION pg_temp.payload(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage)) $$;

CREATE TEMP TABLE cases (id serial, name text, context jsonb);

-- Show every case of the table with its parseable flag and accepted entries,
-- then empty the table for the next group.
CREATE FUNCTION pg_temp.parsed_cases()
RETURNS TABLE (id integer, name text, parseable boolean,
               segment coverage_truth.type_segment, type text,
               status coverage_truth.coverage_state, item_count bigint,
               error_code text)
LANGUAGE sql
AS $$
  SELECT c.id, c.name, coverage_truth.coverage_is_parseable(c.context),
         p.segment, p.type, p.status, p.item_count, p.error_code
    FROM pg_temp.cases AS c
    LEFT JOIN LATERAL coverage_truth.parse_coverage(c.context) AS p ON true
   ORDER BY c.id, p.segment, p.type COLLATE "C"
$$;

------------------------------------------------------------------------------
-- Object form and array form
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('object form, both lists', pg_temp.payload('{
     "policy_types": {
       "deviceConfiguration": {"status": "succeeded", "item_count": 12},
       "mobileApp": {"status": "failed", "error_code": "throttled"},
       "windowsUpdateRing": {"status": "skipped", "error_code": "not_licensed"}},
     "foundation_types": {
       "assignmentFilter": {"status": "succeeded", "item_count": 0}}}')),
  ('array form, both lists', pg_temp.payload('{
     "policy_types": [
       {"type": "deviceConfiguration", "status": "succeeded", "item_count": 3},
       {"type": "mobileApp", "status": "failed", "error_code": "timeout"}],
     "foundation_types": [
       {"type": "roleScopeTag", "status": "skipped"}]}')),
  ('object form and array form mixed', pg_temp.payload('{
     "policy_types": {"deviceConfiguration": {"status": "succeeded"}},
     "foundation_types": [{"type": "roleScopeTag", "status": "failed"}]}')),
  ('extra members and keys ignored', '{
     "run": 7,
     "inventory": {"started": true, "coverage": {"version": 2,
       "policy_types": {"mobileApp": {"status": "succeeded", "item_count": 2,
                                      "extra": [1, 2], "notes": null}}}}}'),
  ('types are not limited to the catalog', pg_temp.payload('{
     "policy_types": {"somethingNew": {"status": "succeeded"}}}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Status: trimmed of JSON white space, ASCII case ignored, three values only
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('upper case', pg_temp.payload('{"policy_types": {"a": {"status": "SUCCEEDED"}}}')),
  ('mixed case', pg_temp.payload('{"policy_types": {"a": {"status": "FaIlEd"}}}')),
  ('spaces around', pg_temp.payload('{"policy_types": {"a": {"status": "  skipped  "}}}')),
  ('tab, line feed, carriage return', pg_temp.payload('{"policy_types": {"a": {"status": "\t\r\nSucceeded\n\r\t"}}}')),
  ('inner space', pg_temp.payload('{"policy_types": {"a": {"status": "suc ceeded"}}}')),
  ('no-break space', pg_temp.payload('{"policy_types": {"a": {"status": "\u00a0succeeded"}}}')),
  ('vertical tab', pg_temp.payload('{"policy_types": {"a": {"status": "\u000bsucceeded"}}}')),
  ('form feed', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded\f"}}}')),
  ('non-ASCII case fold', pg_temp.payload('{"policy_types": {"a": {"status": "\u017fkipped"}}}')),
  ('trailing dot', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded."}}}')),
  ('prefix only', pg_temp.payload('{"policy_types": {"a": {"status": "succeed"}}}')),
  ('unknown is no payload status', pg_temp.payload('{"policy_types": {"a": {"status": "unknown"}}}')),
  ('other word', pg_temp.payload('{"policy_types": {"a": {"status": "success"}}}')),
  ('empty string', pg_temp.payload('{"policy_types": {"a": {"status": ""}}}')),
  ('white space only', pg_temp.payload('{"policy_types": {"a": {"status": " \t "}}}')),
  ('JSON null', pg_temp.payload('{"policy_types": {"a": {"status": null}}}')),
  ('number', pg_temp.payload('{"policy_types": {"a": {"status": 1}}}')),
  ('boolean', pg_temp.payload('{"policy_types": {"a": {"status": true}}}')),
  ('array holding the word', pg_temp.payload('{"policy_types": {"a": {"status": ["succeeded"]}}}')),
  ('object', pg_temp.payload('{"policy_types": {"a": {"status": {"value": "succeeded"}}}}')),
  ('missing', pg_temp.payload('{"policy_types": {"a": {"state": "succeeded"}}}')),
  ('status key case-sensitive', pg_temp.payload('{"policy_types": {"a": {"Status": "succeeded"}}}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Entries that are not JSON objects, and the array form's type member
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('object form, string entry', pg_temp.payload('{"policy_types": {"a": "succeeded"}}')),
  ('object form, null entry', pg_temp.payload('{"policy_types": {"a": null}}')),
  ('object form, array entry', pg_temp.payload('{"policy_types": {"a": [{"status": "succeeded"}]}}')),
  ('object form, number entry', pg_temp.payload('{"policy_types": {"a": 1}}')),
  ('array form, scalar entries', pg_temp.payload('{"policy_types": ["a", 1, null, true, []]}')),
  ('array form, missing type', pg_temp.payload('{"policy_types": [{"status": "succeeded"}]}')),
  ('array form, empty type', pg_temp.payload('{"policy_types": [{"type": "", "status": "succeeded"}]}')),
  ('array form, number type', pg_temp.payload('{"policy_types": [{"type": 1, "status": "succeeded"}]}')),
  ('array form, null type', pg_temp.payload('{"policy_types": [{"type": null, "status": "succeeded"}]}')),
  ('array form, object type', pg_temp.payload('{"policy_types": [{"type": {"name": "a"}, "status": "succeeded"}]}')),
  ('dropped entries do not hide kept ones', pg_temp.payload('{"policy_types": [
     1, {"type": "a", "status": "bogus"}, {"type": "b", "status": "failed"}, "c"]}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Type names match exactly: no trimming, case kept
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('object keys kept as written', pg_temp.payload('{"policy_types": {
     "DeviceConfiguration": {"status": "succeeded"},
     " deviceConfiguration ": {"status": "failed"},
     "deviceConfiguration": {"status": "skipped"}}}')),
  ('array types kept as written', pg_temp.payload('{"policy_types": [
     {"type": "mobileapp", "status": "succeeded"},
     {"type": "mobileApp\t", "status": "failed"},
     {"type": "mobileApp", "status": "skipped"}]}'));
-- JSON quoting shows the white space in the type names.
SELECT c.id, c.name, to_json(p.type) AS type_as_json, p.status
  FROM pg_temp.cases AS c
  JOIN LATERAL coverage_truth.parse_coverage(c.context) AS p ON true
 ORDER BY c.id, p.type COLLATE "C";
TRUNCATE cases;

------------------------------------------------------------------------------
-- item_count: an integral JSON number from 0 to 2^63-1, else NULL; the entry
-- stays accepted either way
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('0', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 0}}}')),
  ('42', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 42}}}')),
  ('5.0', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 5.0}}}')),
  ('1e2', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1e2}}}')),
  ('1E+2', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1E+2}}}')),
  ('250e-2', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 250e-2}}}')),
  ('300e-2', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 300e-2}}}')),
  ('-0', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": -0}}}')),
  ('-0.0', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": -0.0}}}')),
  ('-1', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": -1}}}')),
  ('1.5', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1.5}}}')),
  ('0.5', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 0.5}}}')),
  ('1e-400', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1e-400}}}')),
  ('2^63-1', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 9223372036854775807}}}')),
  ('2^63-1 as 9223372036854775807.000', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 9223372036854775807.000}}}')),
  ('2^63', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 9223372036854775808}}}')),
  ('-2^63', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": -9223372036854775808}}}')),
  ('1e19', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1e19}}}')),
  ('1e100000', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": 1e100000}}}')),
  ('string "7"', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": "7"}}}')),
  ('boolean', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": true}}}')),
  ('JSON null', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": null}}}')),
  ('array', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "item_count": [7]}}}')),
  ('missing', pg_temp.payload('{"policy_types": {"a": {"status": "failed"}}}')),
  ('array form keeps it too', pg_temp.payload('{"foundation_types": [{"type": "a", "status": "skipped", "item_count": 8}]}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- error_code: a non-empty JSON string, kept only when the status is not
-- succeeded
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('failed with code', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": "throttled"}}}')),
  ('skipped with code', pg_temp.payload('{"policy_types": {"a": {"status": "skipped", "error_code": "not_licensed"}}}')),
  ('succeeded drops the code', pg_temp.payload('{"policy_types": {"a": {"status": "succeeded", "error_code": "stale"}}}')),
  ('padded SUCCEEDED drops the code', pg_temp.payload('{"policy_types": {"a": {"status": " SUCCEEDED ", "error_code": "stale"}}}')),
  ('padded FAILED keeps the code', pg_temp.payload('{"policy_types": {"a": {"status": " FAILED ", "error_code": "E1"}}}')),
  ('empty string', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": ""}}}')),
  ('space is not empty, kept as is', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": " "}}}')),
  ('code text is not trimmed', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": " E2 "}}}')),
  ('number', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": 500}}}')),
  ('JSON null', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": null}}}')),
  ('object', pg_temp.payload('{"policy_types": {"a": {"status": "failed", "error_code": {"code": "E3"}}}}')),
  ('array form keeps it too', pg_temp.payload('{"foundation_types": [{"type": "a", "status": "failed", "error_code": "E4"}]}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Duplicates: the last accepted entry for a type in one list wins; a type
-- may appear in both lists, once per list
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('array form, last entry wins', pg_temp.payload('{"policy_types": [
     {"type": "a", "status": "failed", "error_code": "E1", "item_count": 1},
     {"type": "a", "status": "succeeded", "item_count": 2}]}')),
  ('array form, dropped entry does not win', pg_temp.payload('{"policy_types": [
     {"type": "a", "status": "failed", "error_code": "E1"},
     {"type": "a", "status": "bogus", "item_count": 9},
     {"type": "a"}]}')),
  ('array form, three entries', pg_temp.payload('{"policy_types": [
     {"type": "a", "status": "succeeded"},
     {"type": "a", "status": "skipped"},
     {"type": "a", "status": "failed", "error_code": "E3"}]}')),
  -- jsonb keeps only the last of duplicate object keys, so the parser reads
  -- only the last entry, even when that entry is dropped.
  ('object form, jsonb keeps the last key', pg_temp.payload('{"policy_types": {
     "a": {"status": "failed"}, "a": {"status": "succeeded"}}}')),
  ('object form, last key dropped', pg_temp.payload('{"policy_types": {
     "a": {"status": "failed"}, "a": {"status": "bogus"}}}')),
  ('type in both lists', pg_temp.payload('{
     "policy_types": {"assignmentFilter": {"status": "failed", "error_code": "P"}},
     "foundation_types": {"assignmentFilter": {"status": "succeeded", "item_count": 4}}}')),
  ('type in both lists, array form', pg_temp.payload('{
     "policy_types": [{"type": "mobileApp", "status": "skipped"}],
     "foundation_types": [{"type": "mobileApp", "status": "failed"}]}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Parseable and unparseable contexts
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('SQL NULL', NULL),
  ('JSON null', 'null'),
  ('empty object', '{}'),
  ('top-level array', '[{"inventory": {"coverage": {"policy_types": {}}}}]'),
  ('top-level string', '"inventory"'),
  ('top-level number', '1'),
  ('inventory missing', '{"coverage": {"policy_types": {}}}'),
  ('inventory null', '{"inventory": null}'),
  ('inventory array', '{"inventory": [{"coverage": {"policy_types": {}}}]}'),
  ('inventory string', '{"inventory": "coverage"}'),
  ('coverage missing', '{"inventory": {}}'),
  ('coverage null', '{"inventory": {"coverage": null}}'),
  ('coverage array', '{"inventory": {"coverage": [{"policy_types": {}}]}}'),
  ('coverage number', '{"inventory": {"coverage": 1}}'),
  ('coverage empty object', pg_temp.payload('{}')),
  ('only unrelated keys', pg_temp.payload('{"policyTypes": {}, "types": []}')),
  ('policy_types null', pg_temp.payload('{"policy_types": null}')),
  ('policy_types string', pg_temp.payload('{"policy_types": "deviceConfiguration"}')),
  ('policy_types number', pg_temp.payload('{"policy_types": 0}')),
  ('policy_types boolean', pg_temp.payload('{"policy_types": true}')),
  ('both lists of other JSON types', pg_temp.payload('{"policy_types": "x", "foundation_types": false}')),
  ('list key case-sensitive', pg_temp.payload('{"Policy_Types": {}}')),
  ('empty policy object', pg_temp.payload('{"policy_types": {}}')),
  ('empty policy array', pg_temp.payload('{"policy_types": []}')),
  ('empty foundation object', pg_temp.payload('{"foundation_types": {}}')),
  ('empty foundation array', pg_temp.payload('{"foundation_types": []}')),
  ('one list usable, other ignored', pg_temp.payload('{"policy_types": "x",
     "foundation_types": [{"type": "roleScopeTag", "status": "succeeded"}]}')),
  ('only dropped entries still parseable', pg_temp.payload('{"policy_types": {"a": {"status": "bogus"}}}')),
  ('double-encoded context', to_jsonb(pg_temp.payload('{"policy_types": {"a": {"status": "succeeded"}}}')::text)),
  ('double-encoded coverage', jsonb_build_object('inventory', jsonb_build_object('coverage',
     '{"policy_types": {"a": {"status": "succeeded"}}}'::text))),
  ('double-encoded list', pg_temp.payload(jsonb_build_object('policy_types',
     '{"a": {"status": "succeeded"}}'::text))),
  ('double-encoded entry', pg_temp.payload('{"policy_types": {"a": "{\"status\": \"succeeded\"}"}}'));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

------------------------------------------------------------------------------
-- Hostile values: deep nesting, long strings, control characters and many
-- entries parse without an error
------------------------------------------------------------------------------
INSERT INTO cases (name, context) VALUES
  ('deeply nested status', pg_temp.payload(jsonb_build_object('policy_types',
     jsonb_build_object('a', jsonb_build_object('status',
       (repeat('[', 5000) || repeat(']', 5000))::jsonb))))),
  ('deeply nested list entry', pg_temp.payload(jsonb_build_object('policy_types',
     (repeat('[', 5000) || repeat(']', 5000))::jsonb))),
  ('long status', pg_temp.payload(jsonb_build_object('policy_types',
     jsonb_build_object('a', jsonb_build_object('status', repeat(' ', 100000) || 'failed'))))),
  ('control character in a type', pg_temp.payload('{"policy_types": [{"type": "a\u0001b", "status": "failed"}]}')),
  ('many entries', pg_temp.payload(jsonb_build_object('policy_types',
     (SELECT jsonb_agg(jsonb_build_object('type', 't' || (i % 3), 'status',
                       CASE WHEN i % 2 = 0 THEN 'succeeded' ELSE 'failed' END,
                       'item_count', i))
        FROM generate_series(1, 20000) AS i))));
SELECT * FROM pg_temp.parsed_cases();
TRUNCATE cases;

-- The parser's properties: IMMUTABLE, and STRICT for parse_coverage (a NULL
-- context has no entries) while coverage_is_parseable(NULL) is false.
SELECT count(*) AS rows_for_null FROM coverage_truth.parse_coverage(NULL);
SELECT coverage_truth.coverage_is_parseable(NULL) AS parseable_null;
