-- Summary arithmetic, the calm claim, row order, catalog edits and freshness.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(93);

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

-- The shipped catalog first: one row per type for a tenant without data.
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(999)),
          (SELECT count(*) FROM coverage_truth.supported_types),
  'shipped catalog: one row per type');
SELECT set_eq('SELECT type FROM coverage_truth.tenant_coverage(999)',
              'SELECT type FROM coverage_truth.supported_types',
  'shipped catalog: every type has a row');
SELECT is((SELECT supported_type_count FROM coverage_truth.tenant_coverage_summary(999)),
          (SELECT count(*)::integer FROM coverage_truth.supported_types),
  'shipped catalog: supported_type_count');

DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types
  (type, segment, label, category, platform, restore_mode, risk_level, supports_dependencies, sort_order)
VALUES
  ('p1', 'policy', 'P1', 'Test', 'all', 'enabled', 'low', true, 10),
  ('p2', 'policy', 'P2', 'Test', 'windows', 'preview_only', 'medium', false, 20),
  ('p3', 'policy', 'P3', 'Test', NULL, NULL, NULL, false, 30),
  ('f1', 'foundation', 'F1', 'Test', 'all', 'enabled', 'low', false, 10),
  ('f2', 'foundation', 'F2', 'Test', 'all', 'not_supported', 'high', true, 20);

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

CREATE FUNCTION pg_temp.add_run(run_id bigint, tenant bigint, context jsonb, completed timestamptz)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
  VALUES (run_id, tenant, 'inventory_sync', 'completed', 'succeeded', context, completed)
$$;

CREATE FUNCTION pg_temp.add_items(tenant bigint, t text, n integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO public.inventory_items (tenant_id, policy_type)
  SELECT tenant, t FROM generate_series(1, n)
$$;

-- Reports every catalog type of the fixture catalog as succeeded.
CREATE FUNCTION pg_temp.all_succeeded() RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.ctx('{"policy_types": {"p1": {"status": "succeeded"}, "p2": {"status": "succeeded"},
                                        "p3": {"status": "succeeded"}},
                       "foundation_types": {"f1": {"status": "succeeded"}, "f2": {"status": "succeeded"}}}')
$$;

CREATE FUNCTION pg_temp.states(tenant bigint) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(c.type || '=' || c.coverage_state::text, ',')
  FROM coverage_truth.tenant_coverage(tenant) AS c
$$;

------------------------------------------------------------------------------
-- Counts
------------------------------------------------------------------------------

-- Tenant 1: one type per state, two unknown (absent and rejected).
SELECT pg_temp.add_run(101, 1, pg_temp.ctx('{
  "policy_types": {"p1": {"status": "succeeded"}, "p2": {"status": "failed", "error_code": "E"},
                   "p3": {"status": "skipped"}},
  "foundation_types": {"f2": {"status": "bogus"}, "other": {"status": "failed"}}}'),
  now() - interval '1 hour');
SELECT pg_temp.add_items(1, 'p1', 2);
SELECT pg_temp.add_items(1, 'f1', 3);
SELECT pg_temp.add_items(1, 'other', 100);
SELECT pg_temp.add_items(2, 'p1', 50);

CREATE TEMP TABLE s1 AS SELECT * FROM coverage_truth.tenant_coverage_summary(1);

SELECT is((SELECT count(*) FROM s1), 1::bigint, 'summary has exactly one row');
SELECT is((SELECT tenant_id FROM s1), 1::bigint, 'summary tenant_id');
SELECT is((SELECT basis_run_id FROM s1), 101::bigint, 'summary basis_run_id');
SELECT is((SELECT basis_run_outcome FROM s1), 'succeeded', 'summary basis_run_outcome');
SELECT is((SELECT basis_completed_at FROM s1), now() - interval '1 hour', 'summary basis_completed_at');
SELECT is((SELECT has_current_coverage_result FROM s1), true, 'summary has_current_coverage_result');
SELECT is((SELECT supported_type_count FROM s1), 5, 'supported_type_count is catalog size');
SELECT is((SELECT succeeded_type_count FROM s1), 1, 'succeeded_type_count');
SELECT is((SELECT failed_type_count FROM s1), 1, 'failed_type_count');
SELECT is((SELECT skipped_type_count FROM s1), 1, 'skipped_type_count');
SELECT is((SELECT unknown_type_count FROM s1), 2, 'unknown_type_count');
SELECT is((SELECT follow_up_type_count FROM s1), 4, 'follow_up is failed plus skipped plus unknown');
SELECT is((SELECT observed_item_total FROM s1), 5::bigint, 'observed_item_total counts catalog types only');
SELECT is((SELECT calm_claim_allowed FROM s1), false, 'calm claim denied with follow-ups');

