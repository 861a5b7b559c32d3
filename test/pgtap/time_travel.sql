-- Coverage over time: tenant_coverage_at, tenant_coverage_summary_at,
-- run_coverage_diff, tenant_coverage_changes, tenant_last_success and
-- tenant_coverage_history on hand-built run histories.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(145);

------------------------------------------------------------------------------
-- Fixtures
------------------------------------------------------------------------------

DROP TABLE IF EXISTS public.operation_runs CASCADE;
DROP TABLE IF EXISTS public.inventory_items CASCADE;
-- tenant_id may be NULL, for the cross-tenant checks of run_coverage_diff.
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
  tenant_id bigint NOT NULL,
  policy_type text NOT NULL
);

-- Catalog order: a, b, c (policy), then f (foundation).
DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, risk_level, sort_order) VALUES
  ('c', 'policy', 'C', 'Test', NULL, 30),
  ('a', 'policy', 'A', 'Test', 'low', 10),
  ('f', 'foundation', 'F', 'Test', NULL, 10),
  ('b', 'policy', 'B', 'Test', NULL, 20);

-- Every fixed timestamp is relative to one moment, so ages are exact.
CREATE FUNCTION pg_temp.t(offset_by interval DEFAULT '0') RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT timestamptz '2024-03-01 12:00:00+00' + offset_by
$$;

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- Builds a parseable context that reports the status of a, b, c and f. A
-- NULL status leaves the type out, so the run reports it as unknown.
CREATE FUNCTION pg_temp.report(a text, b text, c text, f text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.ctx(jsonb_build_object(
    'policy_types', jsonb_strip_nulls(jsonb_build_object(
      'a', CASE WHEN a IS NOT NULL THEN jsonb_build_object('status', a) END,
      'b', CASE WHEN b IS NOT NULL THEN jsonb_build_object('status', b) END,
      'c', CASE WHEN c IS NOT NULL THEN jsonb_build_object('status', c) END)),
    'foundation_types', jsonb_strip_nulls(jsonb_build_object(
      'f', CASE WHEN f IS NOT NULL THEN jsonb_build_object('status', f) END))))
$$;

CREATE FUNCTION pg_temp.add_run(run_id bigint, tenant bigint, context jsonb, completed timestamptz,
                                run_status text DEFAULT 'completed', run_type text DEFAULT 'inventory_sync',
                                run_outcome text DEFAULT 'succeeded')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
  VALUES (run_id, tenant, run_type, run_status, run_outcome, context, completed)
$$;

-- Returns 'type=state,...' in row order, so a failure shows every state.
CREATE FUNCTION pg_temp.states_at(tenant bigint, at timestamptz) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(c.type || '=' || c.coverage_state::text, ',' ORDER BY c.position)
  FROM coverage_truth.tenant_coverage_at(tenant, at) WITH ORDINALITY
    AS c(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
         observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
         supports_dependencies, basis_run_id, position)
$$;

CREATE FUNCTION pg_temp.states_now(tenant bigint) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(c.type || '=' || c.coverage_state::text, ',' ORDER BY c.position)
  FROM coverage_truth.tenant_coverage(tenant) WITH ORDINALITY
    AS c(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
         observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
         supports_dependencies, basis_run_id, position)
$$;

CREATE FUNCTION pg_temp.basis_at(tenant bigint, at timestamptz) RETURNS bigint
LANGUAGE sql AS $$
  SELECT s.basis_run_id FROM coverage_truth.tenant_coverage_summary_at(tenant, at) AS s
$$;

-- Returns 'type:from>to=change;...' in row order.
CREATE FUNCTION pg_temp.diff_of(from_run bigint, to_run bigint) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(d.type || ':' || d.from_state::text || '>' || d.to_state::text || '=' || d.change,
                    ';' ORDER BY d.position)
  FROM coverage_truth.run_coverage_diff(from_run, to_run) WITH ORDINALITY
    AS d(type, segment, from_state, to_state, change, position)
$$;

CREATE FUNCTION pg_temp.changes_since(tenant bigint, since timestamptz) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(d.type || ':' || d.from_state::text || '>' || d.to_state::text || '=' || d.change,
                    ';' ORDER BY d.position)
  FROM coverage_truth.tenant_coverage_changes(tenant, since) WITH ORDINALITY
    AS d(type, segment, from_state, to_state, change, position)
$$;

-- Tenant 1: as-of selection. Current basis 101, because 102 is unparseable,
-- 103 has no completed_at, 104 is running and 105 is another run type.
SELECT pg_temp.add_run(100, 1, pg_temp.ctx('{
  "policy_types": {"a": {"status": "succeeded", "item_count": 7}, "b": {"status": "succeeded"},
                   "c": {"status": "succeeded"}, "x": {"status": "succeeded"}},
  "foundation_types": [{"type": "f", "status": "succeeded"}]}'), pg_temp.t('-2 days'));
SELECT pg_temp.add_run(101, 1, pg_temp.ctx('{
  "policy_types": {"a": {"status": "failed", "error_code": "E101"}, "b": {"status": "succeeded", "item_count": 3},
                   "c": {"status": "skipped"}}}'), pg_temp.t(), run_outcome => 'partially_succeeded');
SELECT pg_temp.add_run(102, 1, '{}', pg_temp.t('1 hour'));
SELECT pg_temp.add_run(103, 1, pg_temp.report('failed', 'failed', 'failed', 'failed'), NULL);
SELECT pg_temp.add_run(104, 1, pg_temp.report('skipped', 'skipped', 'skipped', 'skipped'), pg_temp.t('30 minutes'),
                       run_status => 'running', run_outcome => NULL);
SELECT pg_temp.add_run(105, 1, pg_temp.report('skipped', 'skipped', 'skipped', 'skipped'), pg_temp.t('10 minutes'),
                       run_type => 'policy_sync');
INSERT INTO public.inventory_items (tenant_id, policy_type)
SELECT 1, t FROM unnest(ARRAY['a', 'a', 'a', 'a', 'f', 'f']) AS t;

-- Tenant 2: the only parseable candidate has no completed_at.
SELECT pg_temp.add_run(200, 2, NULL, pg_temp.t());
SELECT pg_temp.add_run(201, 2, pg_temp.report('succeeded', 'failed', NULL, NULL), NULL);

-- Tenant 3: four runs completed at the same moment.
SELECT pg_temp.add_run(301, 3, pg_temp.report('succeeded', NULL, NULL, NULL), pg_temp.t());
SELECT pg_temp.add_run(300, 3, pg_temp.report('failed', NULL, NULL, NULL), pg_temp.t());
SELECT pg_temp.add_run(302, 3, '{"inventory": {"coverage": "x"}}', pg_temp.t());
SELECT pg_temp.add_run(303, 3, pg_temp.report('skipped', NULL, NULL, NULL), pg_temp.t(),
                       run_status => 'running', run_outcome => NULL);

-- Tenant 5: runs to compare. 500 reports a succeeded, b failed, c skipped
-- and f unknown. 501, 502 and 503 shift these states by one, two and three
-- places, so the four diffs from 500 cover all 16 pairs of states. 504
-- reports the states of 500 with other item counts and error codes. The
-- basis is 505, so none of the compared runs is the basis.
SELECT pg_temp.add_run(500, 5, pg_temp.ctx('{"policy_types": {
  "a": {"status": "succeeded", "item_count": 1}, "b": {"status": "failed", "error_code": "E1"},
  "c": {"status": "skipped", "error_code": "S1"}}}'), pg_temp.t('-2 days'));
SELECT pg_temp.add_run(501, 5, pg_temp.report('failed', 'skipped', NULL, 'succeeded'), pg_temp.t('-1 day'));
SELECT pg_temp.add_run(502, 5, pg_temp.report('skipped', NULL, 'succeeded', 'failed'), pg_temp.t('-23 hours'));
SELECT pg_temp.add_run(503, 5, pg_temp.report(NULL, 'succeeded', 'failed', 'skipped'), pg_temp.t('-22 hours'));
SELECT pg_temp.add_run(504, 5, pg_temp.ctx('{"policy_types": {
  "a": {"status": "succeeded", "item_count": 9}, "b": {"status": "failed", "error_code": "E2"},
  "c": {"status": "skipped"}}}'), pg_temp.t('-21 hours'));
SELECT pg_temp.add_run(505, 5, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t());
SELECT pg_temp.add_run(506, 5, '{}', pg_temp.t('1 hour'));
SELECT pg_temp.add_run(507, 5, to_jsonb(pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded')::text),
                       pg_temp.t('2 hours'));
SELECT pg_temp.add_run(508, 5, NULL, pg_temp.t('3 hours'));
SELECT pg_temp.add_run(510, 5, pg_temp.report('failed', 'failed', 'failed', 'failed'), pg_temp.t(),
                       run_type => 'policy_sync');
SELECT pg_temp.add_run(511, 5, pg_temp.report('skipped', 'skipped', 'skipped', 'skipped'), NULL,
                       run_status => 'running', run_outcome => NULL);
-- Runs of tenant 6 and of no tenant.
SELECT pg_temp.add_run(600, 6, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t());
SELECT pg_temp.add_run(601, NULL, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t());

-- Tenant 7: changes since a moment. Current basis 702.
SELECT pg_temp.add_run(700, 7, pg_temp.report('succeeded', 'failed', NULL, 'skipped'), pg_temp.t('-3 days'));
SELECT pg_temp.add_run(701, 7, pg_temp.report('failed', 'succeeded', NULL, 'skipped'), pg_temp.t('-1 day'));
SELECT pg_temp.add_run(702, 7, pg_temp.report('failed', 'succeeded', NULL, 'succeeded'), pg_temp.t());
SELECT pg_temp.add_run(703, 7, '{}', pg_temp.t('1 hour'));
SELECT pg_temp.add_run(704, 7, pg_temp.report('skipped', 'skipped', 'skipped', 'skipped'), NULL);

-- Tenant 8: last success. In basis order the candidates are 805 (basis),
-- 804 (unparseable), 803, 802 (no context), 801, 800, then 806 (no
-- completed_at). 807 is running and 808 is another run type.
SELECT pg_temp.add_run(800, 8, pg_temp.report(NULL, 'succeeded', NULL, NULL), pg_temp.t('-5 days'));
SELECT pg_temp.add_run(801, 8, pg_temp.ctx('{"policy_types": [{"type": "a", "status": "failed"},
                                                              {"type": "b", "status": "succeeded"}]}'),
                       pg_temp.t('-4 days'));
SELECT pg_temp.add_run(802, 8, NULL, pg_temp.t('-3 days'));
SELECT pg_temp.add_run(803, 8, pg_temp.report('succeeded', 'skipped', NULL, NULL), pg_temp.t('-2 days'));
SELECT pg_temp.add_run(804, 8, '{"inventory": {}}', pg_temp.t('-1 day'));
SELECT pg_temp.add_run(805, 8, pg_temp.report('succeeded', 'failed', NULL, 'failed'), pg_temp.t());
SELECT pg_temp.add_run(806, 8, pg_temp.report(NULL, NULL, 'succeeded', NULL), NULL);
SELECT pg_temp.add_run(807, 8, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), NULL,
                       run_status => 'running', run_outcome => NULL);
SELECT pg_temp.add_run(808, 8, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t('1 hour'),
                       run_type => 'policy_sync');

-- Tenant 9: last success with ties and the parser's status rules. 903 drops
-- the entry for a (unknown status) and accepts b (status trimmed, any case).
SELECT pg_temp.add_run(900, 9, pg_temp.report('succeeded', 'succeeded', NULL, NULL), pg_temp.t());
SELECT pg_temp.add_run(901, 9, pg_temp.report('failed', NULL, NULL, NULL), pg_temp.t());
SELECT pg_temp.add_run(902, 9, '[]', pg_temp.t());
SELECT pg_temp.add_run(903, 9, pg_temp.ctx(jsonb_build_object('policy_types', jsonb_build_object(
  'a', jsonb_build_object('status', 'done'), 'b', jsonb_build_object('status', E' SUCCEEDED\n')))),
  pg_temp.t('1 hour'));

-- Tenant 10: history. 1002 and 1003 completed at the same moment and are
-- inserted in reverse id order.
SELECT pg_temp.add_run(1000, 10, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t('-3 days'));
SELECT pg_temp.add_run(1001, 10, '{}', pg_temp.t('-2 days'));
SELECT pg_temp.add_run(1003, 10, pg_temp.report('succeeded', 'succeeded', NULL, NULL), pg_temp.t('-1 day'),
                       run_outcome => 'partially_succeeded');
SELECT pg_temp.add_run(1002, 10, pg_temp.report('failed', 'skipped', NULL, NULL), pg_temp.t('-1 day'),
                       run_outcome => 'failed');
SELECT pg_temp.add_run(1004, 10, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), pg_temp.t(),
                       run_outcome => NULL);
SELECT pg_temp.add_run(1005, 10, pg_temp.report('succeeded', 'succeeded', 'succeeded', 'succeeded'), NULL);
SELECT pg_temp.add_run(1006, 10, pg_temp.report('failed', 'failed', 'failed', 'failed'), pg_temp.t('-12 hours'),
                       run_status => 'running', run_outcome => NULL);
SELECT pg_temp.add_run(1007, 10, pg_temp.report('failed', 'failed', 'failed', 'failed'), pg_temp.t('-12 hours'),
                       run_type => 'policy_sync');
SELECT pg_temp.add_run(1100, 11, pg_temp.report('failed', 'failed', 'failed', 'failed'), pg_temp.t('-12 hours'));

-- The current results, taken before any time function runs.
CREATE TEMP TABLE fixture_tenants (tenant_id bigint);
INSERT INTO fixture_tenants VALUES (1), (2), (3), (5), (6), (7), (8), (9), (10), (11), (999);
CREATE TEMP TABLE rows_before AS
SELECT c.* FROM fixture_tenants AS t, LATERAL coverage_truth.tenant_coverage(t.tenant_id) AS c;
CREATE TEMP TABLE summaries_before AS
SELECT s.* FROM fixture_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary(t.tenant_id) AS s;

SELECT is((SELECT basis_run_id FROM summaries_before WHERE tenant_id = 1), 101::bigint,
  'fixture: tenant 1 basis is 101');
SELECT is((SELECT basis_run_id FROM summaries_before WHERE tenant_id = 2), 201::bigint,
  'fixture: tenant 2 basis is 201');

------------------------------------------------------------------------------
-- tenant_coverage_at and tenant_coverage_summary_at: which run is the basis
------------------------------------------------------------------------------

SELECT is(pg_temp.basis_at(1, pg_temp.t()), 101::bigint, 'as-of exactly at completed_at');
SELECT is(pg_temp.basis_at(1, pg_temp.t('-1 microsecond')), 100::bigint, 'as-of 1 microsecond before');
SELECT is(pg_temp.basis_at(1, pg_temp.t('1 microsecond')), 101::bigint, 'as-of 1 microsecond after');
SELECT is(pg_temp.basis_at(1, pg_temp.t('-2 days')), 100::bigint, 'as-of exactly at oldest run');
SELECT is(pg_temp.basis_at(1, pg_temp.t('10 minutes')), 101::bigint, 'as-of: other run type ignored');
SELECT is(pg_temp.basis_at(1, pg_temp.t('30 minutes')), 101::bigint, 'as-of: running run ignored');
SELECT is(pg_temp.basis_at(1, pg_temp.t('1 hour')), 101::bigint, 'as-of: unparseable run skipped');
SELECT is(pg_temp.basis_at(1, pg_temp.t('100 years')), 101::bigint, 'as-of: NULL completed_at excluded');
SELECT results_eq(
  $$SELECT basis_run_id, basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(1, 'infinity')$$,
  $$VALUES (101::bigint, true)$$,
  'as-of infinity: newest dated basis, stale');
SELECT is(pg_temp.basis_at(1, '-infinity'), NULL::bigint, 'as-of -infinity: no basis');

SELECT is(pg_temp.states_at(1, pg_temp.t()), 'a=failed,b=succeeded,c=skipped,f=unknown',
  'as-of at: states of run 101');
SELECT is(pg_temp.states_at(1, pg_temp.t('-1 microsecond')), 'a=succeeded,b=succeeded,c=succeeded,f=succeeded',
  'as-of before: states of run 100');
SELECT is(pg_temp.states_at(1, pg_temp.t('100 years')), 'a=failed,b=succeeded,c=skipped,f=unknown',
  'as-of later: NULL completed_at run unused');
SELECT is(pg_temp.states_at(1, pg_temp.t('30 minutes')), 'a=failed,b=succeeded,c=skipped,f=unknown',
  'as-of: running run states unused');

SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, pg_temp.t('-1 microsecond'))
           WHERE basis_run_id = 100), 4::bigint, 'as-of rows name the as-of basis');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE basis_run_id IS DISTINCT FROM 101),
          0::bigint, 'as-of rows: one basis_run_id');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage_at(1, pg_temp.t('-1 microsecond')) WHERE type = 'a'),
          7::bigint, 'as-of basis_item_count from old run');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE type = 'a'),
          NULL::bigint, 'as-of basis_item_count absent');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE type = 'b'),
          3::bigint, 'as-of basis_item_count from run 101');
