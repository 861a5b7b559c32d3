-- Payload parser: parse_coverage, coverage_is_parseable, and the states that
-- tenant_coverage derives from a single basis payload.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(206);

------------------------------------------------------------------------------
-- Fixtures
------------------------------------------------------------------------------

DROP TABLE IF EXISTS public.operation_runs CASCADE;
DROP TABLE IF EXISTS public.inventory_items CASCADE;
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

-- A small catalog keeps the expected rows readable.
DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('a', 'policy', 'A', 'Test', 10),
  ('b', 'policy', 'B', 'Test', 20),
  ('c', 'policy', 'C', 'Test', 30),
  ('d', 'policy', 'D', 'Test', 40),
  (E'odd "q" \\ \u0001 \U0001F600', 'policy', 'Odd key', 'Test', 50),
  (U&'\00E1', 'policy', 'Precomposed a acute', 'Test', 60),
  ('f', 'foundation', 'F', 'Test', 10),
  ('g', 'foundation', 'G', 'Test', 20);

-- Wraps a coverage payload in a run context.
CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Returns 'status|item_count|error_code' of entry type t when the entry is
-- sent in object form in policy_types, or NULL when the parser drops it.
CREATE FUNCTION pg_temp.entry_of(entry jsonb) RETURNS text
LANGUAGE sql AS $$
  SELECT p.status::text || '|' || coalesce(p.item_count::text, 'NULL') || '|' || coalesce(p.error_code, 'NULL')
  FROM coverage_truth.parse_coverage(
         pg_temp.ctx(jsonb_build_object('policy_types', jsonb_build_object('t', entry)))) AS p
  WHERE p.type = 't' AND p.segment = 'policy'
$$;

-- Same as entry_of for an array-form list: returns the entry for type t.
CREATE FUNCTION pg_temp.array_entry_of(entries jsonb, t text) RETURNS text
LANGUAGE sql AS $$
  SELECT p.status::text || '|' || coalesce(p.item_count::text, 'NULL') || '|' || coalesce(p.error_code, 'NULL')
  FROM coverage_truth.parse_coverage(pg_temp.ctx(jsonb_build_object('policy_types', entries))) AS p
  WHERE p.type = t AND p.segment = 'policy'
$$;

CREATE FUNCTION pg_temp.row_count(context jsonb) RETURNS bigint
LANGUAGE sql AS $$
  SELECT count(*) FROM coverage_truth.parse_coverage(context)
$$;

CREATE FUNCTION pg_temp.add_run(run_id bigint, tenant bigint, context jsonb,
                                completed timestamptz DEFAULT now() - interval '1 hour')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
  VALUES (run_id, tenant, 'inventory_sync', 'completed', 'succeeded', context, completed)
$$;

-- Returns 'state|basis_item_count|basis_error_code' of one tenant_coverage row.
CREATE FUNCTION pg_temp.state_of(tenant bigint, t text) RETURNS text
LANGUAGE sql AS $$
  SELECT c.coverage_state::text || '|' || coalesce(c.basis_item_count::text, 'NULL') || '|' || coalesce(c.basis_error_code, 'NULL')
  FROM coverage_truth.tenant_coverage(tenant) AS c
  WHERE c.type = t
$$;

CREATE FUNCTION pg_temp.basis_of(tenant bigint) RETURNS bigint
LANGUAGE sql AS $$
  SELECT s.basis_run_id FROM coverage_truth.tenant_coverage_summary(tenant) AS s
$$;

------------------------------------------------------------------------------
-- Function properties
------------------------------------------------------------------------------

SELECT volatility_is('coverage_truth', 'parse_coverage', ARRAY['jsonb'], 'immutable',
  'parse_coverage is immutable');
SELECT volatility_is('coverage_truth', 'coverage_is_parseable', ARRAY['jsonb'], 'immutable',
  'coverage_is_parseable is immutable');
SELECT is_empty('SELECT * FROM coverage_truth.parse_coverage(NULL)',
  'parse_coverage of NULL is empty');
SELECT is(coverage_truth.coverage_is_parseable(NULL), false,
  'coverage_is_parseable of NULL is false');

------------------------------------------------------------------------------
-- Parseability: context -> inventory -> coverage -> a list
------------------------------------------------------------------------------

SELECT is(coverage_truth.coverage_is_parseable('{}'), false, 'empty context unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": null}'), false, 'null inventory unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": []}'), false, 'array inventory unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": "x"}'), false, 'string inventory unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": 1}'), false, 'number inventory unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": {}}'), false, 'missing coverage unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": {"coverage": null}}'), false,
  'null coverage unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": {"coverage": [{"policy_types": {}}]}}'), false,
  'array coverage unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": {"coverage": "{\"policy_types\": {}}"}}'), false,
  'string coverage unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{}')), false, 'coverage without lists unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"other_types": {}}')), false,
  'coverage with other keys only unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": null}')), false,
  'null policy_types unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": "x"}')), false,
  'string policy_types unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": 1}')), false,
  'number policy_types unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"foundation_types": true}')), false,
  'boolean foundation_types unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": null, "foundation_types": "x"}')), false,
  'both lists of wrong type unparseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": {}}')), true,
  'empty policy_types object parseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": []}')), true,
  'empty policy_types array parseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"foundation_types": []}')), true,
  'foundation_types alone parseable');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": "x", "foundation_types": {}}')), true,
  'wrong-typed list ignored beside a valid one');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": [1, null, "x"]}')), true,
  'list of dropped entries parseable');
