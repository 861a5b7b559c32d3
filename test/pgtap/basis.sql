-- Basis run selection: candidates, their order, the fallback over unparseable
-- contexts, and what older runs and inventory items may not change.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(83);

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

DELETE FROM coverage_truth.supported_types;
INSERT INTO coverage_truth.supported_types (type, segment, label, category, sort_order) VALUES
  ('a', 'policy', 'A', 'Test', 10),
  ('b', 'policy', 'B', 'Test', 20),
  ('f', 'foundation', 'F', 'Test', 10);

CREATE FUNCTION pg_temp.ctx(coverage jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('inventory', jsonb_build_object('coverage', coverage))
$$;

-- A parseable context that reports type a with the given status.
CREATE FUNCTION pg_temp.reports_a(status text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT pg_temp.ctx(jsonb_build_object('policy_types',
                                        jsonb_build_object('a', jsonb_build_object('status', status))))
$$;

CREATE FUNCTION pg_temp.add_run(run_id bigint, tenant bigint, context jsonb, completed timestamptz,
                                run_status text DEFAULT 'completed', run_type text DEFAULT 'inventory_sync',
                                run_outcome text DEFAULT 'succeeded')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
  VALUES (run_id, tenant, run_type, run_status, run_outcome, context, completed)
$$;

CREATE FUNCTION pg_temp.add_items(tenant bigint, t text, n integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO public.inventory_items (tenant_id, policy_type)
  SELECT tenant, t FROM generate_series(1, n)
$$;

CREATE FUNCTION pg_temp.basis_of(tenant bigint) RETURNS bigint
LANGUAGE sql AS $$
  SELECT s.basis_run_id FROM coverage_truth.tenant_coverage_summary(tenant) AS s
$$;

CREATE FUNCTION pg_temp.state_of(tenant bigint, t text) RETURNS text
LANGUAGE sql AS $$
  SELECT c.coverage_state::text FROM coverage_truth.tenant_coverage(tenant) AS c WHERE c.type = t
$$;

CREATE FUNCTION pg_temp.observed_of(tenant bigint, t text) RETURNS bigint
LANGUAGE sql AS $$
  SELECT c.observed_item_count FROM coverage_truth.tenant_coverage(tenant) AS c WHERE c.type = t
$$;

------------------------------------------------------------------------------
-- Candidate order: completed_at DESC NULLS LAST, id DESC
------------------------------------------------------------------------------

-- Tenant 1: the newer completed_at wins over the higher id.
SELECT pg_temp.add_run(11, 1, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(10, 1, pg_temp.reports_a('failed'), now() - interval '1 hour');
SELECT is(pg_temp.basis_of(1), 10::bigint, 'newest completed_at is the basis');
SELECT is(pg_temp.state_of(1, 'a'), 'failed', 'state comes from the newest run');

-- Tenant 2: equal completed_at, the higher id wins whatever the insert order.
SELECT pg_temp.add_run(22, 2, pg_temp.reports_a('skipped'), '2024-05-01 10:00:00+00');
SELECT pg_temp.add_run(21, 2, pg_temp.reports_a('succeeded'), '2024-05-01 10:00:00+00');
SELECT pg_temp.add_run(20, 2, pg_temp.reports_a('failed'), '2024-05-01 09:59:59.999999+00');
SELECT is(pg_temp.basis_of(2), 22::bigint, 'tie on completed_at broken by higher id');
SELECT is(pg_temp.state_of(2, 'a'), 'skipped', 'state comes from the higher id');

-- Tenant 3: a NULL completed_at sorts after every timestamp.
SELECT pg_temp.add_run(39, 3, pg_temp.reports_a('failed'), NULL);
SELECT pg_temp.add_run(30, 3, pg_temp.reports_a('succeeded'), now() - interval '400 days');
SELECT is(pg_temp.basis_of(3), 30::bigint, 'NULL completed_at sorts last');
SELECT is(pg_temp.state_of(3, 'a'), 'succeeded', 'dated run state used over NULL completed_at');

-- Tenant 4: among NULL completed_at runs the higher id wins.
SELECT pg_temp.add_run(41, 4, pg_temp.reports_a('succeeded'), NULL);
SELECT pg_temp.add_run(42, 4, pg_temp.reports_a('failed'), NULL);
SELECT pg_temp.add_run(40, 4, pg_temp.reports_a('skipped'), NULL);
SELECT is(pg_temp.basis_of(4), 42::bigint, 'NULL completed_at ties broken by higher id');

-- Tenant 5: a NULL completed_at run is the basis when every dated run is unparseable.
SELECT pg_temp.add_run(50, 5, pg_temp.reports_a('skipped'), NULL);
SELECT pg_temp.add_run(51, 5, '{}', now() - interval '1 hour');
SELECT is(pg_temp.basis_of(5), 50::bigint, 'NULL completed_at run used after unparseable runs');
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(5)), NULL,
  'basis_completed_at NULL for such a basis');
SELECT is(pg_temp.state_of(5, 'a'), 'skipped', 'state from NULL completed_at basis');

-- Tenant 6: a completed_at in the future is still the newest.
SELECT pg_temp.add_run(60, 6, pg_temp.reports_a('succeeded'), now() - interval '1 minute');
SELECT pg_temp.add_run(61, 6, pg_temp.reports_a('failed'), now() + interval '1 day');
SELECT is(pg_temp.basis_of(6), 61::bigint, 'future completed_at sorts first');

------------------------------------------------------------------------------
-- Only completed inventory_sync runs of the tenant are candidates
------------------------------------------------------------------------------

-- Each tenant 70x has an older candidate (id 70x0, a succeeded) and a newer
-- run (id 70x1, a failed) that must be ignored.
CREATE TEMP TABLE ignored_kinds (tenant bigint, run_status text, run_type text, run_tenant bigint, label text);
INSERT INTO ignored_kinds VALUES
  (701, 'running', 'inventory_sync', 701, 'running run ignored'),
  (702, 'queued', 'inventory_sync', 702, 'queued run ignored'),
  (703, 'failed', 'inventory_sync', 703, 'failed status run ignored'),
  (704, 'Completed', 'inventory_sync', 704, 'status match is exact'),
  (705, 'completed ', 'inventory_sync', 705, 'status match is not trimmed'),
  (706, 'completed', 'Inventory_Sync', 706, 'type match is exact'),
  (707, 'completed', 'inventory_sync_full', 707, 'other run type ignored'),
  (708, 'completed', 'policy_sync', 708, 'unrelated run type ignored'),
  (709, 'completed', 'inventory_sync', 799, 'other tenant run ignored');

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT k.tenant * 10, k.tenant, 'inventory_sync', 'completed', 'succeeded',
       pg_temp.reports_a('succeeded'), now() - interval '5 hours'
FROM ignored_kinds AS k;
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT k.tenant * 10 + 1, k.run_tenant, k.run_type, k.run_status, 'succeeded',
       pg_temp.reports_a('failed'), now() - interval '1 hour'
FROM ignored_kinds AS k;

SELECT is(pg_temp.basis_of(701), 7010::bigint, 'running run ignored');
SELECT is(pg_temp.basis_of(702), 7020::bigint, 'queued run ignored');
SELECT is(pg_temp.basis_of(703), 7030::bigint, 'failed status run ignored');
SELECT is(pg_temp.basis_of(704), 7040::bigint, 'status match is exact');
SELECT is(pg_temp.basis_of(705), 7050::bigint, 'status match is not trimmed');
SELECT is(pg_temp.basis_of(706), 7060::bigint, 'type match is exact');
SELECT is(pg_temp.basis_of(707), 7070::bigint, 'other run type ignored');
SELECT is(pg_temp.basis_of(708), 7080::bigint, 'unrelated run type ignored');
SELECT is(pg_temp.basis_of(709), 7090::bigint, 'other tenant run ignored');
SELECT is(pg_temp.state_of(709, 'a'), 'succeeded', 'other tenant run changes no state');
SELECT is(pg_temp.basis_of(799), 7091::bigint, 'that run is the other tenant''s basis');
SELECT is(pg_temp.state_of(799, 'a'), 'failed', 'other tenant reads its own run');

-- Tenant 71: the outcome column does not filter candidates.
SELECT pg_temp.add_run(711, 71, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(712, 71, pg_temp.reports_a('failed'), now() - interval '1 hour',
                       run_outcome => 'failed');
SELECT is(pg_temp.basis_of(71), 712::bigint, 'failed outcome run is a candidate');
SELECT is((SELECT basis_run_outcome FROM coverage_truth.tenant_coverage_summary(71)), 'failed',
  'basis_run_outcome reports the outcome');

-- Tenant 72: a NULL outcome does not filter candidates either.
SELECT pg_temp.add_run(721, 72, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(722, 72, pg_temp.reports_a('skipped'), now() - interval '1 hour', run_outcome => NULL);
SELECT is(pg_temp.basis_of(72), 722::bigint, 'NULL outcome run is a candidate');
SELECT is((SELECT basis_run_outcome FROM coverage_truth.tenant_coverage_summary(72)), NULL,
  'basis_run_outcome NULL');

------------------------------------------------------------------------------
-- Fallback over unparseable contexts
------------------------------------------------------------------------------

-- Each tenant 80x has an older parseable run (id 80x0, a succeeded) and a
-- newer run (id 80x1) whose context is unparseable.
CREATE TEMP TABLE unparseable_kinds (tenant bigint, context jsonb);
INSERT INTO unparseable_kinds VALUES
  (801, NULL),
  (802, '{}'),
  (803, '{"inventory": [{"coverage": {"policy_types": {"a": {"status": "failed"}}}}]}'),
  (804, '{"inventory": "x"}'),
  (805, '{"inventory": {"coverage": [{"policy_types": {"a": {"status": "failed"}}}]}}'),
  (806, '{"inventory": {"coverage": "{\"policy_types\": {\"a\": {\"status\": \"failed\"}}}"}}'),
  (807, pg_temp.ctx('{"summary": {"a": {"status": "failed"}}}')),
  (808, pg_temp.ctx('{"policy_types": "a", "foundation_types": 3}')),
  (809, to_jsonb(pg_temp.reports_a('failed')::text)),
  (810, 'null'),
  (811, jsonb_build_array(pg_temp.reports_a('failed'))),
  (812, pg_temp.ctx('{"policy_types": null}'));

INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT k.tenant * 10, k.tenant, 'inventory_sync', 'completed', 'succeeded',
       pg_temp.reports_a('succeeded'), now() - interval '5 hours'
FROM unparseable_kinds AS k;
INSERT INTO public.operation_runs (id, tenant_id, type, status, outcome, context, completed_at)
SELECT k.tenant * 10 + 1, k.tenant, 'inventory_sync', 'completed', 'succeeded', k.context, now() - interval '1 hour'
FROM unparseable_kinds AS k;

SELECT is(pg_temp.basis_of(801), 8010::bigint, 'NULL context skipped');
SELECT is(pg_temp.basis_of(802), 8020::bigint, 'empty context skipped');
SELECT is(pg_temp.basis_of(803), 8030::bigint, 'array inventory skipped');
SELECT is(pg_temp.basis_of(804), 8040::bigint, 'string inventory skipped');
SELECT is(pg_temp.basis_of(805), 8050::bigint, 'array coverage skipped');
SELECT is(pg_temp.basis_of(806), 8060::bigint, 'string coverage skipped');
SELECT is(pg_temp.basis_of(807), 8070::bigint, 'coverage without lists skipped');
SELECT is(pg_temp.basis_of(808), 8080::bigint, 'lists of wrong JSON type skipped');
SELECT is(pg_temp.basis_of(809), 8090::bigint, 'double-encoded context skipped');
SELECT is(pg_temp.basis_of(810), 8100::bigint, 'JSON null context skipped');
SELECT is(pg_temp.basis_of(811), 8110::bigint, 'array context skipped');
SELECT is(pg_temp.basis_of(812), 8120::bigint, 'null list skipped');
SELECT is((SELECT count(*) FROM unparseable_kinds AS k
           WHERE pg_temp.state_of(k.tenant, 'a') = 'succeeded'), 12::bigint,
  'fallback basis states used');

-- Tenant 82: several unparseable runs in a row before a parseable one.
SELECT pg_temp.add_run(820, 82, pg_temp.reports_a('failed'), now() - interval '10 hours');
SELECT pg_temp.add_run(821, 82, NULL, now() - interval '4 hours');
SELECT pg_temp.add_run(822, 82, '{}', now() - interval '3 hours');
SELECT pg_temp.add_run(823, 82, pg_temp.ctx('{}'), now() - interval '2 hours');
SELECT pg_temp.add_run(824, 82, to_jsonb(pg_temp.reports_a('succeeded')::text), now() - interval '1 hour');
SELECT is(pg_temp.basis_of(82), 820::bigint, 'fallback passes several unparseable runs');
SELECT is(pg_temp.state_of(82, 'a'), 'failed', 'state from the first parseable run');
SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(82)), true,
  'fallback basis is a current result');

------------------------------------------------------------------------------
-- An empty list is parseable and stops the fallback
------------------------------------------------------------------------------

-- Tenants 83 to 86: an older run reports a succeeded, the newer one reports nothing.
SELECT pg_temp.add_run(830, 83, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(831, 83, pg_temp.ctx('{"policy_types": []}'), now() - interval '1 hour');
SELECT pg_temp.add_run(840, 84, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(841, 84, pg_temp.ctx('{"foundation_types": {}}'), now() - interval '1 hour');
SELECT pg_temp.add_run(850, 85, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(851, 85, pg_temp.ctx('{"policy_types": [1, "a", {"type": "a"}], "foundation_types": "x"}'),
                       now() - interval '1 hour');
SELECT pg_temp.add_run(860, 86, pg_temp.reports_a('succeeded'), now() - interval '2 hours');
SELECT pg_temp.add_run(861, 86, pg_temp.ctx('{"policy_types": {}, "foundation_types": []}'), now() - interval '1 hour');

SELECT is(pg_temp.basis_of(83), 831::bigint, 'empty policy array is a basis');
SELECT is(pg_temp.state_of(83, 'a'), 'unknown', 'empty policy array leaves type unknown');
SELECT is((SELECT unknown_type_count FROM coverage_truth.tenant_coverage_summary(83)), 3,
  'empty policy array leaves every type unknown');
SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(83)), true,
  'empty payload is a current result');
SELECT is(pg_temp.basis_of(84), 841::bigint, 'empty foundation object is a basis');
SELECT is(pg_temp.state_of(84, 'a'), 'unknown', 'empty foundation object leaves type unknown');
SELECT is(pg_temp.basis_of(85), 851::bigint, 'list of dropped entries is a basis');
SELECT is(pg_temp.state_of(85, 'a'), 'unknown', 'dropped entries leave type unknown');
SELECT is(pg_temp.basis_of(86), 861::bigint, 'two empty lists are a basis');
SELECT is((SELECT unknown_type_count FROM coverage_truth.tenant_coverage_summary(86)), 3,
  'two empty lists leave every type unknown');

------------------------------------------------------------------------------
-- No candidate
------------------------------------------------------------------------------

-- Tenant 90 has runs but no parseable completed candidate. Tenant 91 has no runs at all.
SELECT pg_temp.add_run(900, 90, pg_temp.reports_a('succeeded'), now() - interval '1 hour', run_status => 'running');
SELECT pg_temp.add_run(901, 90, pg_temp.reports_a('succeeded'), now() - interval '1 hour', run_type => 'other');
SELECT pg_temp.add_run(902, 90, '{}', now() - interval '1 hour');
SELECT pg_temp.add_run(903, 90, NULL, NULL);
SELECT pg_temp.add_items(90, 'a', 3);

SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(90)), false,
  'no parseable candidate means no current result');
SELECT is(pg_temp.basis_of(90), NULL, 'no parseable candidate means no basis_run_id');
SELECT is((SELECT basis_run_outcome FROM coverage_truth.tenant_coverage_summary(90)), NULL,
  'no basis means no basis_run_outcome');
SELECT is((SELECT basis_completed_at FROM coverage_truth.tenant_coverage_summary(90)), NULL,
  'no basis means no basis_completed_at');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(90) WHERE coverage_state = 'unknown'), 3::bigint,
  'no basis leaves every type unknown');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(90) WHERE basis_run_id IS NOT NULL), 0::bigint,
  'no basis leaves basis_run_id NULL in rows');
