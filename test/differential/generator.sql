-- coverage_gen: seeded random generators of run contexts and whole fleets.
--
-- Used by test/differential/run.sh (fleets) and test/fuzz/run.sh (contexts).
-- Every function draws from random(), so a session that calls setseed()
-- first and then makes the same calls in the same order gets the same data.
-- Contexts are built as JSON text, which lets the json flavour of the source
-- table keep what jsonb would fold (duplicate keys) or refuse (\u0000, lone
-- surrogates, numbers beyond numeric's range).

\set ON_ERROR_STOP 1

DROP SCHEMA IF EXISTS coverage_gen CASCADE;
CREATE SCHEMA coverage_gen;

------------------------------------------------------------------------------
-- Random helpers
------------------------------------------------------------------------------

CREATE FUNCTION coverage_gen.chance(p float8)
RETURNS boolean LANGUAGE sql VOLATILE
AS $$ SELECT pg_catalog.random() < p $$;

CREATE FUNCTION coverage_gen.between(lo bigint, hi bigint)
RETURNS bigint LANGUAGE sql VOLATILE
AS $$ SELECT lo + pg_catalog.floor(pg_catalog.random() * (hi - lo + 1))::bigint $$;

CREATE FUNCTION coverage_gen.pick(items text[])
RETURNS text LANGUAGE sql VOLATILE
AS $$ SELECT items[1 + pg_catalog.floor(pg_catalog.random() * pg_catalog.cardinality(items))::int] $$;

-- A JSON string literal holding s.
CREATE FUNCTION coverage_gen.str(s text)
RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.to_json(s)::text $$;

-- A string of random code points, mostly ASCII, some Latin-1, some from
-- the rest of the Basic Multilingual Plane and beyond (no surrogates).
CREATE FUNCTION coverage_gen.random_text(max_length int)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  result text := '';
  code int;
  n int := coverage_gen.between(0, max_length)::int;
BEGIN
  FOR i IN 1 .. n LOOP
    code := CASE
      WHEN coverage_gen.chance(0.7) THEN coverage_gen.between(32, 126)
      WHEN coverage_gen.chance(0.4) THEN coverage_gen.between(1, 31)
      WHEN coverage_gen.chance(0.5) THEN coverage_gen.between(160, 767)
      WHEN coverage_gen.chance(0.7) THEN coverage_gen.between(768, 55295)
      ELSE coverage_gen.between(57344, 1114111)
    END;
    result := result || pg_catalog.chr(code);
  END LOOP;
  RETURN result;
END
$$;

------------------------------------------------------------------------------
-- Value pools, as JSON text
------------------------------------------------------------------------------

-- Spellings the contract accepts: JSON white space around, any ASCII case,
-- escaped letters.
CREATE FUNCTION coverage_gen.valid_statuses()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  '"succeeded"', '"failed"', '"skipped"',
  '"succeeded"', '"failed"', '"skipped"',
  '"Succeeded"', '"FAILED"', '"sKiPpEd"', '" succeeded"', '"failed\n"',
  '"\tskipped\r"', '" \r\n\tSUCCEEDED \t"', '"\u0073ucceeded"', '"s\u0075cceeded"',
  '"  Failed  "', '"\n\n\nskipped"'
]::text[] $$;

-- Near misses: other white space, non-ASCII lookalikes whose case folding
-- or upper-casing would give an accepted spelling, wrong JSON types.
CREATE FUNCTION coverage_gen.invalid_statuses()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  '"success"', '"succeed"', '"succeeded."', '"unknown"', '"pending"', '"ok"',
  '""', '" "', '"\t\n"',
  '"\u00a0succeeded"', '"succeeded\u00a0"', '"succeeded\u000b"', '"\fsucceeded"',
  '"succeeded\u200b"', '"\ufeffsucceeded"', '"\u2003failed"', '"failed\u3000"',
  '"s\u212aipped"', '"S\u212aIPPED"', '"\u017fucceeded"', '"\u017fkipped"',
  '"fa\u0131led"', '"FA\u0130LED"', '"\uff53ucceeded"', '"\u0405ucceeded"',
  '"succe\u0435ded"', '"SUCCEEDED\u0301"', '"suc ceeded"', '"skipped\\n"',
  '"\"succeeded\""', '"succeeded,failed"', '"failed failed"',
  '1', '0', 'true', 'false', 'null', '["succeeded"]', '{"status": "succeeded"}',
  '{"value": "failed"}', '[]', '{}'
]::text[] $$;