SELECT is(coverage_truth.coverage_is_parseable(to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text)), false,
  'double-encoded context unparseable');
SELECT is(coverage_truth.coverage_is_parseable('{"Inventory": {"coverage": {"policy_types": {}}}}'), false,
  'inventory key is case-sensitive');
SELECT is(coverage_truth.coverage_is_parseable('{"inventory": {"Coverage": {"policy_types": {}}}}'), false,
  'coverage key is case-sensitive');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"Policy_Types": {}}')), false,
  'list key is case-sensitive');
SELECT is(coverage_truth.coverage_is_parseable('null'), false, 'jsonb null unparseable');
SELECT is(coverage_truth.coverage_is_parseable('1'), false, 'jsonb number unparseable');
SELECT is(coverage_truth.coverage_is_parseable('"x"'), false, 'jsonb string unparseable');
SELECT is(coverage_truth.coverage_is_parseable('true'), false, 'jsonb boolean unparseable');
SELECT is(coverage_truth.coverage_is_parseable('[]'), false, 'jsonb empty array unparseable');
SELECT is(coverage_truth.coverage_is_parseable(jsonb_build_array(pg_temp.ctx('{"policy_types": {}}'))), false,
  'array wrapping a context unparseable');
SELECT is(pg_temp.row_count(to_jsonb(pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}}}')::text)), 0::bigint,
  'double-encoded context yields no rows');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": "x", "foundation_types": {"f": {"status": "failed"}}}')), 1::bigint,
  'wrong-typed list yields no rows');

------------------------------------------------------------------------------
-- Object and array forms
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT p.segment::text, p.type, p.status::text, p.item_count, p.error_code
    FROM coverage_truth.parse_coverage(pg_temp.ctx('{
      "policy_types": {"a": {"status": "succeeded", "item_count": 3},
                       "b": {"status": "failed", "error_code": "E1"}},
      "foundation_types": {"f": {"status": "skipped", "item_count": 0, "error_code": "S1"}}}')) AS p
    ORDER BY 1, 2$$,
  $$VALUES ('foundation', 'f', 'skipped', 0::bigint, 'S1'),
           ('policy', 'a', 'succeeded', 3::bigint, NULL::text),
           ('policy', 'b', 'failed', NULL::bigint, 'E1')$$,
  'object form rows');

SELECT results_eq(
  $$SELECT p.segment::text, p.type, p.status::text, p.item_count, p.error_code
    FROM coverage_truth.parse_coverage(pg_temp.ctx('{
      "policy_types": [{"type": "a", "status": "succeeded", "item_count": 3},
                       {"type": "b", "status": "failed", "error_code": "E1"}],
      "foundation_types": [{"type": "f", "status": "skipped", "item_count": 0, "error_code": "S1"}]}')) AS p
    ORDER BY 1, 2$$,
  $$VALUES ('foundation', 'f', 'skipped', 0::bigint, 'S1'),
           ('policy', 'a', 'succeeded', 3::bigint, NULL::text),
           ('policy', 'b', 'failed', NULL::bigint, 'E1')$$,
  'array form rows');

SELECT results_eq(
  $$SELECT p.segment::text, p.type, p.status::text
    FROM coverage_truth.parse_coverage(pg_temp.ctx('{
      "policy_types": {"a": {"status": "succeeded"}},
      "foundation_types": [{"type": "f", "status": "failed"}]}')) AS p
    ORDER BY 1, 2$$,
  $$VALUES ('foundation', 'f', 'failed'), ('policy', 'a', 'succeeded')$$,
  'object and array forms mixed');

------------------------------------------------------------------------------
-- Status: trimmed of JSON white space, ASCII case ignored
------------------------------------------------------------------------------

SELECT is(pg_temp.entry_of('{"status": "succeeded"}'), 'succeeded|NULL|NULL', 'status succeeded');
SELECT is(pg_temp.entry_of('{"status": "failed"}'), 'failed|NULL|NULL', 'status failed');
SELECT is(pg_temp.entry_of('{"status": "skipped"}'), 'skipped|NULL|NULL', 'status skipped');
SELECT is(pg_temp.entry_of('{"status": " succeeded"}'), 'succeeded|NULL|NULL', 'status leading space');
SELECT is(pg_temp.entry_of('{"status": "succeeded "}'), 'succeeded|NULL|NULL', 'status trailing space');
SELECT is(pg_temp.entry_of('{"status": "\tfailed\t"}'), 'failed|NULL|NULL', 'status tabs trimmed');
SELECT is(pg_temp.entry_of('{"status": "\nskipped\n"}'), 'skipped|NULL|NULL', 'status line feeds trimmed');
SELECT is(pg_temp.entry_of('{"status": "\rsucceeded\r"}'), 'succeeded|NULL|NULL', 'status carriage returns trimmed');
SELECT is(pg_temp.entry_of('{"status": " \t\r\n failed \n\r\t "}'), 'failed|NULL|NULL', 'status mixed white space trimmed');
SELECT is(pg_temp.entry_of('{"status": "SUCCEEDED"}'), 'succeeded|NULL|NULL', 'status upper case');
SELECT is(pg_temp.entry_of('{"status": "Failed"}'), 'failed|NULL|NULL', 'status capitalized');
SELECT is(pg_temp.entry_of('{"status": "sKiPpEd"}'), 'skipped|NULL|NULL', 'status mixed case');
SELECT is(pg_temp.entry_of('{"status": "\t SKIPPED\n"}'), 'skipped|NULL|NULL', 'status trimmed and upper case');

SELECT is(pg_temp.entry_of('{"status": "\u00a0succeeded"}'), NULL, 'status no-break space not trimmed');
SELECT is(pg_temp.entry_of('{"status": "succeeded\u00a0"}'), NULL, 'status trailing no-break space not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\u000bsucceeded"}'), NULL, 'status vertical tab not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\fsucceeded"}'), NULL, 'status form feed not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\u0085failed"}'), NULL, 'status next line not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\u2003failed"}'), NULL, 'status em space not trimmed');
SELECT is(pg_temp.entry_of('{"status": "skipped\u3000"}'), NULL, 'status ideographic space not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\u200bsucceeded"}'), NULL, 'status zero-width space not trimmed');
SELECT is(pg_temp.entry_of('{"status": "\u017fkipped"}'), NULL, 'status long s is not ASCII');
SELECT is(pg_temp.entry_of('{"status": "FA\u0130LED"}'), NULL, 'status dotted capital I is not ASCII');
SELECT is(pg_temp.entry_of('{"status": "\uff33\uff35\uff23\uff23\uff25\uff25\uff24\uff25\uff24"}'), NULL,
  'status fullwidth letters rejected');
