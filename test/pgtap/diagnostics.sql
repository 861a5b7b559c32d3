-- Payload diagnostics: explain_coverage_payload reports one row per reason a
-- context, a list, an entry or a member is not used, and never raises.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(102);

------------------------------------------------------------------------------
-- Fixtures
------------------------------------------------------------------------------

DROP TABLE IF EXISTS public.operation_runs CASCADE;
DROP TABLE IF EXISTS public.inventory_items CASCADE;
CREATE TABLE public.operation_runs (
  id bigint PRIMARY KEY,
  tenant_id bigint,
  type text NOT NULL,
  status text NOT NULL,
  outcome text,
  context jsonb,
  completed_at timestamptz
);
CREATE TABLE public.inventory_items (
  tenant_id bigint,
  policy_type text
);

-- The shipped catalog: mobileApp is a policy type, roleScopeTag a
-- foundation type, and notAType is not in it.
CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Returns the problems reported at one path, in report order, one per line.
CREATE FUNCTION pg_temp.problem_at(context jsonb, at_path text) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(f.problem, E'\n' ORDER BY f.position)
  FROM coverage_truth.explain_coverage_payload(context)
       WITH ORDINALITY AS f(path, problem, excerpt, position)
  WHERE f.path = at_path
$$;

-- Returns the excerpts reported at one path, in report order, one per line.
CREATE FUNCTION pg_temp.excerpt_at(context jsonb, at_path text) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(coalesce(f.excerpt, '<NULL>'), E'\n' ORDER BY f.position)
  FROM coverage_truth.explain_coverage_payload(context)
       WITH ORDINALITY AS f(path, problem, excerpt, position)
  WHERE f.path = at_path
$$;

-- Returns the path of every finding, in report order.
CREATE FUNCTION pg_temp.paths(context jsonb) RETURNS text[]
LANGUAGE sql AS $$
  SELECT coalesce(array_agg(f.path ORDER BY f.position), '{}')
  FROM coverage_truth.explain_coverage_payload(context)
       WITH ORDINALITY AS f(path, problem, excerpt, position)
$$;

-- Returns a random element of options.
CREATE FUNCTION pg_temp.pick(options text[]) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT options[1 + floor(random() * cardinality(options))::integer]
$$;

-- Returns a list entry that is valid or broken in one or more ways: wrong
-- JSON type, bad "type" or "status", odd status spellings, item_count and
-- error_code edge values.
CREATE FUNCTION pg_temp.hostile_entry(type_name text, array_form boolean) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  entry jsonb := '{}';
BEGIN
  IF random() < 0.08 THEN
    RETURN pg_temp.pick(ARRAY['1', '"succeeded"', 'null', '[]', 'true', '[{"status": "succeeded"}]'])::jsonb;
  END IF;

  IF array_form THEN
    IF random() < 0.85 THEN
      entry := jsonb_build_object('type', type_name);
    ELSIF random() < 0.7 THEN
      entry := jsonb_build_object('type', pg_temp.pick(ARRAY['5', 'null', '""', '{"t": 1}', '["x"]'])::jsonb);
    END IF;
  END IF;

  IF random() < 0.85 THEN
    entry := entry || jsonb_build_object('status', pg_temp.pick(ARRAY[
      '"succeeded"', '"failed"', '"skipped"', '" Succeeded\n"', '"\tFAILED "', '"sKiPpEd\r"',
      '"success"', '"done"', '""', '"succeeded."', '"\u00a0failed"', '1', 'null', 'true',
      '{"status": "succeeded"}', '["failed"]'])::jsonb);
  END IF;

  IF random() < 0.5 THEN
    entry := entry || jsonb_build_object('item_count', pg_temp.pick(ARRAY[
      '0', '1', '42', '9223372036854775807', '9223372036854775808', '-1', '1.5', '5.0',
      '1e2', '"3"', 'null', 'true', '1e19', '-0'])::jsonb);
  END IF;

  IF random() < 0.5 THEN
    entry := entry || jsonb_build_object('error_code', pg_temp.pick(ARRAY[
      '"E1"', '""', '5', 'null', '"throttled"', '{"code": "E"}'])::jsonb);
  END IF;

  RETURN entry;
END
$$;

