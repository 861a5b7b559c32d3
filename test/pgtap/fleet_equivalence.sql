-- Fleet results: fleet_coverage_summary and fleet_coverage return exactly the
-- rows of tenant_coverage_summary and tenant_coverage for every tenant, on a
-- hand-built fleet that covers each basis rule and on a generated fleet of
-- hostile payloads.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(46);

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

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Returns a context in which every catalog type succeeded.
CREATE FUNCTION pg_temp.all_succeeded() RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT pg_temp.ctx(jsonb_build_object(
    'policy_types', coalesce((SELECT jsonb_object_agg(s.type, '{"status": "succeeded"}'::jsonb)
                              FROM coverage_truth.supported_types AS s WHERE s.segment = 'policy'), '{}'),
    'foundation_types', coalesce((SELECT jsonb_agg(jsonb_build_object('type', s.type, 'status', 'succeeded', 'item_count', 1))
                                  FROM coverage_truth.supported_types AS s WHERE s.segment = 'foundation'), '[]')))
$$;

-- Returns the tenants that the NULL argument means: every tenant id in
-- either relation.
CREATE FUNCTION pg_temp.source_tenants() RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
  SELECT r.tenant_id FROM public.operation_runs AS r WHERE r.tenant_id IS NOT NULL
  UNION
  SELECT i.tenant_id FROM public.inventory_items AS i WHERE i.tenant_id IS NOT NULL
  ORDER BY 1
$$;

-- Returns the per-tenant summaries of a list of tenant ids, in the order given.
CREATE FUNCTION pg_temp.summaries_of(ids bigint[]) RETURNS TABLE (
  tenant_id bigint, basis_run_id bigint, basis_run_outcome text, basis_completed_at timestamptz,
  has_current_coverage_result boolean, supported_type_count integer, succeeded_type_count integer,
  failed_type_count integer, skipped_type_count integer, unknown_type_count integer,
  follow_up_type_count integer, observed_item_total bigint, calm_claim_allowed boolean,
  basis_age interval, basis_is_stale boolean)
LANGUAGE sql STABLE AS $$
  SELECT s.* FROM unnest(ids) WITH ORDINALITY AS t(id, position),
         LATERAL coverage_truth.tenant_coverage_summary(t.id) AS s
  ORDER BY t.position
$$;