-- item_count values around every rule: integral values written as
-- decimals and exponents, negative zero, the bigint bounds, huge and tiny
-- numbers, wrong JSON types.
CREATE FUNCTION coverage_gen.item_counts()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  '0', '1', '5', '17', '250', '4096', '5.0', '5.000', '1e2', '1E+2', '1.0e1', '12.50',
  '-0', '-0.0', '-0e5', '0e10', '5e-0', '-1', '-5.0', '1.5', '0.5', '1e-2', '1e-300',
  '"7"', '" 5"', '""',
  '9223372036854775807', '9223372036854775807.0', '9223372036854775807.000000000000000000001',
  '9223372036854775806.9999999999999', '9.223372036854775807e18', '922337203685477580.7e1',
  '9223372036854775808', '9.223372036854775808e18', '-9223372036854775808',
  '18446744073709551616', '1e18', '1e19', '1e300', '-1e300',
  '100000000000000000000000000000000000000000',
  '12345678901234567890123.0', '3.00000000000000000000000000000000000000000001',
  '3.00000000000000000000000000000000000000000000',
  'null', 'true', 'false', '[]', '[5]', '{}', '{"value": 5}'
]::text[] $$;

CREATE FUNCTION coverage_gen.error_codes()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  '"Authorization_RequestDenied"', '"TooManyRequests"', '"ServiceUnavailable"',
  '"not_licensed"', '"BadRequest"', '"E"', '"0"',
  '""', '" "', '"\t"', '"\u00e9chec"', '"\"quoted\""', '"Request_ResourceNotFound\n"',
  '42', '0', '-1.5', 'null', 'true', 'false', '[]', '["TooManyRequests"]', '{}',
  '{"code": "TooManyRequests"}'
]::text[] $$;

-- Values that only the json flavour can store: jsonb refuses them, so the
-- whole context becomes unparseable there.
CREATE FUNCTION coverage_gen.json_only_values()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  '"succeeded\u0000"', '"\u0000"', '"a\u0000b"', '"\ud800"', '"x\udc00y"',
  '1e1000000', '-1e1000000'
]::text[] $$;

-- Type names that are not catalog types but look like some.
CREATE FUNCTION coverage_gen.extra_types()
RETURNS text[] LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY[
  'DeviceConfiguration', 'deviceconfiguration', ' deviceConfiguration',
  'deviceConfiguration ', 'unknownType', 'mobileapp', 'MOBILEAPP',
  'mobileApp' || pg_catalog.chr(8203), pg_catalog.chr(65357) || 'obileApp',
  'roleScopeTag' || pg_catalog.chr(10), 'assignment Filter', '', ' ', 'policy',
  'inventory_sync', pg_catalog.chr(1) || 'mobileApp', pg_catalog.repeat('longType', 30),
  'mobileApp' || pg_catalog.chr(769)
]::text[] $$;