SELECT is((SELECT basis_error_code FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE type = 'a'),
          'E101', 'as-of basis_error_code');
SELECT is((SELECT string_agg(type || '=' || follow_up_required::text, ',')
           FROM coverage_truth.tenant_coverage_at(1, pg_temp.t())),
          'a=true,b=false,c=true,f=true', 'as-of follow_up_required');

-- Ties and the NULL completed_at rule.
SELECT is(pg_temp.basis_at(3, pg_temp.t()), 301::bigint, 'as-of tie: higher parseable id wins');
SELECT is(pg_temp.states_at(3, pg_temp.t()), 'a=succeeded,b=unknown,c=unknown,f=unknown', 'as-of tie: states');
SELECT is(pg_temp.basis_at(3, pg_temp.t('-1 microsecond')), NULL::bigint, 'as-of tie: none before');
SELECT is(pg_temp.basis_at(2, pg_temp.t('100 years')), NULL::bigint, 'as-of: only undated candidate ignored');
SELECT is(pg_temp.states_at(2, pg_temp.t('100 years')), 'a=unknown,b=unknown,c=unknown,f=unknown',
  'as-of: undated basis gives unknown');

------------------------------------------------------------------------------
-- tenant_coverage_at and tenant_coverage_summary_at: result columns
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result,
           supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, observed_item_total, calm_claim_allowed,
           basis_age, basis_is_stale
    FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t())$$,
  $$VALUES (1::bigint, 101::bigint, 'partially_succeeded'::text, pg_temp.t(), true, 4, 1, 1, 1, 1, 3,
            NULL::bigint, false, interval '0', false)$$,
  'summary_at exactly at: full row');