-- Returns the per-tenant rows of a list of tenant ids, in the order given,
-- each tenant's rows in tenant_coverage order.
CREATE FUNCTION pg_temp.rows_of(ids bigint[]) RETURNS TABLE (
  tenant_id bigint, type text, segment coverage_truth.type_segment, label text, category text,
  platform text, coverage_state coverage_truth.coverage_state, follow_up_required boolean,
  observed_item_count bigint, basis_item_count bigint, basis_error_code text, restore_mode text,
  risk_level text, supports_dependencies boolean, basis_run_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT c.tenant_id, c.type, c.segment, c.label, c.category, c.platform, c.coverage_state,
         c.follow_up_required, c.observed_item_count, c.basis_item_count, c.basis_error_code,
         c.restore_mode, c.risk_level, c.supports_dependencies, c.basis_run_id
  FROM unnest(ids) WITH ORDINALITY AS t(id, position),
       LATERAL coverage_truth.tenant_coverage(t.id) WITH ORDINALITY
         AS c(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
              observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
              supports_dependencies, basis_run_id, position)
  ORDER BY t.position, c.position
$$;

-- Returns the basis run that the basis rule selects, computed in plain SQL.
CREATE FUNCTION pg_temp.reference_basis(tenant bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT r.id FROM public.operation_runs AS r
  WHERE r.tenant_id = tenant AND r.type = 'inventory_sync' AND r.status = 'completed'
    AND coverage_truth.coverage_is_parseable(r.context)
  ORDER BY r.completed_at DESC NULLS LAST, r.id DESC
  LIMIT 1
$$;

-- Returns, per tenant and catalog type, the state, item_count and
-- error_code of the basis payload entry (own segment's list first), the
-- observed item count and the basis run, computed in plain SQL from
-- parse_coverage.
CREATE FUNCTION pg_temp.reference_rows(ids bigint[]) RETURNS TABLE (
  tenant_id bigint, type text, coverage_state coverage_truth.coverage_state,
  basis_item_count bigint, basis_error_code text, observed_item_count bigint, basis_run_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT t.id, s.type,
         coalesce(own.status, other.status, 'unknown'),
         CASE WHEN own.type IS NOT NULL THEN own.item_count ELSE other.item_count END,
         CASE WHEN own.type IS NOT NULL THEN own.error_code ELSE other.error_code END,
         (SELECT count(*) FROM public.inventory_items AS i WHERE i.tenant_id = t.id AND i.policy_type = s.type),
         b.id
  FROM (SELECT DISTINCT u.id FROM unnest(ids) AS u(id) WHERE u.id IS NOT NULL) AS t
  CROSS JOIN coverage_truth.supported_types AS s
  LEFT JOIN LATERAL (SELECT pg_temp.reference_basis(t.id) AS id) AS b ON true
  LEFT JOIN LATERAL (SELECT r.context FROM public.operation_runs AS r WHERE r.id = b.id) AS basis ON true
  LEFT JOIN LATERAL (SELECT * FROM coverage_truth.parse_coverage(basis.context) AS p
                     WHERE p.type = s.type AND p.segment = s.segment) AS own ON true
  LEFT JOIN LATERAL (SELECT * FROM coverage_truth.parse_coverage(basis.context) AS p
                     WHERE p.type = s.type AND p.segment <> s.segment) AS other ON true
$$;

------------------------------------------------------------------------------
-- Hand-built fleet: one tenant per basis rule
------------------------------------------------------------------------------

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at) VALUES
  -- 1: one run, every type succeeded.
  (101, 1, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now() - interval '1 hour'),
  -- 2: ten newer unparseable runs, one of each kind, in front of the basis.
  (201, 2, 'inventory_sync', 'completed', 'partial',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed", "error_code": "E1", "item_count": 4}}}'),
   now() - interval '20 hours'),
  (202, 2, 'inventory_sync', 'completed', 'succeeded', NULL, now() - interval '19 hours'),
  (203, 2, 'inventory_sync', 'completed', 'succeeded', '5', now() - interval '18 hours'),
  (204, 2, 'inventory_sync', 'completed', 'succeeded', '[{"inventory": {}}]', now() - interval '17 hours'),
  (205, 2, 'inventory_sync', 'completed', 'succeeded',
   to_jsonb(pg_temp.ctx('{"policy_types": {}}')::text), now() - interval '16 hours'),
  (206, 2, 'inventory_sync', 'completed', 'succeeded', '{}', now() - interval '15 hours'),
  (207, 2, 'inventory_sync', 'completed', 'succeeded', '{"inventory": []}', now() - interval '14 hours'),
  (208, 2, 'inventory_sync', 'completed', 'succeeded', '{"inventory": {}}', now() - interval '13 hours'),
  (209, 2, 'inventory_sync', 'completed', 'succeeded', '{"inventory": {"coverage": "x"}}', now() - interval '12 hours'),
  (210, 2, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": 1, "foundation_types": null}'), now() - interval '11 hours'),
  (211, 2, 'inventory_sync', 'completed', 'succeeded', pg_temp.ctx('{"other": {}}'), now() - interval '10 hours'),
  -- 3: a dated run beats a newer-id run without completed_at.
  (301, 3, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"deviceConfiguration": {"status": "skipped"}}}'), now() - interval '2 days'),
  (309, 3, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"deviceConfiguration": {"status": "succeeded"}}}'), NULL),
  -- 4: only undated runs: the higher id wins.
  (401, 4, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), NULL),
  (402, 4, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "skipped"}}}'), NULL),
  -- 5: two runs completed at the same moment: the higher id wins.
  (501, 5, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "succeeded"}}}'), timestamptz '2024-06-01 10:00:00+00'),
  (502, 5, 'inventory_sync', 'completed', 'failed',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), timestamptz '2024-06-01 10:00:00+00'),
  -- 6: newer runs that are not candidates: running, another type, other spellings.
  (601, 6, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "succeeded"}}}'), now() - interval '5 hours'),
  (602, 6, 'inventory_sync', 'running', NULL,
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), NULL),
  (603, 6, 'inventory_sync', 'failed', 'failed',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), now() - interval '1 hour'),
  (604, 6, 'policy_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), now()),
  (605, 6, 'Inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), now()),
  (606, 6, 'inventory_sync', 'Completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), now()),
  (607, 6, 'inventory_sync ', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed"}}}'), now()),
  -- 7: only runs of another type.
  (701, 7, 'policy_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now()),
  -- 9: every candidate unparseable.
  (901, 9, 'inventory_sync', 'completed', 'succeeded', NULL, now()),
  (902, 9, 'inventory_sync', 'completed', 'succeeded', '"text"', NULL),
  -- 10: empty lists: a basis that reports nothing.
  (1001, 10, 'inventory_sync', 'completed', 'succeeded', pg_temp.ctx('{"policy_types": {}, "foundation_types": []}'),
   now() - interval '1 minute'),
  -- 11: a stale basis.
  (1101, 11, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now() - interval '30 hours'),
  -- 12: a basis completed in the future.
  (1201, 12, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now() + interval '2 hours'),
  -- 13: types reported in both lists.
  (1301, 13, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": {"mobileApp": {"status": "failed", "error_code": "P"}, "roleScopeTag": {"status": "succeeded"}},
                 "foundation_types": [{"type": "mobileApp", "status": "succeeded"},
                                      {"type": "roleScopeTag", "status": "skipped", "item_count": 3, "error_code": "F"}]}'),
   now() - interval '3 hours'),
  -- 14 and 15: infinite completed_at.
  (1401, 14, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), 'infinity'),
  (1402, 14, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now()),
  (1501, 15, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), '-infinity'),
  -- 17: the newest candidate is unparseable and the fallback is undated.
  (1701, 17, 'inventory_sync', 'completed', 'succeeded', '{"inventory": {"coverage": []}}', now()),
  (1702, 17, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"foundation_types": {"assignmentFilter": {"status": "failed"}}}'), NULL),
  (1703, 17, 'inventory_sync', 'completed', 'succeeded', NULL, NULL),
  -- 18: an unparseable run ties with the basis and has the higher id.
  (1801, 18, 'inventory_sync', 'completed', 'succeeded',
   pg_temp.ctx('{"policy_types": [{"type": "mobileApp", "status": "skipped"}]}'), timestamptz '2024-06-01 10:00:00+00'),
  (1802, 18, 'inventory_sync', 'completed', 'succeeded', '[]', timestamptz '2024-06-01 10:00:00+00'),
  -- Extreme tenant ids.
  (1901, -5, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now()),
  (1902, 0, 'inventory_sync', 'completed', 'succeeded', pg_temp.ctx('{"policy_types": {}}'), now()),
  (1903, 9223372036854775807, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now()),
  -- A run without a tenant belongs to no tenant.
  (1999, NULL, 'inventory_sync', 'completed', 'succeeded', pg_temp.all_succeeded(), now());

INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT 2, 'mobileApp' FROM generate_series(1, 3)
UNION ALL SELECT 2, 'notAType'
UNION ALL SELECT 8, 'deviceConfiguration'
UNION ALL SELECT 8, 'roleScopeTag'
UNION ALL SELECT 8, 'MobileApp'
UNION ALL SELECT 8, NULL
UNION ALL SELECT 1, 'mobileApp' FROM generate_series(1, 500)
UNION ALL SELECT 16, 'notAType'
UNION ALL SELECT NULL, 'mobileApp';

SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$VALUES (-5::bigint), (0::bigint), (1::bigint), (2::bigint), (3::bigint), (4::bigint), (5::bigint), (6::bigint),
           (7::bigint), (8::bigint), (9::bigint), (10::bigint), (11::bigint), (12::bigint), (13::bigint),
           (14::bigint), (15::bigint), (16::bigint), (17::bigint), (18::bigint), (9223372036854775807::bigint)$$,
  'NULL: every tenant in either relation, by id');
SELECT results_eq(
  'SELECT tenant_id, basis_run_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$VALUES (-5::bigint, 1901::bigint), (0, 1902), (1, 101), (2, 201), (3, 301), (4, 402), (5, 502), (6, 601),
           (7, NULL), (8, NULL), (9, NULL), (10, 1001), (11, 1101), (12, 1201), (13, 1301), (14, 1401),
           (15, 1501), (16, NULL), (17, 1702), (18, 1801), (9223372036854775807, 1903)$$,
  'NULL: basis run of each tenant');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'NULL: summaries equal tenant_coverage_summary');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  $$SELECT * FROM pg_temp.rows_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'NULL: rows equal tenant_coverage');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary()',
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  'summary: no argument means NULL');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage()',
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  'rows: no argument means NULL');
SELECT set_eq(
  $$SELECT tenant_id, type, coverage_state, basis_item_count, basis_error_code, observed_item_count, basis_run_id
    FROM coverage_truth.fleet_coverage(NULL)$$,
  $$SELECT * FROM pg_temp.reference_rows(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'NULL: rows follow the basis and payload rules');

SELECT results_eq(
  $$SELECT tenant_id, basis_age IS NULL, basis_is_stale, calm_claim_allowed
    FROM coverage_truth.fleet_coverage_summary(ARRAY[1, 4, 11, 12, 14, 15]::bigint[])$$,
  $$VALUES (1::bigint, false, false, true), (4, true, true, false), (11, false, true, true),
           (12, false, false, true), (14, true, false, true), (15, true, true, true)$$,
  'freshness of dated, undated, stale, future and infinite bases');
SELECT cmp_ok((SELECT basis_age FROM coverage_truth.fleet_coverage_summary(ARRAY[12]::bigint[])), '<', interval '0',
  'future basis: negative age');
SELECT results_eq(
  $$SELECT type, coverage_state::text, basis_item_count, basis_error_code
    FROM coverage_truth.fleet_coverage(ARRAY[13]::bigint[]) WHERE type IN ('mobileApp', 'roleScopeTag')$$,
  $$VALUES ('mobileApp', 'failed', NULL::bigint, 'P'), ('roleScopeTag', 'skipped', 3::bigint, 'F')$$,
  'type in both lists: own segment''s entry');
SELECT results_eq(
  $$SELECT observed_item_count FROM coverage_truth.fleet_coverage(ARRAY[1, 2]::bigint[]) WHERE type = 'mobileApp'$$,
  $$VALUES (500::bigint), (3::bigint)$$,
  'observed items of a catalog type');
SELECT results_eq(
  $$SELECT observed_item_total FROM coverage_truth.fleet_coverage_summary(ARRAY[8, 16]::bigint[])$$,
  $$VALUES (2::bigint), (0::bigint)$$,
  'observed total ignores other types');

------------------------------------------------------------------------------
-- Explicit tenant arrays
------------------------------------------------------------------------------

SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(ARRAY[7, 2, 2, NULL, 999, -5, 7]::bigint[])',
  $$VALUES (-5::bigint), (2::bigint), (7::bigint), (999::bigint)$$,
  'array: each distinct id once, by id');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[7, 2, 2, NULL, 999, -5, 7]::bigint[])',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY[-5, 2, 7, 999]::bigint[])$$,
  'array: summaries equal tenant_coverage_summary');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(ARRAY[7, 2, 2, NULL, 999, -5, 7]::bigint[])',
  $$SELECT * FROM pg_temp.rows_of(ARRAY[-5, 2, 7, 999]::bigint[])$$,
  'array: rows equal tenant_coverage');
