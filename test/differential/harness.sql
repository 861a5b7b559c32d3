-- coverage_diff: TAP checks that compare coverage_truth with coverage_oracle.
--
-- A check calls one function of both schemas once per row of a sample
-- table, which has a sample_id bigint column and the argument columns. It
-- collects every result row with its position (WITH ORDINALITY), so the
-- order is compared too. Then it compares the two collections with EXCEPT
-- ALL in both directions, which treats NULLs as equal like IS DISTINCT
-- FROM. Calls that raise are caught one by one, and a check passes only
-- when the same calls raise on both sides. Each check returns its TAP lines
-- as rows of text.

\set ON_ERROR_STOP 1

DROP SCHEMA IF EXISTS coverage_diff CASCADE;
CREATE SCHEMA coverage_diff;

-- Inserts the result rows of call for every sample into table target. call
-- is a format() template in which %1$s is the schema and s the sample row.
-- The fast path runs all samples in one statement. Only when that raises
-- are the samples retried one at a time, each error going to errors_table.
CREATE FUNCTION coverage_diff.collect(samples regclass, call text, schema_name text,
                                      target text, errors_table text)
RETURNS void LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  statement text;
  sample record;
BEGIN
  statement := pg_catalog.format(
    'INSERT INTO %I SELECT s.sample_id, x.* FROM %s AS s CROSS JOIN LATERAL %s WITH ORDINALITY AS x',
    target, samples, pg_catalog.format(call, schema_name));
  BEGIN
    EXECUTE statement;
    RETURN;
  EXCEPTION WHEN others THEN
    NULL;
  END;
  FOR sample IN EXECUTE pg_catalog.format('SELECT sample_id FROM %s ORDER BY sample_id', samples) LOOP
    BEGIN
      EXECUTE statement || ' WHERE s.sample_id = $1' USING sample.sample_id;
    EXCEPTION WHEN others THEN
      EXECUTE pg_catalog.format('INSERT INTO %I VALUES ($1, $2, $3)', errors_table)
        USING sample.sample_id, SQLSTATE, SQLERRM;
    END;
  END LOOP;
END
$$;

CREATE FUNCTION coverage_diff.check(test_number int, description text, samples regclass,
                                    call text, shown int DEFAULT 3)
RETURNS SETOF text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  shape_ext text;
  shape_ora text;
  sample_count bigint;
  row_count bigint;
  only_ext bigint;
  only_ora bigint;
  error_mismatch bigint;
  both_raised bigint;
  notes text[] := '{}';
  item record;
  line text;