-- Catalog rows for a larger catalog: every non-empty lookalike name above
-- becomes a type of its own, plus many plain ones.
CREATE FUNCTION coverage_gen.grow_catalog(extra int)
RETURNS void LANGUAGE sql VOLATILE
AS $$
  INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
  SELECT x.type, CASE WHEN x.n % 3 = 0 THEN 'foundation' ELSE 'policy' END::coverage_truth.type_segment,
         'Lookalike ' || x.n, 'Lookalike', (x.n % 4) * 10
  FROM pg_catalog.unnest(coverage_gen.extra_types()) WITH ORDINALITY AS x(type, n)
  WHERE x.type <> ''
  ON CONFLICT (type) DO NOTHING;
  INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
  SELECT 'bulkType' || g, CASE WHEN g % 2 = 0 THEN 'foundation' ELSE 'policy' END::coverage_truth.type_segment,
         'Bulk ' || g, 'Bulk', g % 7
  FROM generate_series(1, extra) AS g;
$$;

------------------------------------------------------------------------------
-- Contexts
------------------------------------------------------------------------------

-- Random JSON of any type, nested up to depth; a few values are very deep.
CREATE FUNCTION coverage_gen.junk(depth int DEFAULT 2)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  n int;
  parts text[] := '{}';
  k int;
BEGIN
  IF coverage_gen.chance(0.01) THEN
    n := coverage_gen.between(50, 1500)::int;
    IF coverage_gen.chance(0.5) THEN
      RETURN pg_catalog.repeat('[', n) || '1' || pg_catalog.repeat(']', n);
    END IF;
    RETURN pg_catalog.repeat('{"status":', n) || '"succeeded"' || pg_catalog.repeat('}', n);
  END IF;
  k := CASE WHEN depth <= 0 THEN coverage_gen.between(0, 5)::int
            ELSE coverage_gen.between(0, 7)::int END;
  CASE k
    WHEN 0 THEN RETURN 'null';
    WHEN 1 THEN RETURN coverage_gen.pick(ARRAY['true', 'false']);
    WHEN 2 THEN RETURN coverage_gen.pick(coverage_gen.item_counts());
    WHEN 3 THEN RETURN coverage_gen.str(coverage_gen.random_text(12));
    WHEN 4 THEN RETURN coverage_gen.pick(coverage_gen.valid_statuses());
    WHEN 5 THEN RETURN coverage_gen.pick(coverage_gen.invalid_statuses());
    WHEN 6 THEN
      FOR i IN 1 .. coverage_gen.between(0, 4) LOOP
        parts := parts || coverage_gen.junk(depth - 1);
      END LOOP;
      RETURN '[' || pg_catalog.array_to_string(parts, ',') || ']';
    ELSE
      FOR i IN 1 .. coverage_gen.between(0, 4) LOOP
        parts := parts || (coverage_gen.str(coverage_gen.pick(ARRAY['status', 'type', 'item_count',
                  'error_code', 'policy_types', 'x', coverage_gen.random_text(6)]))
                  || ':' || coverage_gen.junk(depth - 1));
      END LOOP;
      RETURN '{' || pg_catalog.array_to_string(parts, ',') || '}';
  END CASE;
END
$$;