SELECT results_eq(
  $$SELECT basis_run_id, has_current_coverage_result, supported_type_count = unknown_type_count,
           succeeded_type_count + failed_type_count + skipped_type_count, observed_item_total,
           calm_claim_allowed, basis_is_stale
    FROM coverage_truth.fleet_coverage_summary(ARRAY[999]::bigint[])$$,
  $$VALUES (NULL::bigint, false, true, 0, 0::bigint, false, true)$$,
  'unknown id: no basis, counts zero');
SELECT is((SELECT count(*) FROM coverage_truth.fleet_coverage(ARRAY[999]::bigint[])),
  (SELECT count(*) FROM coverage_truth.supported_types), 'unknown id: one row per catalog type');
SELECT is_empty($$SELECT * FROM coverage_truth.fleet_coverage(ARRAY[999]::bigint[])
                  WHERE coverage_state <> 'unknown' OR observed_item_count <> 0 OR basis_run_id IS NOT NULL$$,
  'unknown id: every row unknown, zero items');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[]::bigint[])', 'empty array: no summaries');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage(ARRAY[]::bigint[])', 'empty array: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY[NULL, NULL]::bigint[])',
  'only NULL elements: no summaries');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage(ARRAY[NULL]::bigint[])', 'only NULL elements: no rows');