-- Returns a list value: missing (NULL), a scalar, or an object or array of
-- hostile entries, with duplicate types now and then.
CREATE FUNCTION pg_temp.hostile_list(types text[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  roll float8 := random();
  list jsonb;
  type_name text;
BEGIN
  IF roll < 0.1 THEN
    RETURN NULL;
  ELSIF roll < 0.2 THEN
    RETURN pg_temp.pick(ARRAY['1', '"x"', 'null', 'true'])::jsonb;
  ELSIF roll < 0.6 THEN
    list := '[]';
    FOR i IN 1 .. floor(random() * 7)::integer LOOP
      type_name := pg_temp.pick(types);
      list := list || jsonb_build_array(pg_temp.hostile_entry(type_name, true));
    END LOOP;
  ELSE
    list := '{}';
    FOR i IN 1 .. floor(random() * 7)::integer LOOP
      type_name := pg_temp.pick(types);
      list := list || jsonb_build_object(type_name, pg_temp.hostile_entry(type_name, false));
    END LOOP;
  END IF;
  RETURN list;
END
$$;

-- Returns a run context: NULL, broken at some step of the payload path,
-- double-encoded, or a payload of hostile lists.
CREATE FUNCTION pg_temp.hostile_context(types text[]) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  roll float8 := random();
  coverage jsonb := '{}';
  list jsonb;
BEGIN
  IF roll < 0.05 THEN
    RETURN NULL;
  ELSIF roll < 0.08 THEN
    RETURN pg_temp.pick(ARRAY['1', '"x"', 'true', 'null', '[1, 2]'])::jsonb;
  ELSIF roll < 0.11 THEN
    RETURN to_jsonb(pg_temp.ctx(jsonb_build_object('policy_types', '{}'::jsonb))::text);
  ELSIF roll < 0.14 THEN
    RETURN pg_temp.pick(ARRAY['{}', '{"other": 1}'])::jsonb;
  ELSIF roll < 0.17 THEN
    RETURN jsonb_build_object('inventory', pg_temp.pick(ARRAY['1', '[]', '"x"', 'null', '{}'])::jsonb);
  ELSIF roll < 0.20 THEN
    RETURN pg_temp.ctx(pg_temp.pick(ARRAY['1', '[]', '"x"', 'null'])::jsonb);
  END IF;

  list := pg_temp.hostile_list(types);
  IF list IS NOT NULL THEN
    coverage := coverage || jsonb_build_object('policy_types', list);
  END IF;
  list := pg_temp.hostile_list(types);
  IF list IS NOT NULL THEN
    coverage := coverage || jsonb_build_object('foundation_types', list);
  END IF;
  RETURN pg_temp.ctx(coverage);
END
$$;

SELECT setseed(0.17);
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT g, g % 50, 'inventory_sync', 'completed', 'succeeded',
       pg_temp.hostile_context(ARRAY['mobileApp', 'deviceConfiguration', 'roleScopeTag',
                                     'assignmentFilter', 'notAType', 'MobileApp', ' mobileApp']),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
FROM generate_series(1, 600) AS g;

------------------------------------------------------------------------------
-- Context, inventory and coverage steps
------------------------------------------------------------------------------

-- Like every function of one argument, explain_coverage_payload is STRICT.
SELECT is_empty('SELECT * FROM coverage_truth.explain_coverage_payload(NULL)', 'NULL context: no rows');

SELECT is(pg_temp.paths('5'), ARRAY['$'], 'number root: one finding at $');
SELECT matches(pg_temp.problem_at('5', '$'), 'number.*not an object', 'number root: names number');
SELECT is(pg_temp.excerpt_at('5', '$'), '5', 'number root: excerpt is the value');
SELECT matches(pg_temp.problem_at('"plain text"', '$'), 'string.*not an object', 'string root: names string');
SELECT doesnt_match(pg_temp.problem_at('"plain text"', '$'), 'double', 'string root: not double-encoded');
SELECT matches(pg_temp.problem_at('true', '$'), 'boolean.*not an object', 'boolean root: names boolean');
SELECT matches(pg_temp.problem_at('null', '$'), 'null.*not an object', 'JSON null root: names null');
SELECT is(pg_temp.paths('[{"inventory": {}}]'), ARRAY['$'], 'array root: one finding at $');
SELECT matches(pg_temp.problem_at('[{"inventory": {}}]', '$'), 'array.*not an object', 'array root: names array');

SELECT is(pg_temp.paths(to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text)), ARRAY['$'],
  'double-encoded object: one finding at $');
SELECT matches(pg_temp.problem_at(to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text), '$'),
  'double-encoded', 'double-encoded object: reported');