SELECT results_eq(
  $$SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result,
           supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, observed_item_total, calm_claim_allowed,
           basis_age, basis_is_stale
    FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('-1 microsecond'))$$,
  $$VALUES (1::bigint, 100::bigint, 'succeeded'::text, pg_temp.t('-2 days'), true, 4, 4, 0, 0, 0, 0,
            NULL::bigint, true, interval '2 days' - interval '1 microsecond', true)$$,
  'summary_at before: full row');
SELECT results_eq(
  $$SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result,
           supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, observed_item_total, calm_claim_allowed,
           basis_age, basis_is_stale
    FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('-2 days -1 microsecond'))$$,
  $$VALUES (1::bigint, NULL::bigint, NULL::text, NULL::timestamptz, false, 4, 0, 0, 0, 4, 4,
            NULL::bigint, false, NULL::interval, true)$$,
  'summary_at before any run: no basis');
SELECT is(pg_temp.states_at(1, pg_temp.t('-2 days -1 microsecond')), 'a=unknown,b=unknown,c=unknown,f=unknown',
  'as-of before any run: all unknown');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, pg_temp.t('-2 days -1 microsecond'))
           WHERE basis_run_id IS NULL AND basis_item_count IS NULL AND basis_error_code IS NULL
             AND follow_up_required),
          4::bigint, 'as-of before any run: no basis columns');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(999, now())), true,
  'summary_at without runs: stale');