SELECT results_eq(
  $$SELECT * FROM coverage_truth.fleet_coverage_summary(
      ARRAY[9223372036854775807, -9223372036854775808, 0, 9223372036854775807]::bigint[])$$,
  $$SELECT * FROM pg_temp.summaries_of(ARRAY[-9223372036854775808, 0, 9223372036854775807]::bigint[])$$,
  'extreme ids: summaries, by id');

------------------------------------------------------------------------------
-- Dashboard views
------------------------------------------------------------------------------

SELECT bag_eq(
  'SELECT * FROM coverage_truth.tenant_coverage_summaries',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'tenant_coverage_summaries: every tenant summary');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.coverage_follow_ups',
  $$SELECT * FROM pg_temp.rows_of(ARRAY(SELECT pg_temp.source_tenants())) WHERE follow_up_required$$,
  'coverage_follow_ups: every follow-up row');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.coverage_follow_ups',
  'SELECT * FROM coverage_truth.fleet_coverage(NULL) WHERE follow_up_required',
  'coverage_follow_ups: fleet rows needing follow-up');
SELECT is_empty($$SELECT * FROM coverage_truth.coverage_follow_ups WHERE coverage_state = 'succeeded'$$,
  'coverage_follow_ups: no succeeded rows');

------------------------------------------------------------------------------
-- Generated fleet: a few hundred tenants with hostile payloads
------------------------------------------------------------------------------