-- One entry of a list. type_member is the JSON text of the "type" member
-- of the array form, or NULL for the object form (or to omit the member).
CREATE FUNCTION coverage_gen.entry(type_member text, json_only boolean)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  members text[] := '{}';
BEGIN
  IF coverage_gen.chance(0.08) THEN
    RETURN coverage_gen.pick(ARRAY['"succeeded"', '1', 'null', 'true', '[]',
      '[{"status": "succeeded"}]', '"{\"status\": \"succeeded\"}"', '{}',
      '{"Status": "succeeded"}', '{"status ": "succeeded"}', '{"STATUS": "failed"}',
      coverage_gen.junk(2)]);
  END IF;
  IF type_member IS NOT NULL THEN
    members := members || ('"type":' || type_member);
  END IF;
  IF coverage_gen.chance(0.9) THEN
    members := members || ('"status":' || CASE
      WHEN json_only AND coverage_gen.chance(0.02) THEN coverage_gen.pick(coverage_gen.json_only_values())
      WHEN coverage_gen.chance(0.7) THEN coverage_gen.pick(coverage_gen.valid_statuses())
      WHEN coverage_gen.chance(0.1) THEN coverage_gen.junk(2)
      ELSE coverage_gen.pick(coverage_gen.invalid_statuses()) END);
  END IF;
  IF coverage_gen.chance(0.65) THEN
    members := members || ('"item_count":' || CASE
      WHEN json_only AND coverage_gen.chance(0.02) THEN coverage_gen.pick(coverage_gen.json_only_values())
      WHEN coverage_gen.chance(0.4) THEN coverage_gen.between(0, 3000)::text
      ELSE coverage_gen.pick(coverage_gen.item_counts()) END);
  END IF;
  IF coverage_gen.chance(0.5) THEN
    members := members || ('"error_code":' || CASE
      WHEN json_only AND coverage_gen.chance(0.02) THEN coverage_gen.pick(coverage_gen.json_only_values())
      WHEN coverage_gen.chance(0.05) THEN coverage_gen.str(coverage_gen.random_text(40))
      WHEN coverage_gen.chance(0.02) THEN coverage_gen.str(pg_catalog.repeat('Long_Error_', 500))
      ELSE coverage_gen.pick(coverage_gen.error_codes()) END);
  END IF;
  IF coverage_gen.chance(0.08) THEN
    members := members || ('"detail":' || coverage_gen.junk(3));
  END IF;
  -- a second member of the same name: the json flavour keeps both, jsonb
  -- and the conversion to jsonb keep the last
  IF coverage_gen.chance(0.03) THEN
    members := members || ('"status":' || coverage_gen.pick(
      coverage_gen.valid_statuses() || coverage_gen.invalid_statuses()));
  END IF;
  IF type_member IS NOT NULL AND coverage_gen.chance(0.02) THEN
    members := members || ('"type":' || coverage_gen.str(coverage_gen.pick(coverage_gen.extra_types())));
  END IF;
  -- shuffle the members
  SELECT pg_catalog.array_agg(m ORDER BY pg_catalog.random()) INTO members
  FROM pg_catalog.unnest(members) AS m;
  RETURN '{' || coalesce(pg_catalog.array_to_string(members, ','), '') || '}';
END
$$;

-- A type name for an entry: mostly catalog types of the list's own
-- segment, some of the other segment, some lookalikes.
CREATE FUNCTION coverage_gen.entry_type(own text[], other text[])
RETURNS text LANGUAGE sql VOLATILE
AS $$
  SELECT CASE
    WHEN pg_catalog.random() < 0.75 AND pg_catalog.cardinality(own) > 0 THEN coverage_gen.pick(own)
    WHEN pg_catalog.random() < 0.5 AND pg_catalog.cardinality(other) > 0 THEN coverage_gen.pick(other)
    ELSE coverage_gen.pick(coverage_gen.extra_types())
  END
$$;

-- A list in object form or array form, with duplicates, malformed
-- entries, and now and then hundreds of entries.
CREATE FUNCTION coverage_gen.list(own text[], other text[], json_only boolean,
                                  max_entries int DEFAULT 1500)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  n int;
  parts text[] := '{}';
  type_name text;
  type_member text;