SELECT is((SELECT observed_item_total FROM s1),
          (SELECT sum(observed_item_count)::bigint FROM coverage_truth.tenant_coverage(1)),
  'observed_item_total is the sum of rows');
SELECT is((SELECT follow_up_type_count FROM s1),
          (SELECT count(*)::integer FROM coverage_truth.tenant_coverage(1) WHERE follow_up_required),
  'follow_up_type_count matches rows');
SELECT is((SELECT succeeded_type_count + failed_type_count + skipped_type_count + unknown_type_count FROM s1),
          (SELECT supported_type_count FROM s1),
  'state counts add up to supported types');

SELECT results_eq(
  'SELECT type, coverage_state::text, follow_up_required FROM coverage_truth.tenant_coverage(1)',
  $$VALUES ('p1', 'succeeded', false), ('p2', 'failed', true), ('p3', 'skipped', true),
           ('f1', 'unknown', true), ('f2', 'unknown', true)$$,
  'follow_up_required false only for succeeded');

-- Tenant 2: every type succeeded.
SELECT pg_temp.add_run(201, 2, pg_temp.all_succeeded(), now() - interval '1 hour');

SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(2)), true,
  'calm claim allowed when all succeeded');
SELECT is((SELECT follow_up_type_count FROM coverage_truth.tenant_coverage_summary(2)), 0,
  'no follow-ups when all succeeded');
SELECT is((SELECT succeeded_type_count FROM coverage_truth.tenant_coverage_summary(2)), 5,
  'every type succeeded');
SELECT is((SELECT observed_item_total FROM coverage_truth.tenant_coverage_summary(2)), 50::bigint,
  'observed_item_total of tenant 2');

-- Tenant 3: one skipped type denies the calm claim.
SELECT pg_temp.add_run(301, 3, pg_temp.ctx('{
  "policy_types": {"p1": {"status": "succeeded"}, "p2": {"status": "succeeded"}, "p3": {"status": "succeeded"}},
  "foundation_types": {"f1": {"status": "succeeded"}, "f2": {"status": "skipped"}}}'),
  now() - interval '1 hour');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(3)), false,
  'one skipped type denies calm claim');
SELECT is((SELECT follow_up_type_count FROM coverage_truth.tenant_coverage_summary(3)), 1,
  'one skipped type is one follow-up');

-- Tenant 4: one unknown type denies the calm claim.
SELECT pg_temp.add_run(401, 4, pg_temp.ctx('{
  "policy_types": {"p1": {"status": "succeeded"}, "p2": {"status": "succeeded"}, "p3": {"status": "succeeded"}},
  "foundation_types": {"f1": {"status": "succeeded"}}}'),
  now() - interval '1 hour');
SELECT pg_temp.add_items(4, 'f2', 9);
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(4)), false,
  'one unknown type denies calm claim');

-- Tenant 5: no basis at all.
SELECT pg_temp.add_items(5, 'p1', 1);
CREATE TEMP TABLE s5 AS SELECT * FROM coverage_truth.tenant_coverage_summary(5);
SELECT is((SELECT has_current_coverage_result FROM s5), false, 'no basis: no current result');
SELECT is((SELECT supported_type_count FROM s5), 5, 'no basis: supported count');
SELECT is((SELECT unknown_type_count FROM s5), 5, 'no basis: every type unknown');
SELECT is((SELECT succeeded_type_count + failed_type_count + skipped_type_count FROM s5), 0,
  'no basis: no reported states');
SELECT is((SELECT follow_up_type_count FROM s5), 5, 'no basis: every type a follow-up');
SELECT is((SELECT observed_item_total FROM s5), 1::bigint, 'no basis: items still counted');
SELECT is((SELECT calm_claim_allowed FROM s5), false, 'no basis: calm claim denied');