SELECT is(pg_temp.entry_of('{"status": "unknown"}'), NULL, 'status unknown rejected');
SELECT is(pg_temp.entry_of('{"status": "success"}'), NULL, 'status success rejected');
SELECT is(pg_temp.entry_of('{"status": "succeed"}'), NULL, 'status prefix rejected');
SELECT is(pg_temp.entry_of('{"status": "succeeded."}'), NULL, 'status with suffix rejected');
SELECT is(pg_temp.entry_of('{"status": "suc ceeded"}'), NULL, 'status inner space rejected');
SELECT is(pg_temp.entry_of('{"status": ""}'), NULL, 'status empty rejected');
SELECT is(pg_temp.entry_of('{"status": " \t "}'), NULL, 'status blank rejected');
SELECT is(pg_temp.entry_of('{"status": true}'), NULL, 'status boolean rejected');
SELECT is(pg_temp.entry_of('{"status": null}'), NULL, 'status null rejected');
SELECT is(pg_temp.entry_of('{"status": 1}'), NULL, 'status number rejected');
SELECT is(pg_temp.entry_of('{"status": ["succeeded"]}'), NULL, 'status array rejected');
SELECT is(pg_temp.entry_of('{"status": {"value": "succeeded"}}'), NULL, 'status object rejected');
SELECT is(pg_temp.entry_of('{"state": "succeeded"}'), NULL, 'entry without status rejected');
SELECT is(pg_temp.entry_of('{"Status": "succeeded"}'), NULL, 'status key is case-sensitive');
SELECT is(pg_temp.entry_of('{}'), NULL, 'empty entry rejected');
SELECT is(pg_temp.entry_of('"succeeded"'), NULL, 'string entry rejected');
SELECT is(pg_temp.entry_of('null'), NULL, 'null entry rejected');
SELECT is(pg_temp.entry_of('["succeeded"]'), NULL, 'array entry rejected');
SELECT is(pg_temp.entry_of('1'), NULL, 'number entry rejected');
SELECT is(pg_temp.entry_of('true'), NULL, 'boolean entry rejected');
SELECT is(pg_temp.array_entry_of('["succeeded", null, 1, [{"type": "t", "status": "succeeded"}]]', 't'), NULL,
  'array form non-object entries rejected');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": ["succeeded", null, 1, [], true]}')), 0::bigint,
  'array form non-object entries yield no rows');

------------------------------------------------------------------------------
-- Array form: the type member
------------------------------------------------------------------------------

SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"status": "succeeded"}]}')), 0::bigint,
  'array entry without type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": "", "status": "succeeded"}]}')), 0::bigint,
  'array entry with empty type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": null, "status": "succeeded"}]}')), 0::bigint,
  'array entry with null type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": 1, "status": "succeeded"}]}')), 0::bigint,
  'array entry with number type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": true, "status": "succeeded"}]}')), 0::bigint,
  'array entry with boolean type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": ["a"], "status": "succeeded"}]}')), 0::bigint,
  'array entry with array type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"type": {"a": 1}, "status": "succeeded"}]}')), 0::bigint,
  'array entry with object type dropped');