BEGIN
  n := CASE
    WHEN coverage_gen.chance(0.08) THEN 0
    WHEN coverage_gen.chance(0.85) THEN coverage_gen.between(1, 30)
    WHEN coverage_gen.chance(0.85) THEN coverage_gen.between(31, 90)
    ELSE coverage_gen.between(200, 1500)
  END;
  n := least(n, max_entries);
  IF coverage_gen.chance(0.55) THEN
    FOR i IN 1 .. n LOOP
      type_name := coverage_gen.entry_type(own, other);
      parts := parts || (coverage_gen.str(type_name) || ':' || coverage_gen.entry(NULL, json_only));
    END LOOP;
    RETURN '{' || pg_catalog.array_to_string(parts, ',') || '}';
  END IF;
  FOR i IN 1 .. n LOOP
    type_member := CASE
      WHEN coverage_gen.chance(0.9) THEN coverage_gen.str(coverage_gen.entry_type(own, other))
      WHEN json_only AND coverage_gen.chance(0.05) THEN coverage_gen.pick(coverage_gen.json_only_values())
      WHEN coverage_gen.chance(0.2) THEN NULL
      ELSE coverage_gen.pick(ARRAY['1', 'null', 'true', '""', '" "', '["deviceConfiguration"]',
             '{"name": "deviceConfiguration"}', '"\"deviceConfiguration\""', '"deviceConfiguration\u0000"'])
    END;
    IF type_member = '"deviceConfiguration\u0000"' AND NOT json_only THEN
      type_member := '"deviceConfiguration\\u0000"';
    END IF;
    parts := parts || coverage_gen.entry(type_member, json_only);
  END LOOP;
  RETURN '[' || pg_catalog.array_to_string(parts, ',') || ']';
END
$$;

-- A list member of the coverage object: mostly a list, sometimes a value
-- of another JSON type (which the parser ignores), or a list encoded as a
-- JSON string.
CREATE FUNCTION coverage_gen.list_value(own text[], other text[], json_only boolean,
                                        max_entries int DEFAULT 1500)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF coverage_gen.chance(0.9) THEN
    RETURN coverage_gen.list(own, other, json_only, max_entries);
  END IF;
  RETURN CASE coverage_gen.between(0, 6)
    WHEN 0 THEN 'null'
    WHEN 1 THEN coverage_gen.str(coverage_gen.list(own, other, false, max_entries))
    WHEN 2 THEN coverage_gen.pick(ARRAY['1', '0', 'true', 'false', '""', '"{}"', '"[]"'])
    WHEN 3 THEN '{}'
    WHEN 4 THEN '[]'
    WHEN 5 THEN coverage_gen.str(coverage_gen.random_text(20))
    ELSE coverage_gen.junk(2)
  END;
END
$$;

-- A whole run context. Catalog types of both segments are read from
-- coverage_truth.supported_types by the caller and passed in; max_entries
-- caps the length of each list.
CREATE FUNCTION coverage_gen.context(policy text[], foundation text[], json_only boolean DEFAULT false,
                                     max_entries int DEFAULT 1500)
RETURNS text LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  members text[] := '{}';
  coverage text;
  inventory text;
  context text;
BEGIN
  IF coverage_gen.chance(0.85) THEN
    members := members || ('"policy_types":' || coverage_gen.list_value(policy, foundation, json_only, max_entries));
  END IF;
  IF coverage_gen.chance(0.75) THEN
    members := members || ('"foundation_types":' || coverage_gen.list_value(foundation, policy, json_only, max_entries));
  END IF;
  IF coverage_gen.chance(0.05) THEN
    members := members || ('"summary":' || coverage_gen.junk(2));
  END IF;
  IF coverage_gen.chance(0.03) THEN
    -- the same list twice: the last one counts
    members := members || ('"policy_types":' || coverage_gen.list_value(policy, foundation, json_only, max_entries));
  END IF;
  IF coverage_gen.chance(0.02) THEN
    members := members || ('"Policy_Types":' || coverage_gen.list(policy, foundation, false, max_entries));
  END IF;
  SELECT pg_catalog.array_agg(m ORDER BY pg_catalog.random()) INTO members
  FROM pg_catalog.unnest(members) AS m;
  coverage := '{' || coalesce(pg_catalog.array_to_string(members, ','), '') || '}';

  inventory := CASE
    WHEN coverage_gen.chance(0.94) THEN
      '{"coverage":' || coverage
      || CASE WHEN coverage_gen.chance(0.3) THEN ',"items_synced":' || coverage_gen.between(0, 999) ELSE '' END
      || '}'
    ELSE coverage_gen.pick(ARRAY[
      '{}', '{"Coverage":' || coverage || '}', '{"coverage": null}',
      '{"coverage":' || coverage_gen.str(coverage) || '}',
      '{"coverage": [' || coverage || ']}', '{"coverage": 1}', '[' || coverage || ']'])
  END;

  context := CASE
    WHEN coverage_gen.chance(0.94) THEN
      '{"inventory":' || inventory
      || CASE WHEN coverage_gen.chance(0.5) THEN ',"trigger":' || coverage_gen.pick(ARRAY['"scheduled"', '"manual"']) ELSE '' END
      || '}'
    ELSE coverage_gen.pick(ARRAY[
      'null', '42', '"inventory"', '[]', '{}', '[{"inventory":' || inventory || '}]',
      '{"Inventory":' || inventory || '}', '{"inventory":' || coverage_gen.str(inventory) || '}',
      coverage_gen.str('{"inventory":' || inventory || '}'),
      coverage_gen.str(coverage_gen.str('{"inventory":' || inventory || '}'))])
  END;
  RETURN context;
