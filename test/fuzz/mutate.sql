-- coverage_fuzz: seeded random and mutated run contexts for test/fuzz/run.sh.
--
-- Needs coverage_gen (test/differential/generator.sql). Every case is a
-- jsonb value. fill_batch() makes a batch of them from the session's
-- random() sequence, so setseed() followed by the same call repeats a batch.

\set ON_ERROR_STOP 1

DROP SCHEMA IF EXISTS coverage_fuzz CASCADE;
CREATE SCHEMA coverage_fuzz;

-- Numbers with many digits or large exponents, still within numeric's
-- range, plus the item_count pool.
CREATE FUNCTION coverage_fuzz.number()
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RETURN (CASE coverage_gen.between(0, 5)
    WHEN 0 THEN coverage_gen.pick(coverage_gen.item_counts())
    WHEN 1 THEN pg_catalog.repeat('9', coverage_gen.between(15, 2000)::int)
    WHEN 2 THEN '0.' || pg_catalog.repeat('0', coverage_gen.between(0, 900)::int) || '1'
    WHEN 3 THEN coverage_gen.between(1, 99) || 'e' || coverage_gen.between(-1000, 1000)
    WHEN 4 THEN '-' || coverage_gen.between(0, 9223372036854775807)::text
    ELSE coverage_gen.between(9223372036854775000, 9223372036854775807)::text
         || coverage_gen.pick(ARRAY['', '.0', '.5', '0', 'e0', 'e1', '.000000000000000000001'])
  END)::jsonb;
END
$$;

-- A JSON string that is almost an accepted status, or a random string.
CREATE FUNCTION coverage_fuzz.status_string()
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  word text := coverage_gen.pick(ARRAY['succeeded', 'failed', 'skipped']);
  at_char int;
  pad text[] := ARRAY[' ', E'\t', E'\n', E'\r', pg_catalog.chr(11), pg_catalog.chr(12),
                      pg_catalog.chr(160), pg_catalog.chr(8203), pg_catalog.chr(12288),
                      pg_catalog.chr(65279), pg_catalog.chr(133), pg_catalog.chr(8232)];
BEGIN
  CASE coverage_gen.between(0, 6)
    WHEN 0 THEN
      word := coverage_gen.pick(pad) || word || coverage_gen.pick(pad);
    WHEN 1 THEN
      word := pg_catalog.repeat(coverage_gen.pick(ARRAY[' ', E'\t', E'\n', E'\r']), coverage_gen.between(0, 50)::int)
              || pg_catalog.upper(word)
              || pg_catalog.repeat(coverage_gen.pick(ARRAY[' ', E'\t', E'\n', E'\r']), coverage_gen.between(0, 50)::int);
    WHEN 2 THEN
      -- flip the case of random letters
      SELECT pg_catalog.string_agg(CASE WHEN pg_catalog.random() < 0.5 THEN pg_catalog.upper(c) ELSE c END, '' ORDER BY n)
        INTO word FROM pg_catalog.regexp_split_to_table(word, '') WITH ORDINALITY AS t(c, n);
    WHEN 3 THEN
      -- replace one letter by a lookalike
      at_char := coverage_gen.between(1, pg_catalog.length(word))::int;
      word := overlay(word PLACING coverage_gen.pick(ARRAY[
                pg_catalog.chr(8490), pg_catalog.chr(383), pg_catalog.chr(305), pg_catalog.chr(304),
                pg_catalog.chr(1029), pg_catalog.chr(1077), pg_catalog.chr(65363), pg_catalog.chr(1109),
                pg_catalog.chr(7424), pg_catalog.chr(710), pg_catalog.chr(769)])
              FROM at_char FOR 1);
    WHEN 4 THEN
      -- drop, double or insert a character
      at_char := coverage_gen.between(1, pg_catalog.length(word))::int;
      word := CASE coverage_gen.between(0, 2)
        WHEN 0 THEN overlay(word PLACING '' FROM at_char FOR 1)
        WHEN 1 THEN overlay(word PLACING pg_catalog.substr(word, at_char, 1) FROM at_char FOR 0)
        ELSE overlay(word PLACING coverage_gen.random_text(2) FROM at_char FOR 0) END;
    WHEN 5 THEN
      word := coverage_gen.random_text(30);
    ELSE
      NULL;
  END CASE;
  RETURN pg_catalog.to_jsonb(word);
END
$$;

-- A value of a random JSON type.
CREATE FUNCTION coverage_fuzz.value()
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  RETURN CASE coverage_gen.between(0, 5)
    WHEN 0 THEN coverage_fuzz.number()
    WHEN 1 THEN coverage_fuzz.status_string()
    WHEN 2 THEN pg_catalog.to_jsonb(coverage_gen.random_text(20))
    WHEN 3 THEN coverage_gen.pick(ARRAY['null', 'true', 'false', '[]', '{}', '""'])::jsonb
    ELSE coverage_gen.junk(3)::jsonb
  END;