SELECT is(pg_temp.row_count(pg_temp.ctx('{"policy_types": [{"Type": "a", "status": "succeeded"}]}')), 0::bigint,
  'array entry type key is case-sensitive');
SELECT is(pg_temp.array_entry_of('[{"type": " t", "status": "succeeded"}]', ' t'), 'succeeded|NULL|NULL',
  'array entry type not trimmed');
SELECT is(pg_temp.array_entry_of('[{"type": " t", "status": "succeeded"}]', 't'), NULL,
  'array entry type with space differs');
SELECT is(pg_temp.array_entry_of('[{"type": "T", "status": "succeeded"}]', 't'), NULL,
  'array entry type is case-sensitive');
SELECT is(pg_temp.array_entry_of('[{"status": "failed", "type": "t"}]', 't'), 'failed|NULL|NULL',
  'array entry member order irrelevant');

------------------------------------------------------------------------------
-- item_count: integral JSON numbers from 0 to 9223372036854775807
------------------------------------------------------------------------------

SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 0}'), 'succeeded|0|NULL', 'item_count 0');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 42}'), 'succeeded|42|NULL', 'item_count 42');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 5.0}'), 'succeeded|5|NULL', 'item_count 5.0 is 5');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1e2}'), 'succeeded|100|NULL', 'item_count 1e2 is 100');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1E+2}'), 'succeeded|100|NULL', 'item_count 1E+2 is 100');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 100e-2}'), 'succeeded|1|NULL', 'item_count 100e-2 is 1');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": -0}'), 'succeeded|0|NULL', 'item_count -0 is 0');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": -0.0}'), 'succeeded|0|NULL', 'item_count -0.0 is 0');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 0e5}'), 'succeeded|0|NULL', 'item_count 0e5 is 0');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 9223372036854775807}'),
  'succeeded|9223372036854775807|NULL', 'item_count bigint max kept');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 9223372036854775807.000}'),
  'succeeded|9223372036854775807|NULL', 'item_count bigint max with zero fraction kept');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 9223372036854775808}'),
  'succeeded|NULL|NULL', 'item_count above bigint max is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 9223372036854775807.5}'),
  'succeeded|NULL|NULL', 'item_count bigint max plus fraction is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1e19}'), 'succeeded|NULL|NULL', 'item_count 1e19 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1e1000}'), 'succeeded|NULL|NULL', 'item_count 1e1000 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": -1}'), 'succeeded|NULL|NULL', 'item_count -1 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": -9223372036854775808}'),
  'succeeded|NULL|NULL', 'item_count bigint min is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1.5}'), 'succeeded|NULL|NULL', 'item_count 1.5 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 0.1}'), 'succeeded|NULL|NULL', 'item_count 0.1 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 1e-1000}'), 'succeeded|NULL|NULL', 'item_count 1e-1000 is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": 2.00000000000000000001}'),
  'succeeded|NULL|NULL', 'item_count tiny fraction is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": "7"}'), 'succeeded|NULL|NULL', 'item_count string is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": true}'), 'succeeded|NULL|NULL', 'item_count boolean is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": null}'), 'succeeded|NULL|NULL', 'item_count null is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": [7]}'), 'succeeded|NULL|NULL', 'item_count array is NULL');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "item_count": {"n": 7}}'), 'succeeded|NULL|NULL', 'item_count object is NULL');
SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "failed", "item_count": 1e2}]', 't'), 'failed|100|NULL',
  'item_count in array form');

------------------------------------------------------------------------------
-- error_code: a non-empty string on a failed or skipped entry
------------------------------------------------------------------------------

SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": "E1"}'), 'failed|NULL|E1', 'error_code on failed');
SELECT is(pg_temp.entry_of('{"status": "skipped", "error_code": "S1"}'), 'skipped|NULL|S1', 'error_code on skipped');
SELECT is(pg_temp.entry_of('{"status": " FAILED ", "error_code": "E2"}'), 'failed|NULL|E2', 'error_code on trimmed status');
SELECT is(pg_temp.entry_of('{"status": "succeeded", "error_code": "E1"}'), 'succeeded|NULL|NULL', 'error_code dropped on succeeded');
SELECT is(pg_temp.entry_of('{"status": " Succeeded", "error_code": "E1"}'), 'succeeded|NULL|NULL',
  'error_code dropped on trimmed succeeded');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": ""}'), 'failed|NULL|NULL', 'error_code empty string is NULL');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": " "}'), 'failed|NULL| ', 'error_code single space kept');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": " E1 "}'), 'failed|NULL| E1 ', 'error_code not trimmed');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": 500}'), 'failed|NULL|NULL', 'error_code number is NULL');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": null}'), 'failed|NULL|NULL', 'error_code null is NULL');