BEGIN
  DROP TABLE IF EXISTS pg_temp.got_ext, pg_temp.got_ora, pg_temp.err_ext, pg_temp.err_ora;
  CREATE TEMP TABLE err_ext (sample_id bigint, state text, message text);
  CREATE TEMP TABLE err_ora (sample_id bigint, state text, message text);
  BEGIN
    EXECUTE pg_catalog.format(
      'CREATE TEMP TABLE got_ext AS SELECT s.sample_id, x.* FROM %s AS s CROSS JOIN LATERAL %s WITH ORDINALITY AS x LIMIT 0',
      samples, pg_catalog.format(call, 'coverage_truth'));
    EXECUTE pg_catalog.format(
      'CREATE TEMP TABLE got_ora AS SELECT s.sample_id, x.* FROM %s AS s CROSS JOIN LATERAL %s WITH ORDINALITY AS x LIMIT 0',
      samples, pg_catalog.format(call, 'coverage_oracle'));
  EXCEPTION WHEN others THEN
    RETURN NEXT pg_catalog.format('not ok %s - %s', test_number, description);
    RETURN NEXT '# cannot call the function: ' || SQLERRM;
    RETURN;
  END;

  -- same column names and types, in the same order
  SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    INTO shape_ext FROM pg_catalog.pg_attribute AS a
   WHERE a.attrelid = 'pg_temp.got_ext'::regclass AND a.attnum > 0;
  SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    INTO shape_ora FROM pg_catalog.pg_attribute AS a
   WHERE a.attrelid = 'pg_temp.got_ora'::regclass AND a.attnum > 0;
  IF shape_ext IS DISTINCT FROM shape_ora THEN
    RETURN NEXT pg_catalog.format('not ok %s - %s', test_number, description);
    RETURN NEXT '# result columns differ';
    RETURN NEXT '#   extension: ' || shape_ext;
    RETURN NEXT '#   oracle:    ' || shape_ora;
    RETURN;
  END IF;

  PERFORM coverage_diff.collect(samples, call, 'coverage_truth', 'got_ext', 'err_ext');
  PERFORM coverage_diff.collect(samples, call, 'coverage_oracle', 'got_ora', 'err_ora');

  EXECUTE pg_catalog.format('SELECT count(*) FROM %s', samples) INTO sample_count;
  SELECT count(*) INTO row_count FROM pg_temp.got_ext;

  -- rows of samples that raised on either side are compared as errors only
  CREATE TEMP TABLE IF NOT EXISTS raised (sample_id bigint);
  TRUNCATE raised;
  INSERT INTO raised SELECT e.sample_id FROM err_ext AS e UNION SELECT o.sample_id FROM err_ora AS o;
  DELETE FROM pg_temp.got_ext AS g USING raised AS r WHERE g.sample_id = r.sample_id;
  DELETE FROM pg_temp.got_ora AS g USING raised AS r WHERE g.sample_id = r.sample_id;

  DROP TABLE IF EXISTS pg_temp.diff;
  -- result is for comparing columns, shown keeps the column order
  CREATE TEMP TABLE diff AS
    SELECT 'extension'::text AS side, d.sample_id, pg_catalog.to_jsonb(d) - 'sample_id' AS result,
           pg_catalog.row_to_json(d)::text AS shown
    FROM (SELECT * FROM pg_temp.got_ext EXCEPT ALL SELECT * FROM pg_temp.got_ora) AS d
    UNION ALL
    SELECT 'oracle', d.sample_id, pg_catalog.to_jsonb(d) - 'sample_id', pg_catalog.row_to_json(d)::text
    FROM (SELECT * FROM pg_temp.got_ora EXCEPT ALL SELECT * FROM pg_temp.got_ext) AS d;
  SELECT count(*) FILTER (WHERE side = 'extension'), count(*) FILTER (WHERE side = 'oracle')
    INTO only_ext, only_ora FROM diff;
  SELECT count(*) INTO error_mismatch FROM (
    (SELECT e.sample_id FROM err_ext AS e EXCEPT SELECT o.sample_id FROM err_ora AS o)
    UNION ALL
    (SELECT o.sample_id FROM err_ora AS o EXCEPT SELECT e.sample_id FROM err_ext AS e)) AS m;
  SELECT count(*) INTO both_raised FROM err_ext AS e WHERE e.sample_id IN (SELECT o.sample_id FROM err_ora AS o);

  line := pg_catalog.format('%s (%s calls, %s rows', description, sample_count, row_count);
  IF both_raised > 0 THEN
    line := line || pg_catalog.format(', %s calls raised on both sides', both_raised);
  END IF;
  line := line || ')';

  IF only_ext = 0 AND only_ora = 0 AND error_mismatch = 0 THEN
    RETURN NEXT pg_catalog.format('ok %s - %s', test_number, line);
    IF both_raised > 0 THEN
      FOR item IN
        SELECT e.state AS ext_state, o.state AS ora_state, min(e.message) AS message, count(*) AS n
        FROM err_ext AS e JOIN err_ora AS o USING (sample_id)
        GROUP BY 1, 2 ORDER BY 4 DESC LIMIT 3
      LOOP
        RETURN NEXT pg_catalog.format('# both raised %s times: extension SQLSTATE %s (%s), oracle SQLSTATE %s',
                                      item.n, item.ext_state, item.message, item.ora_state);
      END LOOP;
    END IF;
    RETURN;
  END IF;

  RETURN NEXT pg_catalog.format('not ok %s - %s', test_number, line);
  RETURN NEXT pg_catalog.format('# %s rows only from the extension, %s rows only from the oracle, %s calls raised on one side only',
                                only_ext, only_ora, error_mismatch);
  FOR item IN
    SELECT m.sample_id FROM (
      SELECT d.sample_id FROM diff AS d
      UNION
      (SELECT e.sample_id FROM err_ext AS e EXCEPT SELECT o.sample_id FROM err_ora AS o)
      UNION
      (SELECT o.sample_id FROM err_ora AS o EXCEPT SELECT e.sample_id FROM err_ext AS e)) AS m
    ORDER BY m.sample_id LIMIT shown
  LOOP
    EXECUTE pg_catalog.format('SELECT pg_catalog.left((pg_catalog.to_jsonb(s) - ''sample_id'')::text, 2000) FROM %s AS s WHERE s.sample_id = $1', samples)
      INTO line USING item.sample_id;
    RETURN NEXT pg_catalog.format('# sample %s: %s', item.sample_id, line);
    -- rows at the same position on both sides: the columns that differ
    RETURN QUERY
      SELECT pg_catalog.format('#   row %s, %s: extension %s, oracle %s',
                               e.result ->> 'ordinality', k.key, k.value,
                               coalesce(o.result -> k.key, 'null'::jsonb))
      FROM diff AS e
      JOIN diff AS o ON o.sample_id = e.sample_id AND o.side = 'oracle'
                    AND o.result -> 'ordinality' = e.result -> 'ordinality'
      CROSS JOIN LATERAL pg_catalog.jsonb_each(e.result) AS k
      WHERE e.sample_id = item.sample_id AND e.side = 'extension'
        AND k.value IS DISTINCT FROM o.result -> k.key
      ORDER BY (e.result ->> 'ordinality')::bigint, k.key LIMIT 8;
    RETURN QUERY
      SELECT pg_catalog.format('#   only from the %s: %s', d.side, pg_catalog.left(d.shown, 1500))
      FROM diff AS d WHERE d.sample_id = item.sample_id
      ORDER BY d.side, (d.result ->> 'ordinality')::bigint LIMIT 6;
    RETURN QUERY
      SELECT pg_catalog.format('#   the extension raised: %s %s', e.state, e.message)
      FROM err_ext AS e WHERE e.sample_id = item.sample_id;
    RETURN QUERY
      SELECT pg_catalog.format('#   the oracle raised: %s %s', o.state, o.message)
      FROM err_ora AS o WHERE o.sample_id = item.sample_id;
  END LOOP;