SELECT is(pg_temp.observed_of(90, 'a'), 3::bigint, 'items counted without a basis');

SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(91)), false,
  'tenant without runs has no current result');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage_summary(91)), 1::bigint,
  'tenant without runs has one summary row');
SELECT results_eq(
  'SELECT type, coverage_state::text, follow_up_required FROM coverage_truth.tenant_coverage(91)',
  $$VALUES ('a', 'unknown', true), ('b', 'unknown', true), ('f', 'unknown', true)$$,
  'tenant without runs has every type unknown');

------------------------------------------------------------------------------
-- Older runs and inventory items never change a state
------------------------------------------------------------------------------

-- Tenant 92: the old run reported every type succeeded, but the basis does not.
SELECT pg_temp.add_run(920, 92, pg_temp.ctx('{"policy_types": {"a": {"status": "succeeded"}, "b": {"status": "succeeded"}},
                                              "foundation_types": {"f": {"status": "succeeded"}}}'),
                       now() - interval '2 days');
SELECT pg_temp.add_run(921, 92, pg_temp.ctx('{"policy_types": {"a": {"status": "failed", "item_count": 10}},
                                              "foundation_types": {"f": {"status": "bogus"}}}'),
                       now() - interval '1 hour');
SELECT pg_temp.add_items(92, 'a', 4);
SELECT pg_temp.add_items(92, 'b', 3);
SELECT pg_temp.add_items(92, 'f', 1);