-- Returns a random element of options.
CREATE FUNCTION pg_temp.pick(options text[]) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT options[1 + floor(random() * cardinality(options))::integer]
$$;

-- Returns a list entry that is valid or broken in one or more ways.
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

  IF random() < 0.9 THEN
    entry := entry || jsonb_build_object('status', pg_temp.pick(ARRAY[
      '"succeeded"', '"failed"', '"skipped"', '"succeeded"', '"failed"', '"skipped"',
      '" Succeeded\n"', '"\tFAILED "', '"sKiPpEd\r"', '"success"', '"done"', '""',
      '"\u00a0failed"', '1', 'null', '["failed"]'])::jsonb);
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
    FOR i IN 1 .. floor(random() * 8)::integer LOOP
      type_name := pg_temp.pick(types);
      list := list || jsonb_build_array(pg_temp.hostile_entry(type_name, true));
    END LOOP;
  ELSE
    list := '{}';
    FOR i IN 1 .. floor(random() * 8)::integer LOOP
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
  IF roll < 0.06 THEN
    RETURN NULL;
  ELSIF roll < 0.10 THEN
    RETURN pg_temp.pick(ARRAY['1', '"x"', 'true', 'null', '[1, 2]'])::jsonb;
  ELSIF roll < 0.16 THEN
    RETURN to_jsonb(pg_temp.ctx(jsonb_build_object('policy_types',
      jsonb_build_object(pg_temp.pick(types), '{"status": "succeeded"}'::jsonb)))::text);
  ELSIF roll < 0.19 THEN
    RETURN pg_temp.pick(ARRAY['{}', '{"other": 1}'])::jsonb;
  ELSIF roll < 0.22 THEN
    RETURN jsonb_build_object('inventory', pg_temp.pick(ARRAY['1', '[]', '"x"', 'null', '{}'])::jsonb);
  ELSIF roll < 0.25 THEN
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