END
$$;

-- Calls a function of the extension on every sample and passes when no
-- call raises (the result rows are only counted).
CREATE FUNCTION coverage_diff.check_no_error(test_number int, description text, samples regclass,
                                             call text, shown int DEFAULT 3)
RETURNS SETOF text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  sample_count bigint;
  row_count bigint;
  error_count bigint;
  item record;
BEGIN
  DROP TABLE IF EXISTS pg_temp.got_ext, pg_temp.err_ext;
  CREATE TEMP TABLE err_ext (sample_id bigint, state text, message text);
  EXECUTE pg_catalog.format(
    'CREATE TEMP TABLE got_ext AS SELECT s.sample_id, x.* FROM %s AS s CROSS JOIN LATERAL %s WITH ORDINALITY AS x LIMIT 0',
    samples, pg_catalog.format(call, 'coverage_truth'));
  PERFORM coverage_diff.collect(samples, call, 'coverage_truth', 'got_ext', 'err_ext');
  EXECUTE pg_catalog.format('SELECT count(*) FROM %s', samples) INTO sample_count;
  SELECT count(*) INTO row_count FROM pg_temp.got_ext;
  SELECT count(*) INTO error_count FROM err_ext;
  IF error_count = 0 THEN
    RETURN NEXT pg_catalog.format('ok %s - %s (%s calls, %s rows)', test_number, description, sample_count, row_count);
    RETURN;
  END IF;
  RETURN NEXT pg_catalog.format('not ok %s - %s (%s calls, %s raised)', test_number, description, sample_count, error_count);
  FOR item IN SELECT e.* FROM err_ext AS e ORDER BY e.sample_id LIMIT shown LOOP
    RETURN NEXT pg_catalog.format('# sample %s raised %s %s', item.sample_id, item.state, item.message);
    RETURN QUERY EXECUTE pg_catalog.format(
      'SELECT ''#   '' || pg_catalog.left((pg_catalog.to_jsonb(s) - ''sample_id'')::text, 2000) FROM %s AS s WHERE s.sample_id = $1', samples)
      USING item.sample_id;
  END LOOP;