SELECT is(pg_temp.entry_of('{"status": "skipped", "error_code": false}'), 'skipped|NULL|NULL', 'error_code boolean is NULL');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": ["E1"]}'), 'failed|NULL|NULL', 'error_code array is NULL');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": {"code": "E1"}}'), 'failed|NULL|NULL', 'error_code object is NULL');
SELECT is(pg_temp.entry_of('{"status": "failed", "error_code": "\u00e9\t\"x\""}'), E'failed|NULL|\u00e9\t"x"',
  'error_code keeps escapes');
SELECT is(pg_temp.entry_of('{"status": "skipped", "item_count": 3, "error_code": "S3"}'), 'skipped|3|S3',
  'item_count and error_code together');

------------------------------------------------------------------------------
-- Duplicates: the last accepted entry within one list wins
------------------------------------------------------------------------------

SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "succeeded"}, {"type": "t", "status": "failed"}]', 't'),
  'failed|NULL|NULL', 'later duplicate wins');
SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "failed", "error_code": "E1"}, {"type": "t", "status": "bogus"}]', 't'),
  'failed|NULL|E1', 'later rejected duplicate ignored');
SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "skipped"}, {"type": "t"}, "t", {"type": "t", "status": null}]', 't'),
  'skipped|NULL|NULL', 'several later rejected duplicates ignored');
SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "bogus"}, {"type": "t", "status": "skipped", "item_count": 4}]', 't'),
  'skipped|4|NULL', 'earlier rejected duplicate ignored');
SELECT is(pg_temp.array_entry_of(
    '[{"type": "t", "status": "failed", "item_count": 1, "error_code": "E1"}, {"type": "t", "status": "succeeded"}]', 't'),
  'succeeded|NULL|NULL', 'winner fields are not merged');
SELECT is(pg_temp.array_entry_of(
    '[{"type": "t", "status": "succeeded", "item_count": 1}, {"type": "t", "status": "failed", "item_count": "x", "error_code": "E9"}]', 't'),
  'failed|NULL|E9', 'winner item_count not inherited');
SELECT is(pg_temp.row_count(pg_temp.ctx(
    '{"policy_types": [{"type": "t", "status": "succeeded"}, {"type": "t", "status": "failed"}, {"type": "t", "status": "skipped"}]}')),
  1::bigint, 'duplicates yield one row');
SELECT is(pg_temp.array_entry_of('[{"type": "t", "status": "failed"}, {"type": "T", "status": "succeeded"}]', 't'),
  'failed|NULL|NULL', 'types differing in case are not duplicates');
SELECT is((SELECT p.status::text FROM coverage_truth.parse_coverage(
             pg_temp.ctx('{"policy_types": {"t": {"status": "failed"}, "t": {"status": "succeeded"}}}')) AS p),
  'succeeded', 'object form duplicate key keeps the last');

------------------------------------------------------------------------------
-- A type in both lists
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT p.segment::text, p.type, p.status::text, p.item_count
    FROM coverage_truth.parse_coverage(pg_temp.ctx('{
      "policy_types": {"x": {"status": "succeeded", "item_count": 1}},
      "foundation_types": {"x": {"status": "failed", "item_count": 2}}}')) AS p
    ORDER BY 1, 2$$,
  $$VALUES ('foundation', 'x', 'failed', 2::bigint), ('policy', 'x', 'succeeded', 1::bigint)$$,
  'type in both lists yields a row per list');

------------------------------------------------------------------------------
-- Unknown keys
------------------------------------------------------------------------------

SELECT is(pg_temp.entry_of('{"status": "failed", "note": "x", "item_count": 3, "extra": {"deep": [1, {"status": "succeeded"}]}}'),
  'failed|3|NULL', 'unknown entry members ignored');
SELECT results_eq(
  $$SELECT p.segment::text, p.type, p.status::text
    FROM coverage_truth.parse_coverage('{
      "meta": {"status": "succeeded"},
      "inventory": {"other": 1,
                    "coverage": {"policy_types": {"a": {"status": "succeeded"}},
                                 "extra_types": {"b": {"status": "succeeded"}},
                                 "version": 2}}}') AS p$$,
  $$VALUES ('policy', 'a', 'succeeded')$$,
  'unknown keys at every level ignored');

------------------------------------------------------------------------------
-- Keys with unusual characters are kept byte for byte
------------------------------------------------------------------------------

SELECT set_eq(
  $$SELECT p.type FROM coverage_truth.parse_coverage(pg_temp.ctx(jsonb_build_object('policy_types', jsonb_build_object(
      E'\u0001', '{"status": "succeeded"}'::jsonb,
      'q"uote', '{"status": "succeeded"}'::jsonb,
      E'back\\slash', '{"status": "succeeded"}'::jsonb,
      E'line\nfeed', '{"status": "succeeded"}'::jsonb,
      E'\U0001F600', '{"status": "succeeded"}'::jsonb,
      U&'\00A0nbsp', '{"status": "succeeded"}'::jsonb,
      U&'a\0301', '{"status": "succeeded"}'::jsonb,
      repeat('k', 10000), '{"status": "succeeded"}'::jsonb)))) AS p$$,
  $$VALUES (E'\u0001'), ('q"uote'), (E'back\\slash'), (E'line\nfeed'), (E'\U0001F600'),
           (U&'\00A0nbsp'), (U&'a\0301'), (repeat('k', 10000))$$,
  'odd keys kept exactly');