-- Tenant 6: a basis that reports nothing.
SELECT pg_temp.add_run(601, 6, pg_temp.ctx('{"policy_types": {}}'), now() - interval '1 hour');
SELECT is((SELECT unknown_type_count FROM coverage_truth.tenant_coverage_summary(6)), 5,
  'empty payload: every type unknown');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(6)), false,
  'empty payload: calm claim denied');
SELECT is((SELECT observed_item_total FROM coverage_truth.tenant_coverage_summary(6)), 0::bigint,
  'no items: observed_item_total zero');

------------------------------------------------------------------------------
-- Freshness: basis_age and basis_is_stale
------------------------------------------------------------------------------

-- basis_age uses the transaction time, so it must not drift within the transaction.
SELECT pg_sleep(0.05);

SELECT pg_temp.add_run(2001, 20, pg_temp.all_succeeded(), now() - interval '3 hours');
SELECT pg_temp.add_run(2101, 21, pg_temp.all_succeeded(), now() - interval '27 hours');
SELECT pg_temp.add_run(2201, 22, pg_temp.all_succeeded(), now() - interval '26 hours');
SELECT pg_temp.add_run(2301, 23, pg_temp.all_succeeded(), now() - interval '26 hours 1 microsecond');
SELECT pg_temp.add_run(2401, 24, pg_temp.all_succeeded(), now() + interval '1 hour');
SELECT pg_temp.add_run(2601, 26, pg_temp.all_succeeded(), NULL);
SELECT pg_temp.add_run(2701, 27, pg_temp.all_succeeded(), now() - interval '10 days');
SELECT pg_temp.add_run(2801, 28, pg_temp.all_succeeded(), now() - interval '49 hours');
SELECT pg_temp.add_run(2901, 29, pg_temp.all_succeeded(), now() - interval '48 hours');

SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(20)), interval '3 hours',
  'basis_age is transaction time minus completed_at');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(1)),
          now() - (SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(1)),
  'basis_age equals now() minus basis_completed_at');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(20)), false,
  '3 hours old is fresh by default');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(21)), interval '27 hours',
  'basis_age 27 hours');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(21)), true,
  '27 hours old is stale by default');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(22)), false,
  'exactly 26 hours is not stale');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(23)), true,
  'just over 26 hours is stale');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(24)), interval '-1 hour',
  'future basis has negative age');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(24)), false,
  'future basis is not stale');

SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(25)), NULL,
  'no basis: basis_age NULL');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(25)), true,
  'no basis: stale');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(26)), NULL,
  'NULL completed_at basis: basis_age NULL');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(26)), true,
  'NULL completed_at basis: stale');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(26)), true,
  'NULL completed_at basis: calm claim unaffected');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(27)), true,
  '10 days old is stale');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(27)), true,
  'stale basis: calm claim unaffected');
SELECT is(pg_temp.states(27), 'p1=succeeded,p2=succeeded,p3=succeeded,f1=succeeded,f2=succeeded',
  'stale basis: states unaffected');

SET LOCAL coverage_truth.stale_after = '2 days';
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(21)), false,
  'stale_after 2 days: 27 hours fresh');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(29)), false,
  'stale_after 2 days: exactly 48 hours fresh');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(28)), true,
  'stale_after 2 days: 49 hours stale');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(25)), true,
  'stale_after 2 days: no basis still stale');
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary(21)), interval '27 hours',
  'stale_after does not change basis_age');

SET LOCAL coverage_truth.stale_after = '1 hour';
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(20)), true,
  'stale_after 1 hour: 3 hours stale');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(20)), true,
  'stale_after 1 hour: calm claim unaffected');
SELECT is(pg_temp.states(20), 'p1=succeeded,p2=succeeded,p3=succeeded,f1=succeeded,f2=succeeded',
  'stale_after 1 hour: states unaffected');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(1)), false,
  'stale_after 1 hour: denied claim stays denied');

SET LOCAL coverage_truth.stale_after TO DEFAULT;
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(21)), true,
  'stale_after default restored: 27 hours stale');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary(20)), false,
  'stale_after default restored: 3 hours fresh');

------------------------------------------------------------------------------
-- Catalog edits
------------------------------------------------------------------------------