END
$$;

-- Passes when the query returns no rows; otherwise shows the first rows.
CREATE FUNCTION coverage_diff.check_empty(test_number int, description text, query text, shown int DEFAULT 5)
RETURNS SETOF text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  found_rows jsonb[];
BEGIN
  BEGIN
    EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(pg_catalog.to_jsonb(q)) FROM (%s) AS q', query)
      INTO found_rows;
  EXCEPTION WHEN others THEN
    RETURN NEXT pg_catalog.format('not ok %s - %s', test_number, description);
    RETURN NEXT pg_catalog.format('# raised %s %s', SQLSTATE, SQLERRM);
    RETURN;
  END;
  IF found_rows IS NULL THEN
    RETURN NEXT pg_catalog.format('ok %s - %s', test_number, description);
    RETURN;
  END IF;
  RETURN NEXT pg_catalog.format('not ok %s - %s (%s offending rows)', test_number, description,
                                pg_catalog.cardinality(found_rows));
  RETURN QUERY
    SELECT '# ' || pg_catalog.left(r::text, 2000)
    FROM pg_catalog.unnest(found_rows[1:shown]) AS r;
END
$$;

-- Runs the extension side of a check on the samples with sample_id in
-- [low, high] and returns the number of result rows, or -1 when a call
-- raises. run.sh calls it in fresh sessions to find the sample that
-- crashes the backend.
CREATE FUNCTION coverage_diff.call_range(samples regclass, call text, low bigint, high bigint)
RETURNS bigint LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  n bigint;
BEGIN
  EXECUTE pg_catalog.format(
    'SELECT count(*) FROM %s AS s CROSS JOIN LATERAL %s WITH ORDINALITY AS x WHERE s.sample_id BETWEEN $1 AND $2',
    samples, pg_catalog.format(call, 'coverage_truth'))
    INTO n USING low, high;
  RETURN n;
EXCEPTION WHEN others THEN
  RETURN -1;
END
$$;

-- Counts the entries of a parseable context that the parser must drop. These
-- are list members that are not objects or lack an accepted status, array
-- members without a non-empty string type, and object members with an
-- empty key.
CREATE FUNCTION coverage_diff.dropped_entries(context jsonb)
RETURNS bigint LANGUAGE sql IMMUTABLE
AS $$
  SELECT count(*)
  FROM (VALUES ('policy_types'), ('foundation_types')) AS l(key)
  CROSS JOIN LATERAL (SELECT context -> 'inventory' -> 'coverage' -> l.key AS list) AS c
  CROSS JOIN LATERAL (
    SELECT o.key AS type, o.value AS entry
    FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(c.list) = 'object' THEN c.list ELSE '{}' END) AS o
    UNION ALL
    SELECT CASE WHEN pg_catalog.jsonb_typeof(a.value -> 'type') = 'string' THEN a.value ->> 'type' END, a.value
    FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(c.list) = 'array' THEN c.list ELSE '[]' END) AS a
  ) AS e
  WHERE coverage_oracle.coverage_is_parseable(context)
    AND (e.type IS NULL OR e.type = '' OR coverage_oracle.entry_status(e.entry) IS NULL)
$$;