SELECT matches(pg_temp.excerpt_at(to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text), '$'),
  '^"\{', 'double-encoded object: excerpt is the string');
SELECT matches(pg_temp.problem_at(to_jsonb(E' \n[1, 2]'::text), '$'),
  'double-encoded', 'double-encoded array after spaces: reported');
SELECT matches(pg_temp.problem_at(to_jsonb((repeat('[', 5000) || repeat(']', 5000))), '$'),
  'double-encoded', 'double-encoded deep array: reported');
SELECT doesnt_match(pg_temp.problem_at(to_jsonb('{"inventory": '::text), '$'),
  'double', 'truncated JSON text: not double-encoded');
SELECT doesnt_match(pg_temp.problem_at(to_jsonb(repeat('[', 5000)), '$'),
  'double', 'deep unclosed brackets: not double-encoded');

SELECT is(pg_temp.paths('{}'), ARRAY['$.inventory'], 'missing inventory: one finding');
SELECT matches(pg_temp.problem_at('{"other": 1}', '$.inventory'), 'missing', 'missing inventory: reported missing');
SELECT matches(pg_temp.problem_at('{"inventory": [1]}', '$.inventory'), 'array.*not an object',
  'array inventory: names array');
SELECT matches(pg_temp.problem_at('{"inventory": "x"}', '$.inventory'), 'string.*not an object',
  'string inventory: names string');
SELECT is(pg_temp.excerpt_at('{"inventory": [1]}', '$.inventory'), '[1]', 'array inventory: excerpt');

SELECT is(pg_temp.paths('{"inventory": {}}'), ARRAY['$.inventory.coverage'], 'missing coverage: one finding');
SELECT matches(pg_temp.problem_at('{"inventory": {"coverage_x": {}}}', '$.inventory.coverage'), 'missing',
  'missing coverage: reported missing');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('3'), '$.inventory.coverage'), 'number.*not an object',
  'number coverage: names number');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('null'), '$.inventory.coverage'), 'null.*not an object',
  'null coverage: names null');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('[{"policy_types": {}}]'), '$.inventory.coverage'),
  'array.*not an object', 'array coverage: names array');

------------------------------------------------------------------------------
-- Lists
------------------------------------------------------------------------------

SELECT is(
  (SELECT count(*) FROM (VALUES ('1'), ('"x"'), ('true'), ('null')) AS v(list),
          coverage_truth.explain_coverage_payload(
            pg_temp.ctx(jsonb_build_object('policy_types', v.list::jsonb, 'foundation_types', '{}'::jsonb))) AS f
   WHERE f.path = '$.inventory.coverage.policy_types'
     AND f.problem ~ ('JSON ' || jsonb_typeof(v.list::jsonb))
     AND f.problem ~ 'ignored'),
  4::bigint, 'scalar list: ignored, names its JSON type');
SELECT is(pg_temp.paths(pg_temp.ctx('{"policy_types": {}, "foundation_types": 7}')),
  ARRAY['$.inventory.coverage.foundation_types'], 'scalar foundation list: one finding');
SELECT is(pg_temp.excerpt_at(pg_temp.ctx('{"policy_types": {}, "foundation_types": 7}'),
  '$.inventory.coverage.foundation_types'), '7', 'scalar list: excerpt is the value');
SELECT ok(coverage_truth.coverage_is_parseable(pg_temp.ctx('{"policy_types": {}, "foundation_types": 7}')),
  'scalar list beside a usable one: parseable');

SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": 1, "foundation_types": "x"}'), '$.inventory.coverage'),
  'neither', 'two scalar lists: neither list usable');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{}'), '$.inventory.coverage'),
  'neither', 'no lists: neither list usable');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy": {}, "foundation": []}'), '$.inventory.coverage'),
  'neither', 'misnamed lists: neither list usable');