-- Freshness is measured at the requested moment, not at now().
SELECT is((SELECT basis_age FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('10 days'))),
          interval '10 days', 'summary_at basis_age measured at moment');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('26 hours'))), false,
  'summary_at age equal to stale_after: fresh');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('26 hours 1 microsecond'))),
          true, 'summary_at age over stale_after: stale');
SET LOCAL coverage_truth.stale_after = '3 days';
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('-1 microsecond'))), false,
  'summary_at follows stale_after setting');
SELECT is((SELECT basis_is_stale FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('3 days 1 microsecond'))),
          true, 'summary_at stale after longer setting');
SET LOCAL coverage_truth.stale_after TO DEFAULT;
SELECT is((SELECT calm_claim_allowed FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('-1 microsecond'))), true,
  'summary_at: staleness keeps calm claim');

-- Item tables hold only the present.
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE observed_item_count IS NOT NULL),
          0::bigint, 'as-of observed_item_count NULL');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, now()) WHERE observed_item_count IS NOT NULL),
          0::bigint, 'as-of now: observed_item_count NULL');
SELECT is((SELECT observed_item_total FROM coverage_truth.tenant_coverage_summary_at(1, now())), NULL::bigint,
  'summary_at observed_item_total NULL');

-- At now() the result is the current one, apart from the item counts.
SELECT results_eq(
  $$SELECT tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
           basis_item_count, basis_error_code, restore_mode, risk_level, supports_dependencies, basis_run_id
    FROM coverage_truth.tenant_coverage_at(1, now())$$,
  $$SELECT tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
           basis_item_count, basis_error_code, restore_mode, risk_level, supports_dependencies, basis_run_id
    FROM coverage_truth.tenant_coverage(1)$$,
  'as-of now equals tenant_coverage');
SELECT results_eq(
  $$SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result,
           supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, calm_claim_allowed, basis_age, basis_is_stale
    FROM coverage_truth.tenant_coverage_summary_at(1, now())$$,
  $$SELECT tenant_id, basis_run_id, basis_run_outcome, basis_completed_at, has_current_coverage_result,
           supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, calm_claim_allowed, basis_age, basis_is_stale
    FROM coverage_truth.tenant_coverage_summary(1)$$,
  'summary_at now equals summary');
SELECT is(
  (SELECT string_agg(f.tenant_id || ':' || coalesce(pg_temp.states_at(f.tenant_id, now()), '-'), ' ' ORDER BY f.tenant_id)
   FROM fixture_tenants AS f WHERE f.tenant_id <> 2),
  (SELECT string_agg(f.tenant_id || ':' || coalesce(pg_temp.states_now(f.tenant_id), '-'), ' ' ORDER BY f.tenant_id)
   FROM fixture_tenants AS f WHERE f.tenant_id <> 2),
  'as-of now states equal current states');
SELECT results_eq(
  $$SELECT type, label, category, platform, risk_level FROM coverage_truth.tenant_coverage_at(1, pg_temp.t())$$,
  $$SELECT type, label, category, platform, risk_level FROM coverage_truth.tenant_coverage(1)$$,
  'as-of rows: catalog columns and order');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE tenant_id IS DISTINCT FROM 1),
          0::bigint, 'as-of rows: tenant_id');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_summary_at(999, pg_temp.t())), 1::bigint,
  'summary_at: one row without data');

------------------------------------------------------------------------------
-- run_coverage_diff
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT type, segment::text, from_state::text, to_state::text, change FROM coverage_truth.run_coverage_diff(500, 501)$$,
  $$VALUES ('a', 'policy', 'succeeded', 'failed', 'regressed'),
           ('b', 'policy', 'failed', 'skipped', 'changed'),
           ('c', 'policy', 'skipped', 'unknown', 'changed'),
           ('f', 'foundation', 'unknown', 'succeeded', 'recovered')$$,
  'diff shift 1: full rows');
SELECT results_eq(
  $$SELECT type, segment::text, from_state::text, to_state::text, change FROM coverage_truth.run_coverage_diff(500, 502)$$,
  $$VALUES ('a', 'policy', 'succeeded', 'skipped', 'regressed'),
           ('b', 'policy', 'failed', 'unknown', 'changed'),
           ('c', 'policy', 'skipped', 'succeeded', 'recovered'),
           ('f', 'foundation', 'unknown', 'failed', 'changed')$$,
  'diff shift 2: full rows');