TRUNCATE public.operation_runs, public.inventory_items;
SELECT setseed(0.29);

-- Tenants 1000-1299, except multiples of 37, get up to six runs each, and
-- tenants 995-1304 may get items, so some tenants have only items. About a
-- quarter of the runs completed at midnight on one of three days, so ties
-- are common. Tenants 1000-1099 get three more unparseable runs, newer than
-- all their others.
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT row_number() OVER (ORDER BY g.tenant, g.run),
       g.tenant,
       pg_temp.pick(ARRAY['inventory_sync', 'inventory_sync', 'inventory_sync', 'inventory_sync', 'policy_sync']),
       pg_temp.pick(ARRAY['completed', 'completed', 'completed', 'completed', 'running', 'failed']),
       pg_temp.pick(ARRAY['succeeded', 'failed', 'partial', NULL]),
       pg_temp.hostile_context(ARRAY['mobileApp', 'deviceConfiguration', 'windowsUpdateRing', 'roleScopeTag',
                                     'assignmentFilter', 'notAType', 'MobileApp', ' mobileApp']),
       CASE WHEN random() < 0.1 THEN NULL
            WHEN random() < 0.33 THEN timestamptz '2024-06-01 00:00:00+00' + floor(random() * 3) * interval '1 day'
            ELSE now() - random() * interval '3 days' END
FROM (SELECT t AS tenant, r AS run
      FROM generate_series(1000, 1299) AS t, generate_series(1, 6) AS r
      WHERE t % 37 <> 0) AS g
WHERE random() < 0.75
ORDER BY g.tenant, g.run;

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT 100000 + t * 10 + k, t, 'inventory_sync', 'completed', 'succeeded',
       pg_temp.pick(ARRAY['{}', '{"inventory": []}', 'null', '"{\"inventory\": {}}"', '[1]',
                          '{"inventory": {"coverage": {"policy_types": 1}}}'])::jsonb,
       now() + k * interval '1 minute'
FROM generate_series(1000, 1099) AS t, generate_series(1, 3) AS k;

INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT t, pg_temp.pick(ARRAY['mobileApp', 'mobileApp', 'deviceConfiguration', 'roleScopeTag', 'notAType', 'MobileApp'])
FROM generate_series(995, 1304) AS t, generate_series(1, 8) AS k
WHERE random() < 0.3;

SELECT cmp_ok((SELECT count(*) FROM pg_temp.source_tenants()), '>=', 300::bigint, 'generated fleet: 300 tenants or more');
SELECT cmp_ok(
  (SELECT count(*) FROM pg_temp.source_tenants() AS t(id) WHERE pg_temp.reference_basis(t.id) IS NULL),
  '>', 10::bigint, 'generated fleet: tenants without basis');
SELECT cmp_ok(
  (SELECT count(*) FROM pg_temp.source_tenants() AS t(id)
   WHERE pg_temp.reference_basis(t.id) IS DISTINCT FROM (
     SELECT r.id FROM public.operation_runs AS r
     WHERE r.tenant_id = t.id AND r.type = 'inventory_sync' AND r.status = 'completed'
     ORDER BY r.completed_at DESC NULLS LAST, r.id DESC LIMIT 1)
     AND pg_temp.reference_basis(t.id) IS NOT NULL),
  '>', 100::bigint, 'generated fleet: bases found by fallback');
SELECT cmp_ok(
  (SELECT count(*) FROM pg_temp.source_tenants() AS t(id)
   WHERE NOT EXISTS (SELECT 1 FROM public.operation_runs AS r WHERE r.tenant_id = t.id)),
  '>', 5::bigint, 'generated fleet: tenants with only items');