-- A list that is not there has no JSON type, so no finding may call it null.
SELECT is_empty($$
  SELECT * FROM coverage_truth.explain_coverage_payload(
    pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "succeeded"}}}'))
  WHERE problem ~ 'JSON null' OR excerpt = 'null'$$,
  'absent list: not reported as JSON null');
SELECT is_empty($$
  SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx('{}'))
  WHERE problem ~ 'JSON null' OR excerpt = 'null'$$,
  'no lists: not reported as JSON null');

------------------------------------------------------------------------------
-- Entries
------------------------------------------------------------------------------

SELECT is(pg_temp.paths(pg_temp.ctx('{"policy_types": [1, "x", null, [], true], "foundation_types": []}')),
  ARRAY['$.inventory.coverage.policy_types[0]', '$.inventory.coverage.policy_types[1]',
        '$.inventory.coverage.policy_types[2]', '$.inventory.coverage.policy_types[3]',
        '$.inventory.coverage.policy_types[4]'],
  'non-object entries: one finding each, by position');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [1], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), 'number.*not an object', 'number entry: dropped, names number');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": {}, "foundation_types": {"roleScopeTag": [1]}}'),
  '$.inventory.coverage.foundation_types.roleScopeTag'), 'array.*not an object',
  'array entry in object form: names array');

SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), 'no "type"', 'array form: missing type');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"type": 5, "status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), '"type".*number.*not a string', 'array form: number type');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"type": null, "status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), '"type".*null.*not a string', 'array form: null type');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"type": ["mobileApp"], "status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), '"type".*array.*not a string', 'array form: array type');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"type": "", "status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), 'empty', 'array form: empty type');
SELECT is(
  (SELECT count(*) FROM coverage_truth.explain_coverage_payload(
     pg_temp.ctx('{"policy_types": {"": {"status": "failed"}}, "foundation_types": {}}')) AS f
   WHERE f.path LIKE '$.inventory.coverage.policy_types%' AND f.problem ~ 'empty'),
  1::bigint, 'object form: empty key');

SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": {"mobileApp": {"item_count": 1}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'no "status"', 'missing status');
SELECT is(
  (SELECT count(*) FROM (VALUES ('1'), ('null'), ('true'), ('["failed"]'), ('{"status": "failed"}')) AS v(status),
          coverage_truth.explain_coverage_payload(
            pg_temp.ctx(jsonb_build_object('policy_types',
              jsonb_build_object('mobileApp', jsonb_build_object('status', v.status::jsonb)),
              'foundation_types', '{}'::jsonb))) AS f
   WHERE f.path = '$.inventory.coverage.policy_types.mobileApp'
     AND f.problem ~ 'not a JSON string'),
  5::bigint, 'non-string status: dropped');
SELECT is(
  (SELECT count(*) FROM (VALUES ('"done"'), ('"success"'), ('""'), ('"succeeded."'), ('"s ucceeded"'),
                                ('"\u00a0failed"'), ('"\u000bskipped"'), ('"ſkipped"'), ('"unknown"')) AS v(status),
          coverage_truth.explain_coverage_payload(
            pg_temp.ctx(jsonb_build_object('policy_types',
              jsonb_build_object('mobileApp', jsonb_build_object('status', v.status::jsonb)),
              'foundation_types', '{}'::jsonb))) AS f
   WHERE f.path = '$.inventory.coverage.policy_types.mobileApp'
     AND f.problem ~ 'not succeeded, failed or skipped'
     AND f.excerpt::jsonb = v.status::jsonb),
  9::bigint, 'unrecognised status: dropped, excerpt is the status');
SELECT is_empty($$
  SELECT * FROM (VALUES ('" Succeeded\n"'), ('"\tFAILED "'), ('"sKiPpEd\r"'), ('"\r\n failed\t"')) AS v(status),
       coverage_truth.explain_coverage_payload(
         pg_temp.ctx(jsonb_build_object('policy_types',
           jsonb_build_object('mobileApp', jsonb_build_object('status', v.status::jsonb)),
           'foundation_types', '{}'::jsonb)))$$,
  'status with JSON white space and any case: no finding');

------------------------------------------------------------------------------
-- Entry members
------------------------------------------------------------------------------