SELECT results_eq(
  $$SELECT type, segment::text, from_state::text, to_state::text, change FROM coverage_truth.run_coverage_diff(500, 503)$$,
  $$VALUES ('a', 'policy', 'succeeded', 'unknown', 'regressed'),
           ('b', 'policy', 'failed', 'succeeded', 'recovered'),
           ('c', 'policy', 'skipped', 'failed', 'changed'),
           ('f', 'foundation', 'unknown', 'skipped', 'changed')$$,
  'diff shift 3: full rows');
SELECT is(pg_temp.diff_of(500, 500),
  'a:succeeded>succeeded=unchanged;b:failed>failed=unchanged;c:skipped>skipped=unchanged;f:unknown>unknown=unchanged',
  'diff of a run with itself');
SELECT is(pg_temp.diff_of(500, 504),
  'a:succeeded>succeeded=unchanged;b:failed>failed=unchanged;c:skipped>skipped=unchanged;f:unknown>unknown=unchanged',
  'diff ignores item counts and codes');
SELECT is(pg_temp.diff_of(501, 500),
  'a:failed>succeeded=recovered;b:skipped>failed=changed;c:unknown>skipped=changed;f:succeeded>unknown=regressed',
  'diff reversed');
SELECT is(pg_temp.diff_of(503, 502),
  'a:unknown>skipped=changed;b:succeeded>unknown=regressed;c:failed>succeeded=recovered;f:skipped>failed=changed',
  'diff between two older runs');

-- Missing and unparseable runs count as every type unknown.
SELECT is(pg_temp.diff_of(500, 99999),
  'a:succeeded>unknown=regressed;b:failed>unknown=changed;c:skipped>unknown=changed;f:unknown>unknown=unchanged',
  'diff to missing run');
SELECT is(pg_temp.diff_of(99999, 500),
  'a:unknown>succeeded=recovered;b:unknown>failed=changed;c:unknown>skipped=changed;f:unknown>unknown=unchanged',
  'diff from missing run');
SELECT is(pg_temp.diff_of(99998, 99999),
  'a:unknown>unknown=unchanged;b:unknown>unknown=unchanged;c:unknown>unknown=unchanged;f:unknown>unknown=unchanged',
  'diff of two missing runs');
SELECT is(pg_temp.diff_of(500, 506),
  'a:succeeded>unknown=regressed;b:failed>unknown=changed;c:skipped>unknown=changed;f:unknown>unknown=unchanged',
  'diff to unparseable run');
SELECT is(pg_temp.diff_of(507, 505),
  'a:unknown>succeeded=recovered;b:unknown>succeeded=recovered;c:unknown>succeeded=recovered;f:unknown>succeeded=recovered',
  'diff from double-encoded run');
SELECT is(pg_temp.diff_of(508, 500),
  'a:unknown>succeeded=recovered;b:unknown>failed=changed;c:unknown>skipped=changed;f:unknown>unknown=unchanged',
  'diff from NULL context run');

-- Any run of the tenant is compared by its own payload.
SELECT is(pg_temp.diff_of(500, 510),
  'a:succeeded>failed=regressed;b:failed>failed=unchanged;c:skipped>failed=changed;f:unknown>failed=changed',
  'diff to other run type');
SELECT is(pg_temp.diff_of(511, 505),
  'a:skipped>succeeded=recovered;b:skipped>succeeded=recovered;c:skipped>succeeded=recovered;f:skipped>succeeded=recovered',
  'diff from running run');
SELECT is(pg_temp.diff_of(600, 99999),
  'a:succeeded>unknown=regressed;b:succeeded>unknown=regressed;c:succeeded>unknown=regressed;f:succeeded>unknown=regressed',
  'diff with missing run: no tenant check');

-- Two runs of different tenants.
SELECT throws_ok('SELECT * FROM coverage_truth.run_coverage_diff(500, 600)', '22023', NULL,
  'diff across tenants: SQLSTATE 22023');
SELECT throws_matching('SELECT * FROM coverage_truth.run_coverage_diff(500, 600)',
  '\m500\M.*\m600\M|\m600\M.*\m500\M', 'diff across tenants: message names runs');
SELECT throws_ok('SELECT * FROM coverage_truth.run_coverage_diff(600, 500)', '22023', NULL,
  'diff across tenants reversed: error');
SELECT throws_ok('SELECT * FROM coverage_truth.run_coverage_diff(500, 601)', '22023', NULL,
  'diff to NULL tenant run: error');
SELECT throws_ok('SELECT * FROM coverage_truth.run_coverage_diff(601, 500)', '22023', NULL,
  'diff from NULL tenant run: error');
SELECT throws_matching('SELECT * FROM coverage_truth.run_coverage_diff(601, 500)',
  '\m601\M.*\m500\M|\m500\M.*\m601\M', 'NULL tenant error names runs');

------------------------------------------------------------------------------
-- tenant_coverage_changes
------------------------------------------------------------------------------

SELECT is(pg_temp.states_now(7), 'a=failed,b=succeeded,c=unknown,f=succeeded', 'fixture: tenant 7 current states');
SELECT results_eq(
  $$SELECT type, segment::text, from_state::text, to_state::text, change
    FROM coverage_truth.tenant_coverage_changes(7, pg_temp.t('-4 days'))$$,
  $$VALUES ('a', 'policy', 'unknown', 'failed', 'changed'),
           ('b', 'policy', 'unknown', 'succeeded', 'recovered'),
           ('c', 'policy', 'unknown', 'unknown', 'unchanged'),
           ('f', 'foundation', 'unknown', 'succeeded', 'recovered')$$,
  'changes since before all runs');
SELECT is(pg_temp.changes_since(7, pg_temp.t('2 hours')),
  'a:failed>failed=unchanged;b:succeeded>succeeded=unchanged;c:unknown>unknown=unchanged;f:succeeded>succeeded=unchanged',
  'changes since after newest run');
SELECT is(pg_temp.changes_since(7, now()),
  'a:failed>failed=unchanged;b:succeeded>succeeded=unchanged;c:unknown>unknown=unchanged;f:succeeded>succeeded=unchanged',
  'changes since now');