END
$$;

------------------------------------------------------------------------------
-- Fleets
------------------------------------------------------------------------------

-- Operator edits to the catalog: new types whose names sort differently in
-- byte order and in a linguistic collation, sort_order ties, a type moved to
-- the other segment, a shipped type removed.
CREATE FUNCTION coverage_gen.edit_catalog()
RETURNS void LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
  VALUES ('customPolicy', 'policy', 'Custom Policy', 'Custom', 15),
         ('B', 'policy', 'Upper B', 'Custom', 10),
         ('a', 'policy', 'Lower a', 'Custom', 10),
         ('b', 'policy', 'Lower b', 'Custom', 10),
         ('_under', 'policy', 'Underscore', 'Custom', 10),
         (pg_catalog.chr(201) || 'cole', 'foundation', 'Accented', 'Custom', 20),
         ('quote"back\slash', 'foundation', 'Quote', 'Custom', 5),
         ('zzFoundation', 'foundation', 'Last', 'Custom', 99);
  UPDATE coverage_truth.supported_types SET sort_order = 10
  WHERE type IN ('settingsCatalogPolicy', 'deviceCompliancePolicy');
  IF coverage_gen.chance(0.5) THEN
    UPDATE coverage_truth.supported_types SET segment = 'policy', sort_order = 5
    WHERE type = 'roleScopeTag';
  END IF;
  IF coverage_gen.chance(0.5) THEN
    UPDATE coverage_truth.supported_types SET segment = 'foundation'
    WHERE type = 'mobileApp';
  END IF;
  IF coverage_gen.chance(0.5) THEN
    DELETE FROM coverage_truth.supported_types WHERE type = 'termsAndConditions';
  END IF;
END
$$;

-- Rows for public.operation_runs and public.inventory_items, kept with
-- the context as text so run.sh can cast it to jsonb or json.
CREATE TABLE coverage_gen.run_rows (
  position bigint PRIMARY KEY,
  tenant_id bigint,
  type text,
  status text,
  outcome text,
  context text,
  completed_at timestamptz
);

CREATE TABLE coverage_gen.item_rows (
  position bigint PRIMARY KEY,
  tenant_id bigint,
  policy_type text
);

CREATE FUNCTION coverage_gen.make_fleet(tenant_count int, json_only boolean, small_ids boolean)
RETURNS void LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  policy text[];
  foundation text[];
  catalog text[];
  base timestamptz := pg_catalog.date_trunc('second', pg_catalog.now());
  tenant bigint;
  run_count int;
  item_count int;
  slot_count int;
  run_position bigint := 0;
  item_position bigint := 0;
  completed timestamptz;