END
$$;

-- The paths of a context worth mutating: each level of the payload, each
-- list, a few entries and their members.
CREATE FUNCTION coverage_fuzz.paths(context jsonb)
RETURNS text[] LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  paths text[] := ARRAY['{}', '{inventory}', '{inventory,coverage}',
                        '{inventory,coverage,policy_types}', '{inventory,coverage,foundation_types}'];
  list_name text;
  list jsonb;
  entry_path text;
  member text;
BEGIN
  FOREACH list_name IN ARRAY ARRAY['policy_types', 'foundation_types'] LOOP
    list := context #> ARRAY['inventory', 'coverage', list_name];
    FOR entry_path IN
      SELECT pg_catalog.format('{inventory,coverage,%s,%s}', list_name, pg_catalog.to_json(k)::text)
      FROM pg_catalog.jsonb_object_keys(CASE WHEN pg_catalog.jsonb_typeof(list) = 'object' THEN list ELSE '{}' END) AS k
      UNION ALL
      SELECT pg_catalog.format('{inventory,coverage,%s,%s}', list_name, i - 1)
      FROM generate_series(1, CASE WHEN pg_catalog.jsonb_typeof(list) = 'array' THEN pg_catalog.jsonb_array_length(list) ELSE 0 END) AS i
    LOOP
      IF coverage_gen.chance(0.5) THEN
        paths := paths || entry_path;
        FOREACH member IN ARRAY ARRAY['status', 'item_count', 'error_code', 'type'] LOOP
          paths := paths || (pg_catalog.left(entry_path, -1) || ',' || member || '}');
        END LOOP;
      END IF;
    END LOOP;
  END LOOP;
  RETURN paths;
END
$$;

-- One mutation at one of the paths (taken from an earlier state of the
-- context: a path that no longer exists is created or left alone).
CREATE FUNCTION coverage_fuzz.mutate_once(context jsonb, paths text[])
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  path text[] := coverage_gen.pick(paths)::text[];
  current jsonb := context #> path;
  replacement jsonb;
  k text;
BEGIN
  CASE coverage_gen.between(0, 11)
    WHEN 0 THEN
      IF pg_catalog.cardinality(path) = 0 THEN RETURN coverage_fuzz.value(); END IF;
      RETURN context #- path;
    WHEN 1 THEN replacement := coverage_fuzz.value();
    WHEN 2 THEN replacement := pg_catalog.to_jsonb(coalesce(current, 'null'::jsonb)::text);
    WHEN 3 THEN replacement := pg_catalog.jsonb_build_array(current);
    WHEN 4 THEN replacement := coverage_fuzz.status_string();
    WHEN 5 THEN replacement := coverage_fuzz.number();
    WHEN 6 THEN
      -- an object member renamed by case or white space
      IF pg_catalog.jsonb_typeof(current) = 'object' AND current <> '{}' THEN
        SELECT key INTO k FROM pg_catalog.jsonb_object_keys(current) AS key ORDER BY pg_catalog.random() LIMIT 1;
        replacement := (current - k) || pg_catalog.jsonb_build_object(
          coverage_gen.pick(ARRAY[pg_catalog.upper(k), ' ' || k, k || E'\n', pg_catalog.initcap(k), '', k || pg_catalog.chr(8203)]),
          current -> k);
      ELSE
        replacement := coverage_fuzz.value();
      END IF;
    WHEN 7 THEN
      -- an extra member or element
      IF pg_catalog.jsonb_typeof(current) = 'object' THEN
        replacement := current || pg_catalog.jsonb_build_object(
          coverage_gen.pick(ARRAY['status', 'type', 'item_count', 'error_code', 'policy_types',
                                  'foundation_types', 'coverage', 'inventory', coverage_gen.random_text(8)]),
          coverage_fuzz.value());
      ELSIF pg_catalog.jsonb_typeof(current) = 'array' THEN
        replacement := current || pg_catalog.jsonb_build_array(coverage_fuzz.value());
      ELSE
        replacement := pg_catalog.jsonb_build_object('value', current);
      END IF;
    WHEN 8 THEN
      -- duplicate or reverse the elements of an array
      IF pg_catalog.jsonb_typeof(current) = 'array' THEN
        IF coverage_gen.chance(0.5) THEN
          replacement := current || current;
        ELSE
          SELECT coalesce(pg_catalog.jsonb_agg(e ORDER BY n DESC), '[]') INTO replacement
          FROM pg_catalog.jsonb_array_elements(current) WITH ORDINALITY AS a(e, n);
        END IF;
      ELSIF pg_catalog.jsonb_typeof(current) = 'object' THEN
        -- object to array form, each member becoming {"type": key, ...}
        SELECT coalesce(pg_catalog.jsonb_agg(CASE WHEN pg_catalog.jsonb_typeof(e.value) = 'object'
                          THEN e.value || pg_catalog.jsonb_build_object('type', e.key) ELSE e.value END), '[]')
          INTO replacement FROM pg_catalog.jsonb_each(current) AS e;
      ELSE
        replacement := coverage_fuzz.value();
      END IF;
    WHEN 9 THEN
      -- deep nesting
      k := coverage_gen.between(1, 3000)::text;
      replacement := (pg_catalog.repeat('[', k::int) || coalesce(current, 'null')::text
                      || pg_catalog.repeat(']', k::int))::jsonb;
    WHEN 10 THEN
      -- the whole context as a JSON string, once or twice
      replacement := pg_catalog.to_jsonb(context::text);
      IF coverage_gen.chance(0.3) THEN
        replacement := pg_catalog.to_jsonb(replacement::text);
      END IF;
      RETURN replacement;
    ELSE
      replacement := coverage_gen.pick(ARRAY['null', '{}', '[]', '""', '0', 'true'])::jsonb;
  END CASE;
  IF pg_catalog.cardinality(path) = 0 THEN
    RETURN replacement;
  END IF;
  -- jsonb_set does nothing where a parent is missing or not a container,
  -- and raises on a scalar root; both leave the context as it was.
  IF pg_catalog.jsonb_typeof(context) NOT IN ('object', 'array') THEN
    RETURN replacement;
  END IF;
  RETURN pg_catalog.jsonb_set(context, path, replacement, true);