-- Tenant 7 reports a type that is not yet in the catalog, and p1 in both lists.
SELECT pg_temp.add_run(701, 7, pg_temp.ctx('{
  "policy_types": {"p1": {"status": "succeeded"}, "p2": {"status": "failed"}, "p3": {"status": "skipped"},
                   "newtype": {"status": "succeeded", "item_count": 4}},
  "foundation_types": {"p1": {"status": "failed", "error_code": "F"}, "f1": {"status": "succeeded"}}}'),
  now() - interval '1 hour');

SELECT is(pg_temp.states(7), 'p1=succeeded,p2=failed,p3=skipped,f1=succeeded,f2=unknown',
  'catalog edits: states before');

CREATE TEMP TABLE before_capability AS
SELECT type, coverage_state, follow_up_required, observed_item_count, basis_item_count, basis_error_code
FROM coverage_truth.tenant_coverage(7);

UPDATE coverage_truth.supported_types
SET restore_mode = 'not_supported', risk_level = 'high', supports_dependencies = NOT supports_dependencies,
    platform = 'other', label = label || ' renamed', category = 'Changed';

SELECT results_eq(
  'SELECT type, coverage_state, follow_up_required, observed_item_count, basis_item_count, basis_error_code
   FROM coverage_truth.tenant_coverage(7)',
  'SELECT * FROM before_capability',
  'capability columns never change a state');
SELECT results_eq(
  'SELECT type, label, category, platform, restore_mode, risk_level, supports_dependencies
   FROM coverage_truth.tenant_coverage(7)',
  $$VALUES ('p1', 'P1 renamed', 'Changed', 'other', 'not_supported', 'high', false),
           ('p2', 'P2 renamed', 'Changed', 'other', 'not_supported', 'high', true),
           ('p3', 'P3 renamed', 'Changed', 'other', 'not_supported', 'high', true),
           ('f1', 'F1 renamed', 'Changed', 'other', 'not_supported', 'high', true),
           ('f2', 'F2 renamed', 'Changed', 'other', 'not_supported', 'high', false)$$,
  'rows show edited catalog columns');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(2)), true,
  'capability columns never change the calm claim');

INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order)
VALUES ('newtype', 'policy', 'New', 'Test', 40);
SELECT is(pg_temp.states(7), 'p1=succeeded,p2=failed,p3=skipped,newtype=succeeded,f1=succeeded,f2=unknown',
  'inserted catalog type gets a row');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage(7) WHERE type = 'newtype'), 4::bigint,
  'inserted catalog type reads the basis entry');
SELECT is((SELECT supported_type_count FROM coverage_truth.tenant_coverage_summary(7)), 6,
  'inserted catalog type counted');
SELECT is((SELECT unknown_type_count FROM coverage_truth.tenant_coverage_summary(2)), 1,
  'inserted catalog type unknown for other tenant');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(2)), false,
  'inserted unknown type denies calm claim');

UPDATE coverage_truth.supported_types SET segment = 'foundation' WHERE type = 'p1';
SELECT is((SELECT coverage_state::text || '|' || coalesce(basis_error_code, 'NULL')
           FROM coverage_truth.tenant_coverage(7) WHERE type = 'p1'),
  'failed|F', 'segment change selects the other list');
-- p1 and f1 now share segment and sort_order, so byte order puts f1 first.
SELECT is(pg_temp.states(7), 'p2=failed,p3=skipped,newtype=succeeded,f1=succeeded,p1=failed,f2=unknown',
  'segment change moves the row');

DELETE FROM coverage_truth.supported_types WHERE type = 'p2';
SELECT is(pg_temp.states(7), 'p3=skipped,newtype=succeeded,f1=succeeded,p1=failed,f2=unknown',
  'deleted catalog type loses its row');
SELECT is((SELECT supported_type_count FROM coverage_truth.tenant_coverage_summary(7)), 5,
  'deleted catalog type not counted');

UPDATE coverage_truth.supported_types SET type = 'p3_renamed' WHERE type = 'p3';
SELECT is(pg_temp.states(7), 'p3_renamed=unknown,newtype=succeeded,f1=succeeded,p1=failed,f2=unknown',
  'renamed catalog type matches the new key only');

UPDATE coverage_truth.supported_types SET sort_order = 5 WHERE type = 'newtype';
SELECT is(pg_temp.states(7), 'newtype=succeeded,p3_renamed=unknown,f1=succeeded,p1=failed,f2=unknown',
  'sort_order change reorders rows');