SELECT set_eq(
  $$SELECT p.type FROM coverage_truth.parse_coverage(pg_temp.ctx(
      '{"policy_types": [{"type": "\u0001\ud83d\ude00\"\\", "status": "failed"}]}')) AS p$$,
  $$VALUES (E'\u0001\U0001F600"\\')$$,
  'odd array type kept exactly');

------------------------------------------------------------------------------
-- Large and deep payloads
------------------------------------------------------------------------------

CREATE TEMP TABLE big_payload AS
SELECT pg_temp.ctx(jsonb_build_object(
         'policy_types',
         (SELECT jsonb_object_agg('type_' || i, jsonb_build_object('status', 'succeeded', 'item_count', i))
          FROM generate_series(1, 20000) AS i)
         || '{"a": {"status": "failed", "error_code": "BIG"}}'::jsonb,
         'foundation_types',
         (SELECT jsonb_agg(jsonb_build_object('type', 'f',
                                              'status', CASE WHEN i = 20000 THEN 'skipped' ELSE 'succeeded' END,
                                              'item_count', i) ORDER BY i)
          FROM generate_series(1, 20000) AS i))) AS context;

SELECT is(pg_temp.row_count((SELECT context FROM big_payload)), 20002::bigint, '20,000-entry lists parsed');
SELECT is((SELECT p.item_count FROM coverage_truth.parse_coverage((SELECT context FROM big_payload)) AS p
           WHERE p.type = 'type_19999'), 19999::bigint, '20,000-entry object keeps each entry');
SELECT is((SELECT p.status::text || '|' || p.item_count FROM coverage_truth.parse_coverage((SELECT context FROM big_payload)) AS p
           WHERE p.type = 'f'), 'skipped|20000', '20,000 duplicates keep the last');

CREATE TEMP TABLE deep AS
SELECT repeat('[', 5000) || repeat(']', 5000) AS deep_array,
       repeat('{"x":', 5000) || '1' || repeat('}', 5000) AS deep_object;

SELECT is(coverage_truth.coverage_is_parseable(
    ('{"meta": ' || (SELECT deep_array FROM deep)
     || ', "inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}')::jsonb),
  true, 'deep unknown member keeps context parseable');
SELECT is(pg_temp.entry_of(('{"status": "failed", "extra": ' || (SELECT deep_object FROM deep) || '}')::jsonb),
  'failed|NULL|NULL', 'deep entry member ignored');
SELECT is(pg_temp.entry_of(('{"status": ' || (SELECT deep_array FROM deep) || '}')::jsonb),
  NULL, 'deep status rejected');
SELECT is(pg_temp.entry_of(('{"status": "skipped", "item_count": ' || (SELECT deep_object FROM deep) || '}')::jsonb),
  'skipped|NULL|NULL', 'deep item_count is NULL');
SELECT is(pg_temp.row_count(pg_temp.ctx(('{"policy_types": [' || (SELECT deep_array FROM deep) || ']}')::jsonb)),
  0::bigint, 'deep list entry dropped');
SELECT is(coverage_truth.coverage_is_parseable(pg_temp.ctx(('{"x": ' || (SELECT deep_object FROM deep) || '}')::jsonb)),
  false, 'deep coverage without lists unparseable');
SELECT is(coverage_truth.coverage_is_parseable(
    (repeat('{"inventory":', 5000) || '1' || repeat('}', 5000))::jsonb),
  false, 'deeply nested inventory keys unparseable');
SELECT is(coverage_truth.coverage_is_parseable((SELECT deep_array FROM deep)::jsonb), false,
  'deep array context unparseable');

------------------------------------------------------------------------------
-- No jsonb value raises
------------------------------------------------------------------------------

CREATE TEMP TABLE odd_contexts (context jsonb);
INSERT INTO odd_contexts (context) VALUES
  (NULL), ('null'), ('true'), ('false'), ('0'), ('-1'), ('1e1000'), ('-1e-1000'), ('""'), ('"x"'),
  ('[]'), ('{}'), ('[null]'), ('[[]]'), ('[{}]'),
  ('{"inventory": null}'), ('{"inventory": 1}'), ('{"inventory": [null]}'),
  ('{"inventory": {"coverage": 1}}'), ('{"inventory": {"coverage": []}}'),
  ('{"inventory": {"coverage": {"policy_types": null, "foundation_types": null}}}'),
  ('{"inventory": {"coverage": {"policy_types": [null, 1, "x", [], {}, {"type": null}, {"type": {}},
     {"type": "a", "status": {}}, {"type": "a", "status": "succeeded", "item_count": 1e1000},
     {"type": "a", "status": "failed", "item_count": -1e1000, "error_code": []},
     {"type": "a", "status": "failed", "item_count": 1e-1000, "error_code": {}}]}}}'),
  ('{"inventory": {"coverage": {"policy_types": {"": {"status": "succeeded"}, "a": [], "b": null, "c": 1},
                                "foundation_types": {"": null}}}}'),
  ('{"inventory": {"coverage": {"foundation_types": [{"type": "", "status": ""}, {"type": "f", "status": "\u0001"}]}}}'),
  ((SELECT context FROM big_payload)),
  ((SELECT deep_array FROM deep)::jsonb),
  ((SELECT deep_object FROM deep)::jsonb),
  (to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text));