SELECT is(pg_temp.changes_since(7, pg_temp.t('-1 day')),
  'a:failed>failed=unchanged;b:succeeded>succeeded=unchanged;c:unknown>unknown=unchanged;f:skipped>succeeded=recovered',
  'changes since exactly at a run');
SELECT is(pg_temp.changes_since(7, pg_temp.t('-1 day -1 microsecond')),
  'a:succeeded>failed=regressed;b:failed>succeeded=recovered;c:unknown>unknown=unchanged;f:skipped>succeeded=recovered',
  'changes since 1 microsecond before');
SELECT results_eq(
  $$SELECT * FROM coverage_truth.tenant_coverage_changes(7, pg_temp.t('-1 day -1 microsecond'))$$,
  $$SELECT * FROM coverage_truth.run_coverage_diff(700, 702)$$,
  'changes equal diff of the two bases');
SELECT is(pg_temp.changes_since(2, pg_temp.t('100 years')),
  'a:unknown>succeeded=recovered;b:unknown>failed=changed;c:unknown>unknown=unchanged;f:unknown>unknown=unchanged',
  'changes: undated basis only on current side');
SELECT is(pg_temp.changes_since(999, pg_temp.t()),
  'a:unknown>unknown=unchanged;b:unknown>unknown=unchanged;c:unknown>unknown=unchanged;f:unknown>unknown=unchanged',
  'changes of tenant without runs');

-- The from side is the as-of result and the to side the current result.
CREATE TEMP TABLE change_moments (since timestamptz);
INSERT INTO change_moments VALUES
  (pg_temp.t('-4 days')), (pg_temp.t('-3 days')), (pg_temp.t('-2 days')), (pg_temp.t('-1 day -1 microsecond')),
  (pg_temp.t('-1 day')), (pg_temp.t()), (pg_temp.t('1 hour')), (now());
SELECT is(
  (SELECT count(*) FROM fixture_tenants AS f CROSS JOIN change_moments AS m
   WHERE (SELECT string_agg(d.type || '=' || d.from_state::text, ',' ORDER BY d.position)
          FROM coverage_truth.tenant_coverage_changes(f.tenant_id, m.since) WITH ORDINALITY
            AS d(type, segment, from_state, to_state, change, position))
         IS DISTINCT FROM pg_temp.states_at(f.tenant_id, m.since)),
  0::bigint, 'changes from_state is as-of state');
SELECT is(
  (SELECT count(*) FROM fixture_tenants AS f CROSS JOIN change_moments AS m
   WHERE (SELECT string_agg(d.type || '=' || d.to_state::text, ',' ORDER BY d.position)
          FROM coverage_truth.tenant_coverage_changes(f.tenant_id, m.since) WITH ORDINALITY
            AS d(type, segment, from_state, to_state, change, position))
         IS DISTINCT FROM pg_temp.states_now(f.tenant_id)),
  0::bigint, 'changes to_state is current state');

------------------------------------------------------------------------------
-- tenant_last_success
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT type, segment::text, last_succeeded_run_id, last_succeeded_at, parseable_runs_since
    FROM coverage_truth.tenant_last_success(8)$$,
  $$VALUES ('a', 'policy', 805::bigint, pg_temp.t(), 0::bigint),
           ('b', 'policy', 801::bigint, pg_temp.t('-4 days'), 2::bigint),
           ('c', 'policy', 806::bigint, NULL::timestamptz, 4::bigint),
           ('f', 'foundation', NULL::bigint, NULL::timestamptz, NULL::bigint)$$,
  'last success: full rows');
SELECT is((SELECT parseable_runs_since FROM coverage_truth.tenant_last_success(8) WHERE type = 'a'), 0::bigint,
  'last success in basis: 0 runs since');
SELECT is((SELECT last_succeeded_run_id FROM coverage_truth.tenant_last_success(8) WHERE type = 'b'), 801::bigint,
  'last success long ago: older run');
SELECT is((SELECT parseable_runs_since FROM coverage_truth.tenant_last_success(8) WHERE type = 'b'), 2::bigint,
  'last success: unparseable runs not counted');
SELECT is((SELECT last_succeeded_run_id FROM coverage_truth.tenant_last_success(8) WHERE type = 'c'), 806::bigint,
  'last success: undated run ordered last');
SELECT is((SELECT last_succeeded_at FROM coverage_truth.tenant_last_success(8) WHERE type = 'c'), NULL::timestamptz,
  'last success: undated run has NULL time');
SELECT is((SELECT parseable_runs_since FROM coverage_truth.tenant_last_success(8) WHERE type = 'c'), 4::bigint,
  'last success: undated run after dated ones');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_last_success(8)
           WHERE type = 'f' AND last_succeeded_run_id IS NULL AND last_succeeded_at IS NULL
             AND parseable_runs_since IS NULL), 1::bigint, 'never succeeded: NULLs');
SELECT is(pg_temp.states_now(8), 'a=succeeded,b=failed,c=unknown,f=failed', 'last success never changes state');

SELECT results_eq(
  $$SELECT type, last_succeeded_run_id, parseable_runs_since FROM coverage_truth.tenant_last_success(9)$$,
  $$VALUES ('a', 900::bigint, 2::bigint), ('b', 903::bigint, 0::bigint), ('c', NULL, NULL), ('f', NULL, NULL)$$,
  'last success: ties and status rules');
SELECT results_eq(
  $$SELECT type, last_succeeded_run_id, last_succeeded_at, parseable_runs_since
    FROM coverage_truth.tenant_last_success(999)$$,
  $$VALUES ('a', NULL::bigint, NULL::timestamptz, NULL::bigint), ('b', NULL, NULL, NULL),
           ('c', NULL, NULL, NULL), ('f', NULL, NULL, NULL)$$,
  'last success without runs: NULL rows');
SELECT results_eq(
  $$SELECT type, last_succeeded_run_id FROM coverage_truth.tenant_last_success(11)$$,
  $$VALUES ('a', NULL::bigint), ('b', NULL), ('c', NULL), ('f', NULL)$$,
  'last success: only failures');

------------------------------------------------------------------------------
-- tenant_coverage_history
------------------------------------------------------------------------------