SELECT set_eq('SELECT type FROM coverage_truth.tenant_coverage(7)',
              'SELECT type FROM coverage_truth.supported_types',
  'one row per catalog type after edits');

------------------------------------------------------------------------------
-- Row order: segment, sort_order, then type in byte order
------------------------------------------------------------------------------

DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('b', 'policy', 'x', 'x', 10),
  ('found_neg', 'foundation', 'x', 'x', -100),
  (U&'\00E9', 'policy', 'x', 'x', 10),
  ('B', 'policy', 'x', 'x', 10),
  ('a_found', 'foundation', 'x', 'x', 1),
  ('_', 'policy', 'x', 'x', 10),
  ('zz_first', 'policy', 'x', 'x', 5),
  ('a', 'policy', 'x', 'x', 10),
  ('F0', 'foundation', 'x', 'x', 0),
  ('A', 'policy', 'x', 'x', 10),
  ('neg', 'policy', 'x', 'x', -1),
  ('Z', 'policy', 'x', 'x', 10),
  ('a b', 'policy', 'x', 'x', 10),
  ('ab', 'policy', 'x', 'x', 10);

SELECT pg_temp.add_run(801, 8, pg_temp.ctx(jsonb_build_object('policy_types',
  (SELECT jsonb_agg(jsonb_build_object('type', type, 'status', 'succeeded') ORDER BY type COLLATE "C" DESC)
   FROM coverage_truth.supported_types))), now() - interval '1 hour');

SELECT results_eq(
  'SELECT type FROM coverage_truth.tenant_coverage(8)',
  $$VALUES ('neg'), ('zz_first'), ('A'), ('B'), ('Z'), ('_'), ('a'), ('a b'), ('ab'), ('b'), (U&'\00E9'),
           ('found_neg'), ('F0'), ('a_found')$$,
  'rows ordered by segment, sort_order, byte order');
SELECT results_eq(
  'SELECT type FROM coverage_truth.tenant_coverage(9)',
  $$VALUES ('neg'), ('zz_first'), ('A'), ('B'), ('Z'), ('_'), ('a'), ('a b'), ('ab'), ('b'), (U&'\00E9'),
           ('found_neg'), ('F0'), ('a_found')$$,
  'row order the same without a basis');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(8) WHERE coverage_state = 'succeeded'), 14::bigint,
  'every reordered type matched');

-- A linguistic collation on the catalog column must not change the order
-- either. The und-x-icu collation exists because Debian builds PostgreSQL 15
-- with ICU. The trigger that reads the column must go first, and the final
-- ROLLBACK restores it.
DROP TRIGGER supported_types_after_remove ON coverage_truth.supported_types;
ALTER TABLE coverage_truth.supported_types ALTER COLUMN type TYPE text COLLATE "und-x-icu";
SELECT isnt(ARRAY(SELECT type FROM coverage_truth.supported_types ORDER BY type),
            ARRAY(SELECT type FROM coverage_truth.supported_types ORDER BY type COLLATE "C"),
  'fixture: linguistic order differs from byte order');
SELECT results_eq(
  'SELECT type FROM coverage_truth.tenant_coverage(8)',
  $$VALUES ('neg'), ('zz_first'), ('A'), ('B'), ('Z'), ('_'), ('a'), ('a b'), ('ab'), ('b'), (U&'\00E9'),
           ('found_neg'), ('F0'), ('a_found')$$,
  'row order ignores column collation');

------------------------------------------------------------------------------
-- Empty catalog
------------------------------------------------------------------------------

DELETE FROM coverage_truth.supported_types;
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(2)), 0::bigint, 'empty catalog: no rows');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_summary(2)), 1::bigint, 'empty catalog: one summary row');
SELECT is((SELECT supported_type_count FROM coverage_truth.tenant_coverage_summary(2)), 0,
  'empty catalog: zero supported types');
SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(2)), true,
  'empty catalog: basis still found');
SELECT is((SELECT follow_up_type_count FROM coverage_truth.tenant_coverage_summary(2)), 0,
  'empty catalog: zero follow-ups');
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary(2)), false,
  'empty catalog: calm claim denied');

SELECT * FROM finish();
ROLLBACK;