SELECT lives_ok(
  'SELECT count(*) FROM odd_contexts AS o, LATERAL coverage_truth.parse_coverage(o.context) AS p',
  'parse_coverage never raises');
SELECT lives_ok(
  'SELECT count(*) FROM odd_contexts AS o WHERE coverage_truth.coverage_is_parseable(o.context)',
  'coverage_is_parseable never raises');

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT 9000 + row_number() OVER (), 900, 'inventory_sync', 'completed', 'succeeded', o.context,
       now() - (row_number() OVER ()) * interval '1 minute'
FROM odd_contexts AS o;

SELECT lives_ok('SELECT count(*) FROM coverage_truth.tenant_coverage(900)', 'tenant_coverage over odd contexts lives');
SELECT lives_ok('SELECT count(*) FROM coverage_truth.tenant_coverage_summary(900)', 'summary over odd contexts lives');

------------------------------------------------------------------------------
-- Through tenant_coverage: what the basis payload establishes per type
------------------------------------------------------------------------------

-- Tenant 101: statuses, item_count and error_code.
SELECT pg_temp.add_run(1011, 101, pg_temp.ctx('{
  "policy_types": {"a": {"status": " Succeeded\t", "item_count": 5.0},
                   "b": {"status": "\u00a0failed"},
                   "c": {"status": "FAILED", "error_code": "E42", "item_count": -1}},
  "foundation_types": [{"type": "f", "status": "skipped", "error_code": ""},
                       {"type": "g", "status": "succeeded", "error_code": "X", "item_count": 1e2}]}'));

SELECT is(pg_temp.basis_of(101), 1011::bigint, 'tenant 101 basis');
SELECT is(pg_temp.state_of(101, 'a'), 'succeeded|5|NULL', 'trimmed status through tenant_coverage');
SELECT is(pg_temp.state_of(101, 'b'), 'unknown|NULL|NULL', 'no-break space status is unknown');
SELECT is(pg_temp.state_of(101, 'c'), 'failed|NULL|E42', 'upper case status through tenant_coverage');
SELECT is(pg_temp.state_of(101, 'd'), 'unknown|NULL|NULL', 'absent type is unknown');
SELECT is(pg_temp.state_of(101, 'f'), 'skipped|NULL|NULL', 'empty error_code through tenant_coverage');
SELECT is(pg_temp.state_of(101, 'g'), 'succeeded|100|NULL', 'succeeded drops error_code through tenant_coverage');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(101) WHERE basis_run_id = 1011), 8::bigint,
  'every row names the basis run');

-- Tenant 102: a type in both lists.
SELECT pg_temp.add_run(1021, 102, pg_temp.ctx('{
  "policy_types": {"a": {"status": "succeeded", "item_count": 1},
                   "f": {"status": "succeeded", "item_count": 1},
                   "b": {"status": "failed"},
                   "c": {"status": "bogus"},
                   "g": {"status": "failed", "error_code": "G1"}},
  "foundation_types": {"a": {"status": "failed", "item_count": 2},
                       "f": {"status": "failed", "item_count": 2, "error_code": "F2"},
                       "d": {"status": "skipped", "error_code": "D2"},
                       "c": {"status": "succeeded", "item_count": 7},
                       "g": {"status": "nope"}}}'));

SELECT is(pg_temp.state_of(102, 'a'), 'succeeded|1|NULL', 'policy type uses policy list');
SELECT is(pg_temp.state_of(102, 'f'), 'failed|2|F2', 'foundation type uses foundation list');
SELECT is(pg_temp.state_of(102, 'b'), 'failed|NULL|NULL', 'policy type in policy list only');
SELECT is(pg_temp.state_of(102, 'd'), 'skipped|NULL|D2', 'policy type found in foundation list');
SELECT is(pg_temp.state_of(102, 'c'), 'succeeded|7|NULL', 'rejected matching entry falls back to other list');
SELECT is(pg_temp.state_of(102, 'g'), 'failed|NULL|G1', 'foundation type falls back to policy list');

-- Tenant 103: duplicates.
SELECT pg_temp.add_run(1031, 103, pg_temp.ctx('{
  "policy_types": [{"type": "a", "status": "succeeded", "item_count": 1},
                   {"type": "b", "status": "failed", "error_code": "E2"},
                   {"type": "a", "status": "failed", "item_count": 2, "error_code": "E1"},
                   {"type": "b", "status": "bogus"},
                   {"type": "c", "status": "skipped"},
                   {"type": "c", "status": "succeeded"}]}'));

SELECT is(pg_temp.state_of(103, 'a'), 'failed|2|E1', 'later duplicate wins through tenant_coverage');
SELECT is(pg_temp.state_of(103, 'b'), 'failed|NULL|E2', 'later rejected duplicate ignored through tenant_coverage');
SELECT is(pg_temp.state_of(103, 'c'), 'succeeded|NULL|NULL', 'last accepted duplicate wins through tenant_coverage');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(103)), 8::bigint, 'duplicates add no rows');