SELECT is(
  (SELECT count(*) FROM (VALUES ('-1'), ('9223372036854775808'), ('1.5'), ('"3"'), ('null'), ('true'),
                                ('1e19'), ('-0.5'), ('12e-1'), ('[1]')) AS v(item_count),
          coverage_truth.explain_coverage_payload(
            pg_temp.ctx(jsonb_build_object('policy_types',
              jsonb_build_object('mobileApp', jsonb_build_object('status', 'failed', 'item_count', v.item_count::jsonb)),
              'foundation_types', '{}'::jsonb))) AS f
   WHERE f.path = '$.inventory.coverage.policy_types.mobileApp'
     AND f.problem ~ 'item_count'
     AND f.excerpt::jsonb = v.item_count::jsonb),
  10::bigint, 'unusable item_count: reported, excerpt is the value');
SELECT is_empty($$
  SELECT * FROM (VALUES ('0'), ('-0'), ('42'), ('9223372036854775807'), ('9223372036854775807.000'),
                        ('5.0'), ('1e2'), ('0.1e1')) AS v(item_count),
       coverage_truth.explain_coverage_payload(
         pg_temp.ctx(jsonb_build_object('policy_types',
           jsonb_build_object('mobileApp', jsonb_build_object('status', 'failed', 'item_count', v.item_count::jsonb)),
           'foundation_types', '{}'::jsonb)))$$,
  'integral item_count in range: no finding');

SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "succeeded", "error_code": "E1"}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'error_code.*succeeded', 'error_code on succeeded: ignored');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": " SUCCEEDED", "error_code": ""}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'error_code.*succeeded', 'empty error_code on succeeded: ignored');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed", "error_code": ""}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'error_code.*empty', 'empty error_code: ignored');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "skipped", "error_code": 5}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'error_code.*not a JSON string', 'number error_code: ignored');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed", "error_code": null}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), 'error_code.*not a JSON string', 'null error_code: ignored');
SELECT is(pg_temp.excerpt_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "skipped", "error_code": 5}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.mobileApp'), '5', 'number error_code: excerpt is the value');
SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed", "item_count": -1, "error_code": 5}}, "foundation_types": {}}')),
  ARRAY['$.inventory.coverage.policy_types.mobileApp', '$.inventory.coverage.policy_types.mobileApp'],
  'bad item_count and error_code: two findings');
SELECT is_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed", "error_code": "E1"},
                     "deviceConfiguration": {"status": "skipped", "error_code": "throttled"}},
    "foundation_types": {}}'))$$,
  'error_code kept on failed and skipped: no finding');

------------------------------------------------------------------------------
-- Findings that need the whole payload or the catalog
------------------------------------------------------------------------------

SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": {"notAType": {"status": "failed"}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.notAType'), 'notAType.*not in', 'type not in catalog: reported');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": {"MobileApp": {"status": "failed"}}, "foundation_types": {}}'),
  '$.inventory.coverage.policy_types.MobileApp'), 'not in', 'type in other case: not in catalog');
SELECT matches(pg_temp.problem_at(pg_temp.ctx('{"policy_types": [{"type": " mobileApp", "status": "failed"}], "foundation_types": []}'),
  '$.inventory.coverage.policy_types[0]'), 'not in', 'type with a space: not in catalog');
SELECT is(pg_temp.paths(pg_temp.ctx('{"policy_types": {"notAType": {"status": "bogus"}}, "foundation_types": {}}')),
  ARRAY['$.inventory.coverage.policy_types.notAType'], 'dropped unknown type: only the drop');

SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": [{"type": "mobileApp", "status": "failed"}, {"type": "mobileApp", "status": "succeeded"}],
    "foundation_types": []}')),
  ARRAY['$.inventory.coverage.policy_types[0]'], 'duplicate: earlier entry reported');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": [{"type": "mobileApp", "status": "failed"}, {"type": "mobileApp", "status": "succeeded"}],
    "foundation_types": []}'), '$.inventory.coverage.policy_types[0]'), 'replaced', 'duplicate: reported replaced');
SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": [{"type": "mobileApp", "status": "failed"}, {"type": "mobileApp", "status": "bogus"}],
    "foundation_types": []}')),
  ARRAY['$.inventory.coverage.policy_types[1]'], 'duplicate dropped: earlier entry still used');
SELECT ok(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": [{"type": "a1", "status": "failed"}, {"type": "mobileApp", "status": "failed"},
                     {"type": "a1", "status": "failed"}, {"type": "mobileApp", "status": "skipped"},
                     {"type": "mobileApp", "status": "succeeded"}],
    "foundation_types": []}'))::text[] @> ARRAY['$.inventory.coverage.policy_types[0]',
                                                 '$.inventory.coverage.policy_types[1]',
                                                 '$.inventory.coverage.policy_types[3]'],
  'three duplicates: every replaced entry reported');
SELECT is(
  (SELECT count(*) FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
     '{"policy_types": [{"type": "mobileApp", "status": "failed"}], "foundation_types": [{"type": "mobileApp", "status": "failed"}]}')) AS f
   WHERE f.problem ~ 'replaced'),
  0::bigint, 'same type in two lists: not a duplicate');

SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed"}}, "foundation_types": {"mobileApp": {"status": "succeeded"}}}')),
  ARRAY['$.inventory.coverage.foundation_types.mobileApp'], 'policy type in both lists: foundation entry reported');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "failed"}}, "foundation_types": {"mobileApp": {"status": "succeeded"}}}'),
  '$.inventory.coverage.foundation_types.mobileApp'), 'also in policy_types', 'policy type in both lists: reported');
SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": [{"type": "roleScopeTag", "status": "failed"}], "foundation_types": [{"type": "roleScopeTag", "status": "skipped"}]}')),
  ARRAY['$.inventory.coverage.policy_types[0]'], 'foundation type in both lists: policy entry reported');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  '{"policy_types": [{"type": "roleScopeTag", "status": "failed"}], "foundation_types": [{"type": "roleScopeTag", "status": "skipped"}]}'),
  '$.inventory.coverage.policy_types[0]'), 'also in foundation_types', 'foundation type in both lists: reported');
SELECT is(pg_temp.paths(pg_temp.ctx(
  '{"policy_types": {"roleScopeTag": {"status": "failed"}}, "foundation_types": {"roleScopeTag": {"status": "bogus"}}}')),
  ARRAY['$.inventory.coverage.foundation_types.roleScopeTag'], 'own list entry dropped: other list entry used');
SELECT is(
  (SELECT count(*) FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
     '{"policy_types": {"notAType": {"status": "failed"}}, "foundation_types": {"notAType": {"status": "failed"}}}')) AS f
   WHERE f.problem ~ 'not in'),
  2::bigint, 'unknown type in both lists: both not in catalog');

------------------------------------------------------------------------------
-- Clean payloads
------------------------------------------------------------------------------

SELECT is_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
  '{"policy_types": {"mobileApp": {"status": "succeeded", "item_count": 3},
                     "deviceConfiguration": {"status": "failed", "item_count": 0, "error_code": "E1"},
                     "windowsUpdateRing": {"status": "skipped"}},
    "foundation_types": [{"type": "roleScopeTag", "status": "succeeded", "item_count": 9223372036854775807},
                         {"type": "assignmentFilter", "status": "Failed", "error_code": "throttled"}]}'))$$,
  'clean payload: no findings');
SELECT is_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
  '{"policy_types": {}, "foundation_types": []}'))$$,
  'empty lists: no findings');
SELECT is_empty($$SELECT * FROM coverage_truth.explain_coverage_payload(jsonb_build_object(
  'inventory', jsonb_build_object('coverage', '{"policy_types": {"mobileApp": {"status": "succeeded", "extra": [1]}},
                                               "foundation_types": {}, "other_types": 1}'::jsonb,
                                  'items', '[1, 2]'::jsonb),
  'operation', 'sync'))$$,
  'unrelated members: no findings');

------------------------------------------------------------------------------
-- Hostile input never raises
------------------------------------------------------------------------------

SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(
  (repeat('[', 5000) || repeat(']', 5000))::jsonb)$$, 'deep array root: no error');
SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(
  ('{"inventory": ' || repeat('{"a": ', 5000) || '1' || repeat('}', 5000) || '}')::jsonb)$$,
  'deep inventory: no error');
SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
  ('{"policy_types": ' || repeat('[', 5000) || repeat(']', 5000) || '}')::jsonb))$$,
  'deep list: no error');
SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
  ('{"policy_types": {"mobileApp": {"status": ' || repeat('[', 5000) || repeat(']', 5000)
   || ', "item_count": ' || repeat('{"a": ', 5000) || '1' || repeat('}', 5000)
   || ', "error_code": ' || repeat('[', 5000) || repeat(']', 5000) || '}}}')::jsonb))$$,
  'deep entry members: no error');
SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(
  to_jsonb(repeat('[', 5000) || repeat(']', 5000)))$$, 'deep double-encoded text: no error');
SELECT lives_ok($$SELECT count(*) FROM coverage_truth.explain_coverage_payload(
  to_jsonb(repeat('{"a": [', 3000)))$$, 'deep unclosed text: no error');
SELECT matches(pg_temp.problem_at(pg_temp.ctx(
  ('{"policy_types": {"mobileApp": {"status": ' || repeat('[', 5000) || repeat(']', 5000) || '}}}')::jsonb),
  '$.inventory.coverage.policy_types.mobileApp'), 'not a JSON string', 'deep status: dropped');
SELECT cmp_ok(
  (SELECT max(octet_length(f.excerpt)) FROM coverage_truth.explain_coverage_payload(pg_temp.ctx(
     ('{"policy_types": {"mobileApp": {"status": ' || repeat('[', 5000) || repeat(']', 5000) || '}}}')::jsonb)) AS f),
  '<', 1000, 'deep status: excerpt is cut');

CREATE TEMP TABLE many_entries AS
SELECT pg_temp.ctx(jsonb_build_object(
         'policy_types', jsonb_agg(jsonb_build_object('type', 'notAType' || (g % 100), 'status', 'failed') ORDER BY g),
         'foundation_types', '[]'::jsonb)) AS context
FROM generate_series(1, 20000) AS g;
SELECT lives_ok('SELECT count(*) FROM coverage_truth.explain_coverage_payload((SELECT context FROM many_entries))',
  '20,000 entries: no error');
SELECT is(
  (SELECT count(*) FROM coverage_truth.explain_coverage_payload((SELECT context FROM many_entries))),
  1000::bigint, '20,000 entries: findings capped at 1000');
SELECT matches(
  (SELECT f.problem FROM coverage_truth.explain_coverage_payload((SELECT context FROM many_entries)) AS f
   WHERE f.path = '$' ),
  '^19001 more findings are not listed', '20,000 entries: closing row counts the rest');
SELECT is(
  (SELECT f.path FROM coverage_truth.explain_coverage_payload((SELECT context FROM many_entries)) AS f
   WHERE f.problem ~ 'notAType0"'),
  '$.inventory.coverage.policy_types[19999]', '20,000 entries: last entry of a type kept');

CREATE TEMP TABLE huge_string AS SELECT repeat('xé', 5000000) AS value;
SELECT lives_ok('SELECT count(*) FROM coverage_truth.explain_coverage_payload((SELECT to_jsonb(value) FROM huge_string))',
  'huge string root: no error');
SELECT cmp_ok(
  (SELECT max(octet_length(f.excerpt)) FROM huge_string,
          coverage_truth.explain_coverage_payload(to_jsonb(huge_string.value)) AS f),
  '<', 1000, 'huge string root: excerpt is cut');
SELECT matches(
  (SELECT string_agg(f.problem, E'\n') FROM huge_string,
          coverage_truth.explain_coverage_payload(pg_temp.ctx(jsonb_build_object(
            'policy_types', jsonb_build_object('mobileApp', jsonb_build_object('status', huge_string.value)),
            'foundation_types', '{}'::jsonb))) AS f),
  'not succeeded, failed or skipped', 'huge status string: dropped');
SELECT cmp_ok(
  (SELECT max(octet_length(f.excerpt)) FROM huge_string,
          coverage_truth.explain_coverage_payload(pg_temp.ctx(jsonb_build_object(
            'policy_types', jsonb_build_object('mobileApp', jsonb_build_object('status', huge_string.value)),
            'foundation_types', '{}'::jsonb))) AS f),
  '<', 1000, 'huge status string: excerpt is cut');