SELECT cmp_ok(
  (SELECT count(*) FROM public.operation_runs AS r
   WHERE EXISTS (SELECT 1 FROM public.operation_runs AS o
                 WHERE o.tenant_id = r.tenant_id AND o.id <> r.id AND o.completed_at = r.completed_at
                   AND o.type = 'inventory_sync' AND o.status = 'completed')
     AND r.type = 'inventory_sync' AND r.status = 'completed'),
  '>', 20::bigint, 'generated fleet: tied candidates');

SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary(NULL)',
  'SELECT * FROM pg_temp.source_tenants()',
  'generated NULL: every tenant, by id');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'generated NULL: summaries equal tenant_coverage_summary');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  $$SELECT * FROM pg_temp.rows_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'generated NULL: rows equal tenant_coverage');
SELECT set_eq(
  $$SELECT tenant_id, type, coverage_state, basis_item_count, basis_error_code, observed_item_count, basis_run_id
    FROM coverage_truth.fleet_coverage(NULL)$$,
  $$SELECT * FROM pg_temp.reference_rows(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'generated NULL: rows follow the basis and payload rules');
SELECT results_eq(
  $$SELECT tenant_id, basis_run_id FROM coverage_truth.fleet_coverage_summary(NULL)$$,
  $$SELECT t.id, pg_temp.reference_basis(t.id) FROM pg_temp.source_tenants() AS t(id)$$,
  'generated NULL: basis run of each tenant');

CREATE TEMP TABLE generated_request AS
SELECT array_agg(CASE WHEN random() < 0.05 THEN NULL ELSE 990 + floor(random() * 320)::bigint END) AS ids
FROM generate_series(1, 400);
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary((SELECT ids FROM generated_request))',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT DISTINCT u.id FROM generated_request, unnest(ids) AS u(id)
                                             WHERE u.id IS NOT NULL ORDER BY 1))$$,
  'generated array: summaries equal tenant_coverage_summary');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage((SELECT ids FROM generated_request))',
  $$SELECT * FROM pg_temp.rows_of(ARRAY(SELECT DISTINCT u.id FROM generated_request, unnest(ids) AS u(id)
                                        WHERE u.id IS NOT NULL ORDER BY 1))$$,
  'generated array: rows equal tenant_coverage');

SELECT bag_eq(
  'SELECT * FROM coverage_truth.tenant_coverage_summaries',
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  'generated: tenant_coverage_summaries');
SELECT bag_eq(
  'SELECT * FROM coverage_truth.coverage_follow_ups',
  'SELECT * FROM coverage_truth.fleet_coverage(NULL) WHERE follow_up_required',
  'generated: coverage_follow_ups');

-- Catalog edits reach the fleet like the per-tenant functions.
DELETE FROM coverage_truth.supported_types WHERE type IN ('deviceConfiguration', 'roleScopeTag');
UPDATE coverage_truth.supported_types SET segment = 'foundation', sort_order = -1 WHERE type = 'mobileApp';
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
VALUES ('notAType', 'policy', 'Not a type', 'Test', 0), ('MobileApp', 'foundation', 'Mobile App upper', 'Test', -1);
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'edited catalog: summaries equal tenant_coverage_summary');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage(NULL)',
  $$SELECT * FROM pg_temp.rows_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'edited catalog: rows equal tenant_coverage');
SELECT set_eq(
  $$SELECT tenant_id, type, coverage_state, basis_item_count, basis_error_code, observed_item_count, basis_run_id
    FROM coverage_truth.fleet_coverage(NULL)$$,
  $$SELECT * FROM pg_temp.reference_rows(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'edited catalog: rows follow the rules');

DELETE FROM coverage_truth.supported_types;
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(NULL)',
  $$SELECT * FROM pg_temp.summaries_of(ARRAY(SELECT pg_temp.source_tenants()))$$,
  'empty catalog: summaries equal tenant_coverage_summary');
SELECT is_empty('SELECT * FROM coverage_truth.fleet_coverage(NULL)', 'empty catalog: no rows');

SELECT * FROM finish();
ROLLBACK;