-- Tenant 104: exact type names.
SELECT pg_temp.add_run(1041, 104, pg_temp.ctx(jsonb_build_object('policy_types', jsonb_build_object(
  'A', '{"status": "succeeded"}'::jsonb,
  ' b', '{"status": "succeeded"}'::jsonb,
  'c ', '{"status": "succeeded"}'::jsonb,
  U&'a\0301', '{"status": "succeeded"}'::jsonb,
  E'odd "q" \\ \u0001 \U0001F600', '{"status": "failed", "error_code": "ODD"}'::jsonb))));

SELECT is(pg_temp.state_of(104, 'a'), 'unknown|NULL|NULL', 'type match is case-sensitive');
SELECT is(pg_temp.state_of(104, 'b'), 'unknown|NULL|NULL', 'type with leading space does not match');
SELECT is(pg_temp.state_of(104, 'c'), 'unknown|NULL|NULL', 'type with trailing space does not match');
SELECT is(pg_temp.state_of(104, U&'\00E1'), 'unknown|NULL|NULL', 'decomposed key does not match precomposed type');
SELECT is(pg_temp.state_of(104, E'odd "q" \\ \u0001 \U0001F600'), 'failed|NULL|ODD', 'odd key matches exactly');

-- Tenant 105: the 20,000-entry payload as basis.
SELECT pg_temp.add_run(1051, 105, (SELECT context FROM big_payload));

SELECT is(pg_temp.state_of(105, 'a'), 'failed|NULL|BIG', 'large payload entry found');
SELECT is(pg_temp.state_of(105, 'f'), 'skipped|20000|NULL', 'large payload last duplicate wins');
SELECT is(pg_temp.state_of(105, 'b'), 'unknown|NULL|NULL', 'large payload absent type unknown');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(105)), 8::bigint, 'large payload adds no rows');

-- Tenant 106: a deep unknown member does not block the basis.
SELECT pg_temp.add_run(1061, 106,
  ('{"meta": ' || (SELECT deep_object FROM deep)
   || ', "inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded"}}}}}')::jsonb);

SELECT is(pg_temp.basis_of(106), 1061::bigint, 'deep context with a payload is a basis');
SELECT is(pg_temp.state_of(106, 'a'), 'succeeded|NULL|NULL', 'deep context entry read');

-- Tenant 107: a deep unparseable context falls back to the older run.
SELECT pg_temp.add_run(1071, 107, pg_temp.ctx('{"policy_types": {"a": {"status": "skipped"}}}'),
                       now() - interval '2 hours');
SELECT pg_temp.add_run(1072, 107, (repeat('{"inventory":', 5000) || '1' || repeat('}', 5000))::jsonb,
                       now() - interval '1 hour');

SELECT is(pg_temp.basis_of(107), 1071::bigint, 'deep unparseable context skipped');
SELECT is(pg_temp.state_of(107, 'a'), 'skipped|NULL|NULL', 'older run entry used after deep context');

-- Tenant 108: unknown keys around the payload.
SELECT pg_temp.add_run(1081, 108, '{
  "meta": true,
  "inventory": {"other": 1,
                "coverage": {"policy_types": {"a": {"status": "failed", "note": "x", "item_count": 3}},
                             "extra_types": {"b": {"status": "succeeded"}}}}}');

SELECT is(pg_temp.state_of(108, 'a'), 'failed|3|NULL', 'unknown members ignored through tenant_coverage');
SELECT is(pg_temp.state_of(108, 'b'), 'unknown|NULL|NULL', 'unknown list ignored through tenant_coverage');

-- Tenant 109: the object form and the array form give the same states.
SELECT pg_temp.add_run(1091, 109, pg_temp.ctx('{
  "policy_types": [{"type": "a", "status": "succeeded", "item_count": 2},
                   {"type": "b", "status": "SKIPPED", "error_code": "B"}],
  "foundation_types": [{"type": "g", "status": "failed", "error_code": "G"}, {"status": "succeeded"}, 7]}'));

SELECT is(pg_temp.state_of(109, 'a'), 'succeeded|2|NULL', 'array form succeeded through tenant_coverage');
SELECT is(pg_temp.state_of(109, 'b'), 'skipped|NULL|B', 'array form skipped through tenant_coverage');
SELECT is(pg_temp.state_of(109, 'g'), 'failed|NULL|G', 'array form failed through tenant_coverage');
SELECT is(pg_temp.state_of(109, 'f'), 'unknown|NULL|NULL', 'array form dropped entries leave unknown');

SELECT * FROM finish();
ROLLBACK;