EXCEPTION WHEN others THEN
  RETURN context;
END
$$;

-- Damages the JSON text: removes, doubles or replaces a character,
-- inserts white space, or cuts the text. The result is kept only when it is
-- still valid JSON.
CREATE FUNCTION coverage_fuzz.damage_text(context jsonb)
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  source text := context::text;
  at_char int := coverage_gen.between(1, greatest(1, pg_catalog.length(source)))::int;
  damaged text;
BEGIN
  damaged := CASE coverage_gen.between(0, 4)
    WHEN 0 THEN overlay(source PLACING '' FROM at_char FOR 1)
    WHEN 1 THEN overlay(source PLACING pg_catalog.substr(source, at_char, 1) FROM at_char FOR 0)
    WHEN 2 THEN overlay(source PLACING coverage_gen.random_text(3) FROM at_char FOR 1)
    WHEN 3 THEN overlay(source PLACING coverage_gen.pick(ARRAY[' ', E'\t', E'\n', E'\r', '\t', '\n', '\u0041', '\u00e9'])
                                   FROM at_char FOR 0)
    ELSE pg_catalog.left(source, at_char) || coverage_gen.pick(ARRAY['', '}', ']', '"}', '}}', '}}}'])
  END;
  RETURN damaged::jsonb;
EXCEPTION WHEN others THEN
  RETURN context;
END
$$;

-- One fuzz case.
CREATE FUNCTION coverage_fuzz.make_case(policy text[], foundation text[])
RETURNS jsonb LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  context jsonb;
  paths text[];
  kind int := coverage_gen.between(0, 99)::int;
BEGIN
  IF kind < 8 THEN
    -- random JSON of any shape
    RETURN coverage_gen.junk(4)::jsonb;
  END IF;
  context := coverage_gen.context(policy, foundation, false,
                                  CASE WHEN coverage_gen.chance(0.02) THEN 400 ELSE 6 END)::jsonb;
  IF kind < 30 THEN
    RETURN context;
  END IF;
  IF kind < 40 THEN
    RETURN coverage_fuzz.damage_text(context);
  END IF;
  paths := coverage_fuzz.paths(context);
  FOR i IN 1 .. coverage_gen.between(1, 4) LOOP
    context := coverage_fuzz.mutate_once(context, paths);
  END LOOP;
  RETURN context;
END
$$;

CREATE TABLE coverage_fuzz.batch (
  sample_id bigint PRIMARY KEY,
  context jsonb
);

-- Replaces the batch table's content with count new cases.
CREATE FUNCTION coverage_fuzz.fill_batch(count int)
RETURNS bigint LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  policy text[];
  foundation text[];
BEGIN
  SELECT coalesce(pg_catalog.array_agg(type ORDER BY type COLLATE "C") FILTER (WHERE segment = 'policy'), '{}'),
         coalesce(pg_catalog.array_agg(type ORDER BY type COLLATE "C") FILTER (WHERE segment = 'foundation'), '{}')
    INTO policy, foundation
  FROM coverage_truth.supported_types;
  TRUNCATE coverage_fuzz.batch;
  FOR i IN 1 .. count LOOP
    INSERT INTO coverage_fuzz.batch VALUES (i, coverage_fuzz.make_case(policy, foundation));
  END LOOP;
  RETURN count;
END
$$;