SELECT is(pg_temp.basis_of(92), 921::bigint, 'tenant 92 basis is the newest run');
SELECT is(pg_temp.state_of(92, 'a'), 'failed', 'older success does not mask a failure');
SELECT is(pg_temp.state_of(92, 'b'), 'unknown', 'older success and items do not upgrade unknown');
SELECT is(pg_temp.state_of(92, 'f'), 'unknown', 'rejected entry stays unknown despite older success');
SELECT is((SELECT basis_item_count FROM coverage_truth.tenant_coverage(92) WHERE type = 'a'), 10::bigint,
  'basis_item_count independent of observed items');
SELECT is(pg_temp.observed_of(92, 'a'), 4::bigint, 'observed count independent of basis_item_count');
SELECT is(pg_temp.observed_of(92, 'b'), 3::bigint, 'observed count for unknown type');

-- Tenant 93: a success stays a success without any items.
SELECT pg_temp.add_run(930, 93, pg_temp.reports_a('succeeded'), now() - interval '1 hour');
SELECT is(pg_temp.state_of(93, 'a'), 'succeeded', 'success without items stays succeeded');
SELECT is(pg_temp.observed_of(93, 'a'), 0::bigint, 'no items counts zero');

------------------------------------------------------------------------------
-- Observed item counts
------------------------------------------------------------------------------