BEGIN
  SELECT pg_catalog.array_agg(type ORDER BY type COLLATE "C") FILTER (WHERE segment = 'policy'),
         pg_catalog.array_agg(type ORDER BY type COLLATE "C") FILTER (WHERE segment = 'foundation'),
         pg_catalog.array_agg(type ORDER BY type COLLATE "C")
    INTO policy, foundation, catalog
  FROM coverage_truth.supported_types;
  policy := coalesce(policy, '{}');
  foundation := coalesce(foundation, '{}');

  FOR t IN 1 .. tenant_count + tenant_count / 20 + 1 LOOP
    -- tenant ids: mostly 1..N, a few negative, zero or (jsonb flavour) huge;
    -- the last one stands for runs and items without a tenant
    tenant := CASE
      WHEN t = tenant_count + tenant_count / 20 + 1 THEN NULL
      WHEN t % 997 = 0 THEN -t
      WHEN t % 1009 = 0 AND NOT small_ids THEN t + 4611686018427387904
      WHEN t = 7 THEN 0
      WHEN t = 11 AND NOT small_ids THEN 9223372036854775807
      WHEN t = 13 AND NOT small_ids THEN -9223372036854775808
      WHEN t = 11 THEN 2147483647
      WHEN t = 13 THEN -2147483648
      ELSE t
    END;
    run_count := CASE
      WHEN t > tenant_count AND tenant IS NOT NULL THEN 0   -- tenants known only by items
      WHEN coverage_gen.chance(0.1) THEN 0
      WHEN coverage_gen.chance(0.65) THEN coverage_gen.between(1, 6)
      WHEN coverage_gen.chance(0.85) THEN coverage_gen.between(7, 20)
      ELSE coverage_gen.between(21, 60)
    END;
    slot_count := coverage_gen.between(1, 8)::int;
    FOR r IN 1 .. run_count LOOP
      completed := CASE
        WHEN coverage_gen.chance(0.08) THEN NULL
        -- few slots per tenant, so completed_at ties are common
        WHEN coverage_gen.chance(0.5) THEN base - coverage_gen.between(0, slot_count) * interval '6 hours'
        WHEN coverage_gen.chance(0.9) THEN base - pg_catalog.random() * interval '45 days'
        WHEN coverage_gen.chance(0.5) THEN base + pg_catalog.random() * interval '2 days'
        ELSE base - interval '26 hours' + coverage_gen.between(-2, 2) * interval '1 second'
      END;
      run_position := run_position + 1;
      INSERT INTO coverage_gen.run_rows VALUES (
        run_position,
        tenant,
        CASE WHEN coverage_gen.chance(0.8) THEN 'inventory_sync'
             ELSE coverage_gen.pick(ARRAY['backup', 'restore', 'policy_export', 'compare',
                    'Inventory_Sync', 'inventory_sync ', 'inventory-sync']) END,
        CASE WHEN coverage_gen.chance(0.82) THEN 'completed'
             ELSE coverage_gen.pick(ARRAY['running', 'queued', 'failed', 'cancelled',
                    'Completed', 'completed ']) END,
        coverage_gen.pick(ARRAY[NULL, 'succeeded', 'succeeded', 'succeeded',
               'partially_succeeded', 'failed', '']),
        CASE WHEN coverage_gen.chance(0.04) THEN NULL
             ELSE coverage_gen.context(policy, foundation, json_only AND coverage_gen.chance(0.1)) END,
        completed);
    END LOOP;

    item_count := CASE
      WHEN coverage_gen.chance(0.15) THEN 0
      WHEN coverage_gen.chance(0.9) THEN coverage_gen.between(1, 40)
      ELSE coverage_gen.between(41, 300)
    END;
    INSERT INTO coverage_gen.item_rows
    SELECT item_position + g.i, tenant,
           CASE WHEN coverage_gen.chance(0.8) THEN coverage_gen.pick(catalog)
                ELSE coverage_gen.pick(coverage_gen.extra_types()) END
    FROM generate_series(1, item_count) AS g(i)
    ORDER BY g.i;
    item_position := item_position + item_count;
  END LOOP;
END
$$;