SELECT results_eq(
  $$SELECT run_id, completed_at, outcome, supported_type_count, succeeded_type_count, failed_type_count,
           skipped_type_count, unknown_type_count, follow_up_type_count
    FROM coverage_truth.tenant_coverage_history(10, '-infinity', 'infinity')$$,
  $$VALUES (1000::bigint, pg_temp.t('-3 days'), 'succeeded'::text, 4, 4, 0, 0, 0, 0),
           (1002::bigint, pg_temp.t('-1 day'), 'failed'::text, 4, 0, 1, 1, 2, 4),
           (1003::bigint, pg_temp.t('-1 day'), 'partially_succeeded'::text, 4, 2, 0, 0, 2, 2),
           (1004::bigint, pg_temp.t(), NULL::text, 4, 4, 0, 0, 0, 0)$$,
  'history covering everything');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-2 days'), pg_temp.t('-1 day'))$$,
  $$VALUES (1002::bigint), (1003::bigint)$$,
  'history cut mid-history');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-1 day'), pg_temp.t('-1 day'))$$,
  $$VALUES (1002::bigint), (1003::bigint)$$,
  'history: one-instant window');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-3 days'), pg_temp.t('-1 day -1 microsecond'))$$,
  $$VALUES (1000::bigint)$$,
  'history includes start, excludes after end');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-1 day 1 microsecond'), pg_temp.t())$$,
  $$VALUES (1004::bigint)$$,
  'history excludes before start, includes end');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-3 days 1 microsecond'), pg_temp.t('-1 day -1 microsecond'))$$,
  'history: window with only unparseable run');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-10 days'), pg_temp.t('-5 days'))$$,
  'history: window before all runs');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.tenant_coverage_history(10, pg_temp.t(), pg_temp.t('-3 days'))$$,
  'history: reversed window empty');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.tenant_coverage_history(999, '-infinity', 'infinity')$$,
  'history of tenant without runs');
SELECT is(
  (SELECT h.run_id FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-2 days'), now()) AS h
   ORDER BY h.completed_at DESC, h.run_id DESC LIMIT 1),
  (SELECT basis_run_id FROM coverage_truth.tenant_coverage_summary(10)),
  'history newest row is the basis');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(8, '-infinity', 'infinity')$$,
  $$VALUES (800::bigint), (801::bigint), (803::bigint), (805::bigint)$$,
  'history: parseable dated candidates only');
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(9, '-infinity', 'infinity')$$,
  $$VALUES (900::bigint), (901::bigint), (903::bigint)$$,
  'history: ties ordered by id');

------------------------------------------------------------------------------
-- Sources with timestamp and json columns
------------------------------------------------------------------------------

-- A timestamp (without time zone) completed_at is read in the session
-- TimeZone: 12:00 in New York is 17:00 UTC.
CREATE VIEW public.runs_without_time_zone AS
SELECT id, tenant_id, type, status, outcome, context, (completed_at AT TIME ZONE 'UTC') AS completed_at
FROM public.operation_runs;
SET LOCAL coverage_truth.operation_runs_relation = 'public.runs_without_time_zone';
SET LOCAL TimeZone = 'America/New_York';
SELECT is(pg_temp.basis_at(1, pg_temp.t()), 100::bigint, 'timestamp column: read in TimeZone');
SELECT is(pg_temp.basis_at(1, pg_temp.t('5 hours -1 microsecond')), 100::bigint,
  'timestamp column: 1 microsecond before');
SELECT is(pg_temp.basis_at(1, pg_temp.t('5 hours')), 101::bigint, 'timestamp column: exactly at');
SELECT results_eq(
  $$SELECT basis_completed_at, basis_age FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t('5 hours'))$$,
  $$VALUES (pg_temp.t('5 hours'), interval '0')$$,
  'timestamp column: summary_at time and age');
SELECT results_eq(
  $$SELECT run_id, completed_at FROM coverage_truth.tenant_coverage_history(10, pg_temp.t('-1 day 5 hours'), pg_temp.t('5 hours'))$$,
  $$VALUES (1002::bigint, pg_temp.t('-1 day 5 hours')), (1003::bigint, pg_temp.t('-1 day 5 hours')),
           (1004::bigint, pg_temp.t('5 hours'))$$,
  'timestamp column: history window');
SELECT is((SELECT last_succeeded_at FROM coverage_truth.tenant_last_success(8) WHERE type = 'b'),
          pg_temp.t('-4 days 5 hours'), 'timestamp column: last_succeeded_at');
SET LOCAL TimeZone TO DEFAULT;

-- A json context that cannot become jsonb makes only that run unparseable.
CREATE VIEW public.runs_with_json AS
SELECT id, tenant_id, type, status, outcome,
       CASE WHEN id = 1004
            THEN '{"inventory": {"coverage": {"policy_types": {"a": {"status": "succeeded", "note": "\u0000"}}}}}'::json
            ELSE context::json END AS context,
       completed_at
FROM public.operation_runs;
SET LOCAL coverage_truth.operation_runs_relation = 'public.runs_with_json';
SELECT results_eq(
  $$SELECT run_id FROM coverage_truth.tenant_coverage_history(10, '-infinity', 'infinity')$$,
  $$VALUES (1000::bigint), (1002::bigint), (1003::bigint)$$,
  'json column: unconvertible run left out of history');
SELECT is(pg_temp.basis_at(10, pg_temp.t()), 1003::bigint, 'json column: as-of skips unconvertible run');
SELECT is(pg_temp.diff_of(1004, 1003),
  'a:unknown>succeeded=recovered;b:unknown>succeeded=recovered;c:unknown>unknown=unchanged;f:unknown>unknown=unchanged',
  'json column: unconvertible run diffs as unknown');
SELECT is((SELECT last_succeeded_run_id FROM coverage_truth.tenant_last_success(10) WHERE type = 'c'), 1000::bigint,
  'json column: last success skips unconvertible run');
SELECT is(pg_temp.diff_of(500, 501),
  'a:succeeded>failed=regressed;b:failed>skipped=changed;c:skipped>unknown=changed;f:unknown>succeeded=recovered',
  'json column: diff reads payloads');
SET LOCAL coverage_truth.operation_runs_relation TO DEFAULT;