SELECT lives_ok($$SELECT count(*) FROM huge_string,
  coverage_truth.explain_coverage_payload(to_jsonb('{"inventory": {"coverage": "' || huge_string.value || '"}}'))$$,
  'huge double-encoded text: no error');

------------------------------------------------------------------------------
-- Generated hostile contexts agree with the parser
------------------------------------------------------------------------------

SELECT is(
  (SELECT count(*) FROM public.operation_runs AS r
   WHERE r.context IS NOT NULL
     AND coverage_truth.coverage_is_parseable(r.context) = EXISTS (
     SELECT 1 FROM coverage_truth.explain_coverage_payload(r.context) AS f
     WHERE f.path IN ('$', '$.inventory', '$.inventory.coverage'))),
  0::bigint, 'unparseable iff a finding above the lists');
SELECT cmp_ok(
  (SELECT count(*) FROM public.operation_runs AS r WHERE NOT coverage_truth.coverage_is_parseable(r.context)),
  '>', 50::bigint, 'generated runs include unparseable contexts');

-- Every list entry is either used (one parse_coverage row per list and
-- type), replaced by a later entry or dropped.
CREATE TEMP TABLE generated_counts AS
SELECT r.id,
       (SELECT count(*)
        FROM (VALUES ('policy_types'), ('foundation_types')) AS l(name),
             LATERAL (SELECT r.context -> 'inventory' -> 'coverage' -> l.name AS list) AS v,
             LATERAL (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(v.list) WHEN 'array' THEN v.list ELSE '[]' END)
                      UNION ALL
                      SELECT 1 FROM jsonb_each(CASE jsonb_typeof(v.list) WHEN 'object' THEN v.list ELSE '{}' END)) AS e)
         AS entries,
       (SELECT count(*) FROM coverage_truth.parse_coverage(r.context)) AS used,
       (SELECT count(*) FROM coverage_truth.explain_coverage_payload(r.context) AS f
        WHERE f.problem ~ 'replaced') AS replaced,
       (SELECT count(*) FROM coverage_truth.explain_coverage_payload(r.context) AS f
        WHERE f.problem ~ 'dropped') AS dropped
FROM public.operation_runs AS r
WHERE coverage_truth.coverage_is_parseable(r.context);
SELECT is_empty('SELECT * FROM generated_counts WHERE entries <> used + replaced + dropped',
  'entries = used + replaced + dropped');
SELECT cmp_ok((SELECT sum(dropped) FROM generated_counts), '>', 100::numeric, 'generated runs drop entries');
SELECT cmp_ok((SELECT sum(replaced) FROM generated_counts), '>', 10::numeric, 'generated runs replace entries');
SELECT is_empty($$
  SELECT * FROM public.operation_runs AS r, coverage_truth.explain_coverage_payload(r.context) AS f
  WHERE f.path IS NULL OR f.path !~ '^\$' OR coalesce(f.problem, '') = ''$$,
  'every finding has a path and a problem');

SELECT is_empty($$
  SELECT r.id FROM public.operation_runs AS r
  WHERE coverage_truth.coverage_is_parseable(r.context)
    AND (SELECT count(*) FROM coverage_truth.explain_coverage_payload(r.context) AS f WHERE f.problem ~ 'also in')
        <> (SELECT count(*) FROM coverage_truth.supported_types AS s
            WHERE (SELECT count(*) FROM coverage_truth.parse_coverage(r.context) AS p WHERE p.type = s.type) = 2)$$,
  'one both-lists finding per type in both');
SELECT is_empty($$
  SELECT r.id FROM public.operation_runs AS r
  WHERE coverage_truth.coverage_is_parseable(r.context)
    AND (SELECT count(*) FROM coverage_truth.explain_coverage_payload(r.context) AS f WHERE f.problem ~ 'not in')
        <> (SELECT count(*) FROM coverage_truth.parse_coverage(r.context) AS p
            WHERE NOT EXISTS (SELECT 1 FROM coverage_truth.supported_types AS s WHERE s.type = p.type))$$,
  'one not-in-catalog finding per unknown type');

SELECT * FROM finish();
ROLLBACK;