-- Tenant 94 items, with items of tenant 95 and of uncatalogued types beside them.
SELECT pg_temp.add_run(940, 94, pg_temp.reports_a('succeeded'), now() - interval '1 hour');
SELECT pg_temp.add_items(94, 'a', 1);
SELECT pg_temp.add_items(94, 'b', 2);
SELECT pg_temp.add_items(94, 'zzz', 5);
SELECT pg_temp.add_items(94, 'A', 7);
SELECT pg_temp.add_items(94, ' a', 11);
SELECT pg_temp.add_items(95, 'a', 13);
SELECT pg_temp.add_items(95, 'f', 17);

SELECT is(pg_temp.observed_of(94, 'a'), 1::bigint, 'observed count per type');
SELECT is(pg_temp.observed_of(94, 'b'), 2::bigint, 'observed count for second type');
SELECT is(pg_temp.observed_of(94, 'f'), 0::bigint, 'other tenant items not counted');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(94)), 3::bigint, 'uncatalogued item types add no rows');
SELECT is((SELECT observed_item_total FROM coverage_truth.tenant_coverage_summary(94)), 3::bigint,
  'uncatalogued item types not in total');
SELECT is(pg_temp.observed_of(95, 'a'), 13::bigint, 'items counted per tenant');
SELECT is(pg_temp.state_of(95, 'f'), 'unknown', 'items alone give unknown');
SELECT is((SELECT has_current_coverage_result FROM coverage_truth.tenant_coverage_summary(95)), false,
  'items alone give no current result');

------------------------------------------------------------------------------
-- Extreme tenant ids
------------------------------------------------------------------------------

SELECT pg_temp.add_run(960, 9223372036854775807, pg_temp.reports_a('succeeded'), now() - interval '1 hour');
SELECT pg_temp.add_run(961, -9223372036854775808, pg_temp.reports_a('failed'), now() - interval '1 hour');
SELECT is(pg_temp.basis_of(9223372036854775807), 960::bigint, 'maximum bigint tenant id');
SELECT is(pg_temp.basis_of(-9223372036854775808), 961::bigint, 'minimum bigint tenant id');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(-9223372036854775808)
           WHERE tenant_id = -9223372036854775808), 3::bigint, 'rows carry the tenant id');

SELECT * FROM finish();
ROLLBACK;