------------------------------------------------------------------------------
-- NULL arguments
------------------------------------------------------------------------------

SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_at(NULL, now())', 'coverage_at NULL tenant: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_at(1, NULL)', 'coverage_at NULL moment: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_summary_at(NULL, now())', 'summary_at NULL tenant: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_summary_at(1, NULL)', 'summary_at NULL moment: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage_diff(NULL, 500)', 'diff NULL from: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage_diff(500, NULL)', 'diff NULL to: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage_diff(NULL, NULL)', 'diff both NULL: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_changes(NULL, now())', 'changes NULL tenant: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_changes(7, NULL)', 'changes NULL since: no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_last_success(NULL)', 'last success NULL tenant: no rows');
SELECT is_empty($$SELECT * FROM coverage_truth.tenant_coverage_history(NULL, '-infinity', 'infinity')$$,
  'history NULL tenant: no rows');
SELECT is_empty($$SELECT * FROM coverage_truth.tenant_coverage_history(10, NULL, 'infinity')$$,
  'history NULL from_at: no rows');
SELECT is_empty($$SELECT * FROM coverage_truth.tenant_coverage_history(10, '-infinity', NULL)$$,
  'history NULL to_at: no rows');

------------------------------------------------------------------------------
-- The time functions change nothing
------------------------------------------------------------------------------

SELECT results_eq(
  'SELECT c.* FROM fixture_tenants AS t, LATERAL coverage_truth.tenant_coverage(t.tenant_id) AS c',
  'SELECT * FROM rows_before',
  'tenant_coverage unchanged after time functions');
SELECT results_eq(
  'SELECT s.* FROM fixture_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary(t.tenant_id) AS s',
  'SELECT * FROM summaries_before',
  'summaries unchanged after time functions');
SELECT is(
  (SELECT count(*) FROM pg_proc AS p
   WHERE p.pronamespace = 'coverage_truth'::regnamespace
     AND p.proname IN ('tenant_coverage_at', 'tenant_coverage_summary_at', 'run_coverage_diff',
                       'tenant_coverage_changes', 'tenant_last_success', 'tenant_coverage_history')
     AND p.provolatile = 's' AND p.proisstrict AND NOT p.prosecdef),
  6::bigint, 'time functions STABLE, STRICT, INVOKER');

------------------------------------------------------------------------------
-- Catalog edits
------------------------------------------------------------------------------

-- Add x (reported by run 100 all along) and g, drop c, relabel a. New
-- catalog order: a, x, b (policy), then g, f (foundation).
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('x', 'policy', 'X', 'Test', 15),
  ('g', 'foundation', 'G', 'Test', 5);
DELETE FROM coverage_truth.supported_types WHERE type = 'c';
UPDATE coverage_truth.supported_types SET label = 'A2', risk_level = 'high' WHERE type = 'a';

SELECT is(pg_temp.states_at(1, pg_temp.t('-1 microsecond')), 'a=succeeded,x=succeeded,b=succeeded,g=unknown,f=succeeded',
  'catalog edit: as-of rows follow catalog');
SELECT is((SELECT label || '/' || risk_level FROM coverage_truth.tenant_coverage_at(1, pg_temp.t()) WHERE type = 'a'),
  'A2/high', 'catalog edit: as-of catalog columns');
SELECT results_eq(
  $$SELECT supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count, calm_claim_allowed
    FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t())$$,
  $$VALUES (5, 1, 1, 0, 3, 4, false)$$,
  'catalog edit: summary_at counts');
SELECT is(pg_temp.diff_of(500, 501),
  'a:succeeded>failed=regressed;x:unknown>unknown=unchanged;b:failed>skipped=changed;g:unknown>unknown=unchanged;f:unknown>succeeded=recovered',
  'catalog edit: diff rows');
SELECT is(pg_temp.changes_since(7, pg_temp.t('-1 day -1 microsecond')),
  'a:succeeded>failed=regressed;x:unknown>unknown=unchanged;b:failed>succeeded=recovered;g:unknown>unknown=unchanged;f:skipped>succeeded=recovered',
  'catalog edit: changes rows');
SELECT results_eq(
  $$SELECT type, last_succeeded_run_id, parseable_runs_since FROM coverage_truth.tenant_last_success(8)$$,
  $$VALUES ('a', 805::bigint, 0::bigint), ('x', NULL, NULL), ('b', 801::bigint, 2::bigint),
           ('g', NULL, NULL), ('f', NULL, NULL)$$,
  'catalog edit: last success rows');
SELECT results_eq(
  $$SELECT run_id, supported_type_count, succeeded_type_count, failed_type_count, skipped_type_count,
           unknown_type_count, follow_up_type_count
    FROM coverage_truth.tenant_coverage_history(10, '-infinity', 'infinity')$$,
  $$VALUES (1000::bigint, 5, 3, 0, 0, 2, 2), (1002::bigint, 5, 0, 1, 1, 3, 5),
           (1003::bigint, 5, 2, 0, 0, 3, 3), (1004::bigint, 5, 3, 0, 0, 2, 2)$$,
  'catalog edit: history counts');

DELETE FROM coverage_truth.supported_types;
SELECT is_empty('SELECT * FROM coverage_truth.tenant_coverage_at(1, pg_temp.t())', 'empty catalog: as-of no rows');
SELECT results_eq(
  $$SELECT basis_run_id, supported_type_count, calm_claim_allowed
    FROM coverage_truth.tenant_coverage_summary_at(1, pg_temp.t())$$,
  $$VALUES (101::bigint, 0, false)$$,
  'empty catalog: summary_at denies calm');
SELECT is_empty('SELECT * FROM coverage_truth.run_coverage_diff(500, 501)', 'empty catalog: diff no rows');
SELECT is_empty('SELECT * FROM coverage_truth.tenant_last_success(8)', 'empty catalog: last success no rows');
SELECT results_eq(
  $$SELECT run_id, supported_type_count, follow_up_type_count
    FROM coverage_truth.tenant_coverage_history(10, pg_temp.t(), pg_temp.t())$$,
  $$VALUES (1004::bigint, 0, 0)$$,
  'empty catalog: history counts zero');

SELECT * FROM finish();
ROLLBACK;
