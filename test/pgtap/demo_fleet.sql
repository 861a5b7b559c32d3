-- The demo fleet of test/data: fleet results equal the per-tenant results,
-- each tenant shows the case test/data/README.md describes, and the time
-- functions agree with the current results on every tenant.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

-- Both demo scripts run their own BEGIN and COMMIT, so they load before the
-- test transaction and the tables are dropped at the end. Their query
-- output is discarded so that only TAP lines reach pg_prove.
SET client_min_messages = warning;
\o /dev/null
\ir ../data/demo_schema.sql
\ir ../data/demo_data.sql
\o

BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(74);

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

CREATE TEMP TABLE demo_tenants AS SELECT id AS tenant_id, name FROM public.tenants;

-- Returns a tenant's id by its demo name, or raises.
CREATE FUNCTION pg_temp.tenant(tenant_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  found_id bigint;
BEGIN
  SELECT t.tenant_id INTO STRICT found_id FROM demo_tenants AS t WHERE t.name = tenant_name;
  RETURN found_id;
END
$$;

CREATE FUNCTION pg_temp.summary(tenant bigint) RETURNS SETOF coverage_truth.tenant_coverage_summaries
LANGUAGE sql STABLE AS $$
  SELECT * FROM coverage_truth.tenant_coverage_summary(tenant)
$$;

-- Returns the types of a tenant in a state, in row order, joined by commas.
CREATE FUNCTION pg_temp.types_in(tenant bigint, state text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT string_agg(c.type, ',' ORDER BY c.position)
  FROM coverage_truth.tenant_coverage(tenant) WITH ORDINALITY
    AS c(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
         observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
         supports_dependencies, basis_run_id, position)
  WHERE c.coverage_state::text = state
$$;

-- Returns the candidate runs of a tenant in basis order, with a flag for a
-- parseable context, computed in plain SQL.
CREATE FUNCTION pg_temp.candidates(tenant bigint)
RETURNS TABLE (run_id bigint, completed_at timestamptz, parseable boolean, basis_rank bigint)
LANGUAGE sql STABLE AS $$
  SELECT r.id, r.completed_at, coverage_truth.coverage_is_parseable(r.context),
         row_number() OVER (ORDER BY r.completed_at DESC NULLS LAST, r.id DESC)
  FROM public.operation_runs AS r
  WHERE r.tenant_id = tenant AND r.type = 'inventory_sync' AND r.status = 'completed'
$$;

-- Returns the state that a run's payload reports for each catalog type,
-- from parse_coverage: the entry in the list of the type's own segment,
-- else the entry in the other list, else unknown.
CREATE FUNCTION pg_temp.reported_states(run bigint)
RETURNS TABLE (type text, state text)
LANGUAGE sql STABLE AS $$
  SELECT s.type, coalesce(own.status::text, other.status::text, 'unknown')
  FROM coverage_truth.supported_types AS s
  CROSS JOIN (SELECT r.context FROM public.operation_runs AS r WHERE r.id = run) AS c
  LEFT JOIN LATERAL (SELECT p.status FROM coverage_truth.parse_coverage(c.context) AS p
                     WHERE p.type = s.type AND p.segment = s.segment) AS own ON true
  LEFT JOIN LATERAL (SELECT p.status FROM coverage_truth.parse_coverage(c.context) AS p
                     WHERE p.type = s.type AND p.segment <> s.segment) AS other ON true
$$;

------------------------------------------------------------------------------
-- The demo loaded as described
------------------------------------------------------------------------------

SELECT is((SELECT count(*) FROM demo_tenants), 10::bigint, 'demo has ten tenants');
SELECT is((SELECT count(*) FROM coverage_truth.supported_types), 23::bigint, 'shipped catalog of 23 types');
SELECT results_eq(
  'SELECT tenant_id FROM coverage_truth.fleet_coverage_summary()',
  'SELECT tenant_id FROM demo_tenants ORDER BY tenant_id',
  'fleet covers every demo tenant');

------------------------------------------------------------------------------
-- Fleet results equal per-tenant results
------------------------------------------------------------------------------

SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary()',
  $$SELECT s.* FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary(t.tenant_id) AS s
    ORDER BY t.tenant_id$$,
  'fleet summaries equal tenant summaries');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage()',
  $$SELECT c.tenant_id, c.type, c.segment, c.label, c.category, c.platform, c.coverage_state,
           c.follow_up_required, c.observed_item_count, c.basis_item_count, c.basis_error_code,
           c.restore_mode, c.risk_level, c.supports_dependencies, c.basis_run_id
    FROM demo_tenants AS t,
         LATERAL coverage_truth.tenant_coverage(t.tenant_id) WITH ORDINALITY
           AS c(tenant_id, type, segment, label, category, platform, coverage_state, follow_up_required,
                observed_item_count, basis_item_count, basis_error_code, restore_mode, risk_level,
                supports_dependencies, basis_run_id, position)
    ORDER BY t.tenant_id, c.position$$,
  'fleet rows equal tenant rows');
SELECT results_eq(
  'SELECT * FROM coverage_truth.fleet_coverage_summary(ARRAY(SELECT tenant_id FROM demo_tenants))',
  'SELECT * FROM coverage_truth.fleet_coverage_summary()',
  'fleet summaries by explicit ids');
SELECT results_eq(
  'SELECT * FROM coverage_truth.tenant_coverage_summaries ORDER BY tenant_id',
  'SELECT * FROM coverage_truth.fleet_coverage_summary()',
  'summaries view equals fleet summaries');
SELECT results_eq(
  $$SELECT tenant_id, basis_run_id FROM coverage_truth.fleet_coverage_summary()$$,
  $$SELECT t.tenant_id, (SELECT c.run_id FROM pg_temp.candidates(t.tenant_id) AS c
                         WHERE c.parseable ORDER BY c.basis_rank LIMIT 1)
    FROM demo_tenants AS t ORDER BY t.tenant_id$$,
  'basis is first parseable candidate');
SELECT results_eq(
  $$SELECT tenant_id FROM coverage_truth.fleet_coverage_summary() WHERE calm_claim_allowed$$,
  $$SELECT tenant_id FROM demo_tenants
    WHERE name IN ('Contoso Ltd', 'Northwind Traders', 'Woodgrove Bank', 'Wide World Importers')
    ORDER BY tenant_id$$,
  'calm tenants of the demo');
SELECT results_eq(
  $$SELECT tenant_id FROM coverage_truth.fleet_coverage_summary() WHERE basis_is_stale$$,
  $$SELECT tenant_id FROM demo_tenants WHERE name IN ('Tailspin Toys', 'Wide World Importers') ORDER BY tenant_id$$,
  'stale tenants of the demo');

------------------------------------------------------------------------------
-- Each tenant's story
------------------------------------------------------------------------------

-- Contoso Ltd: healthy.
SELECT results_eq(
  $$SELECT has_current_coverage_result, succeeded_type_count, follow_up_type_count, calm_claim_allowed, basis_is_stale
    FROM pg_temp.summary(pg_temp.tenant('Contoso Ltd'))$$,
  $$VALUES (true, 23, 0, true, false)$$,
  'Contoso: calm and fresh');

-- Fabrikam Inc: conditional access denied on the last three syncs.
SELECT results_eq(
  $$SELECT type, coverage_state::text, basis_error_code FROM coverage_truth.tenant_coverage(pg_temp.tenant('Fabrikam Inc'))
    WHERE follow_up_required$$,
  $$VALUES ('conditionalAccessPolicy', 'failed', 'Authorization_RequestDenied')$$,
  'Fabrikam: conditional access failed');
SELECT is((SELECT observed_item_count > 0 FROM coverage_truth.tenant_coverage(pg_temp.tenant('Fabrikam Inc'))
           WHERE type = 'conditionalAccessPolicy'), true, 'Fabrikam: old items do not help');
SELECT is((SELECT calm_claim_allowed FROM pg_temp.summary(pg_temp.tenant('Fabrikam Inc'))), false,
  'Fabrikam: no calm claim');
SELECT is((SELECT parseable_runs_since FROM coverage_truth.tenant_last_success(pg_temp.tenant('Fabrikam Inc'))
           WHERE type = 'conditionalAccessPolicy'), 3::bigint, 'Fabrikam: three syncs since success');
SELECT is(
  (SELECT string_agg(d.type || '=' || d.change, ',')
   FROM coverage_truth.tenant_coverage_changes(
          pg_temp.tenant('Fabrikam Inc'),
          (SELECT last_succeeded_at FROM coverage_truth.tenant_last_success(pg_temp.tenant('Fabrikam Inc'))
           WHERE type = 'conditionalAccessPolicy')) AS d
   WHERE d.change <> 'unchanged'),
  'conditionalAccessPolicy=regressed', 'Fabrikam: change since last success');

-- Northwind Traders: the newest completed sync is double-encoded.
SELECT is((SELECT c.parseable FROM pg_temp.candidates(pg_temp.tenant('Northwind Traders')) AS c WHERE c.basis_rank = 1),
          false, 'Northwind: newest sync unparseable');
SELECT is((SELECT basis_run_id FROM pg_temp.summary(pg_temp.tenant('Northwind Traders'))),
          (SELECT c.run_id FROM pg_temp.candidates(pg_temp.tenant('Northwind Traders')) AS c WHERE c.basis_rank = 2),
  'Northwind: basis is the run before');
SELECT isnt_empty(
  $$SELECT * FROM coverage_truth.explain_coverage_payload(
      (SELECT r.context FROM public.operation_runs AS r
       WHERE r.id = (SELECT c.run_id FROM pg_temp.candidates(pg_temp.tenant('Northwind Traders')) AS c
                     WHERE c.basis_rank = 1)))$$,
  'Northwind: newest payload explained');
SELECT is((SELECT calm_claim_allowed FROM pg_temp.summary(pg_temp.tenant('Northwind Traders'))), true,
  'Northwind: calm from older run');

-- Tailspin Toys: never synced, but items imported.
SELECT results_eq(
  $$SELECT basis_run_id, has_current_coverage_result, unknown_type_count, calm_claim_allowed, basis_age, basis_is_stale
    FROM pg_temp.summary(pg_temp.tenant('Tailspin Toys'))$$,
  $$VALUES (NULL::bigint, false, 23, false, NULL::interval, true)$$,
  'Tailspin: no basis');
SELECT cmp_ok((SELECT observed_item_total FROM pg_temp.summary(pg_temp.tenant('Tailspin Toys'))), '>', 0::bigint,
  'Tailspin: items observed');
SELECT is_empty(
  $$SELECT * FROM public.operation_runs WHERE tenant_id = pg_temp.tenant('Tailspin Toys') AND type = 'inventory_sync'$$,
  'Tailspin: no inventory sync');

-- Woodgrove Bank: a running sync newer than the basis.
SELECT is((SELECT count(*) FROM public.operation_runs
           WHERE tenant_id = pg_temp.tenant('Woodgrove Bank') AND type = 'inventory_sync' AND status = 'running'
             AND completed_at IS NULL AND coverage_truth.coverage_is_parseable(context)),
          1::bigint, 'Woodgrove: one running sync with payload');
SELECT is((SELECT bool_or(r.run_is_basis) FROM public.operation_runs AS o,
                  LATERAL coverage_truth.run_coverage(o.id) AS r
           WHERE o.tenant_id = pg_temp.tenant('Woodgrove Bank') AND o.status = 'running'),
          false, 'Woodgrove: running sync not basis');
SELECT is((SELECT basis_run_id FROM pg_temp.summary(pg_temp.tenant('Woodgrove Bank'))),
          (SELECT c.run_id FROM pg_temp.candidates(pg_temp.tenant('Woodgrove Bank')) AS c WHERE c.basis_rank = 1),
  'Woodgrove: basis is newest completed');
SELECT is((SELECT calm_claim_allowed FROM pg_temp.summary(pg_temp.tenant('Woodgrove Bank'))), true,
  'Woodgrove: calm');

-- Adventure Works Cycles: foundation types no longer reported.
SELECT is(pg_temp.types_in(pg_temp.tenant('Adventure Works Cycles'), 'unknown'),
  'assignmentFilter,roleScopeTag,notificationMessageTemplate', 'Adventure Works: foundation types unknown');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(pg_temp.tenant('Adventure Works Cycles'))
           WHERE segment = 'foundation' AND observed_item_count > 0), 3::bigint,
  'Adventure Works: foundation items remain');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(pg_temp.tenant('Adventure Works Cycles'))
           WHERE segment = 'policy' AND coverage_state <> 'succeeded'), 0::bigint,
  'Adventure Works: policy types succeeded');
SELECT is((SELECT r.context #> '{inventory,coverage}' ? 'foundation_types'
           FROM public.operation_runs AS r
           WHERE r.id = (SELECT basis_run_id FROM pg_temp.summary(pg_temp.tenant('Adventure Works Cycles')))),
          false, 'Adventure Works: basis omits foundation list');
SELECT results_eq(
  $$SELECT follow_up_type_count FROM coverage_truth.tenant_coverage_history(
      pg_temp.tenant('Adventure Works Cycles'), now() - interval '2 days', now())
    ORDER BY completed_at DESC LIMIT 2$$,
  $$VALUES (3), (3)$$,
  'Adventure Works: last two syncs in history');

-- Litware Inc: throttled, and a retry queued.
SELECT results_eq(
  $$SELECT type, basis_error_code FROM coverage_truth.tenant_coverage(pg_temp.tenant('Litware Inc'))
    WHERE coverage_state = 'skipped'$$,
  $$VALUES ('settingsCatalogPolicy', 'TooManyRequests'), ('groupPolicyConfiguration', 'TooManyRequests'),
           ('mobileApp', 'TooManyRequests'), ('deviceHealthScript', 'TooManyRequests')$$,
  'Litware: four types skipped');
SELECT is((SELECT follow_up_type_count FROM pg_temp.summary(pg_temp.tenant('Litware Inc'))), 4,
  'Litware: four follow-ups');
SELECT is((SELECT count(*) FROM public.operation_runs
           WHERE tenant_id = pg_temp.tenant('Litware Inc') AND type = 'inventory_sync' AND status = 'queued'),
          1::bigint, 'Litware: retry queued');
SELECT is((SELECT basis_run_id FROM pg_temp.summary(pg_temp.tenant('Litware Inc'))),
          (SELECT c.run_id FROM pg_temp.candidates(pg_temp.tenant('Litware Inc')) AS c WHERE c.basis_rank = 1),
  'Litware: queued retry not basis');
SELECT is(
  (SELECT string_agg(d.type, ',' ORDER BY d.type)
   FROM coverage_truth.tenant_coverage_changes(
          pg_temp.tenant('Litware Inc'),
          (SELECT basis_completed_at - interval '1 microsecond' FROM pg_temp.summary(pg_temp.tenant('Litware Inc')))) AS d
   WHERE d.change = 'regressed'),
  'deviceHealthScript,groupPolicyConfiguration', 'Litware: regressed on newest sync');

-- Proseware Inc: four types dropped from the sync selection.
SELECT is(pg_temp.types_in(pg_temp.tenant('Proseware Inc'), 'unknown'),
  'windowsDriverUpdateProfile,deviceShellScript,deviceHealthScript,termsAndConditions',
  'Proseware: four types unknown');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_coverage(pg_temp.tenant('Proseware Inc'))
           WHERE coverage_state = 'unknown' AND observed_item_count > 0), 4::bigint,
  'Proseware: unknown types keep items');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_last_success(pg_temp.tenant('Proseware Inc'))
           WHERE type IN ('windowsDriverUpdateProfile', 'deviceShellScript', 'deviceHealthScript', 'termsAndConditions')
             AND last_succeeded_at < now() - interval '13 days'), 4::bigint,
  'Proseware: last success two weeks ago');

-- Wide World Importers: stale but calm.
SELECT results_eq(
  $$SELECT calm_claim_allowed, basis_is_stale, follow_up_type_count FROM pg_temp.summary(pg_temp.tenant('Wide World Importers'))$$,
  $$VALUES (true, true, 0)$$,
  'Wide World: stale but calm');
SELECT cmp_ok((SELECT basis_age FROM pg_temp.summary(pg_temp.tenant('Wide World Importers'))), '>', interval '4 days',
  'Wide World: basis days old');

-- Alpine Ski House: array form, two types not licensed.
SELECT is((SELECT jsonb_typeof(r.context #> '{inventory,coverage,policy_types}')
           FROM public.operation_runs AS r
           WHERE r.id = (SELECT basis_run_id FROM pg_temp.summary(pg_temp.tenant('Alpine Ski House')))),
          'array', 'Alpine: basis in array form');
SELECT results_eq(
  $$SELECT type, coverage_state::text, basis_error_code FROM coverage_truth.tenant_coverage(pg_temp.tenant('Alpine Ski House'))
    WHERE follow_up_required$$,
  $$VALUES ('windowsDriverUpdateProfile', 'skipped', 'not_licensed'), ('deviceHealthScript', 'skipped', 'not_licensed')$$,
  'Alpine: two types not licensed');
SELECT is((SELECT succeeded_type_count FROM pg_temp.summary(pg_temp.tenant('Alpine Ski House'))), 21,
  'Alpine: other types succeeded');
SELECT is((SELECT count(*) FROM coverage_truth.tenant_last_success(pg_temp.tenant('Alpine Ski House'))
           WHERE type IN ('windowsDriverUpdateProfile', 'deviceHealthScript') AND last_succeeded_run_id IS NULL),
          2::bigint, 'Alpine: never succeeded');

------------------------------------------------------------------------------
-- run_coverage of each basis run
------------------------------------------------------------------------------

SELECT is(
  (SELECT count(*) FROM coverage_truth.fleet_coverage_summary() AS s,
          LATERAL coverage_truth.run_coverage(s.basis_run_id) AS r
   WHERE r.run_is_basis AND r.basis_run_id = s.basis_run_id AND r.tenant_id = s.tenant_id),
  (SELECT 23 * count(*) FROM coverage_truth.fleet_coverage_summary() WHERE basis_run_id IS NOT NULL),
  'basis runs: run_is_basis on every row');
SELECT results_eq(
  $$SELECT r.tenant_id, r.type, r.coverage_state, r.item_count, r.error_code
    FROM coverage_truth.fleet_coverage_summary() AS s, LATERAL coverage_truth.run_coverage(s.basis_run_id) AS r
    ORDER BY r.tenant_id, r.type COLLATE "C"$$,
  $$SELECT c.tenant_id, c.type, c.coverage_state, c.basis_item_count, c.basis_error_code
    FROM coverage_truth.fleet_coverage() AS c WHERE c.basis_run_id IS NOT NULL ORDER BY c.tenant_id, c.type COLLATE "C"$$,
  'basis runs: states equal tenant rows');
SELECT is(
  (SELECT count(*) FROM public.operation_runs AS o, LATERAL coverage_truth.run_coverage(o.id) AS r
   WHERE r.run_is_basis AND o.id NOT IN (SELECT basis_run_id FROM coverage_truth.fleet_coverage_summary()
                                         WHERE basis_run_id IS NOT NULL)),
  0::bigint, 'no other run is a basis');

------------------------------------------------------------------------------
-- Time functions on every tenant
------------------------------------------------------------------------------

SELECT lives_ok('SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_at(t.tenant_id, now()) AS c',
  'tenant_coverage_at lives');
SELECT lives_ok(
  $$SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary_at(t.tenant_id, now() - interval '7 days') AS c$$,
  'tenant_coverage_summary_at lives');
SELECT lives_ok(
  $$SELECT count(*) FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS a, pg_temp.candidates(t.tenant_id) AS b,
           LATERAL coverage_truth.run_coverage_diff(a.run_id, b.run_id) AS d
    WHERE a.basis_rank <= 3 AND b.basis_rank <= 3$$,
  'run_coverage_diff lives');
SELECT lives_ok(
  $$SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_changes(t.tenant_id, now() - interval '1 day') AS c$$,
  'tenant_coverage_changes lives');
SELECT lives_ok('SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_last_success(t.tenant_id) AS c',
  'tenant_last_success lives');
SELECT lives_ok(
  $$SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_history(t.tenant_id, '-infinity', 'infinity') AS c$$,
  'tenant_coverage_history lives');

-- tenant_coverage_at and tenant_coverage_summary_at at now().
SELECT results_eq(
  $$SELECT c.tenant_id, c.type, c.coverage_state, c.basis_item_count, c.basis_error_code, c.basis_run_id
    FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_at(t.tenant_id, now()) AS c
    ORDER BY t.tenant_id, c.type COLLATE "C"$$,
  $$SELECT c.tenant_id, c.type, c.coverage_state, c.basis_item_count, c.basis_error_code, c.basis_run_id
    FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage(t.tenant_id) AS c
    ORDER BY t.tenant_id, c.type COLLATE "C"$$,
  'as-of now states equal current');
SELECT results_eq(
  $$SELECT s.tenant_id, s.basis_run_id, s.basis_run_outcome, s.basis_completed_at, s.has_current_coverage_result,
           s.supported_type_count, s.succeeded_type_count, s.failed_type_count, s.skipped_type_count,
           s.unknown_type_count, s.follow_up_type_count, s.calm_claim_allowed, s.basis_age, s.basis_is_stale
    FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary_at(t.tenant_id, now()) AS s
    ORDER BY t.tenant_id$$,
  $$SELECT s.tenant_id, s.basis_run_id, s.basis_run_outcome, s.basis_completed_at, s.has_current_coverage_result,
           s.supported_type_count, s.succeeded_type_count, s.failed_type_count, s.skipped_type_count,
           s.unknown_type_count, s.follow_up_type_count, s.calm_claim_allowed, s.basis_age, s.basis_is_stale
    FROM coverage_truth.fleet_coverage_summary() AS s$$,
  'summary_at now equals summary');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_summary_at(t.tenant_id, now()) AS s
   WHERE s.observed_item_total IS NOT NULL),
  0::bigint, 'summary_at: observed_item_total NULL');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_at(t.tenant_id, now()) AS c
   WHERE c.observed_item_count IS NOT NULL),
  0::bigint, 'as-of: observed_item_count NULL');

-- Each earlier candidate as-of its own completed_at.
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS c
   WHERE c.parseable AND c.completed_at IS NOT NULL AND c.basis_rank <= 5
     AND (SELECT s.basis_run_id FROM coverage_truth.tenant_coverage_summary_at(t.tenant_id, c.completed_at) AS s)
         IS DISTINCT FROM c.run_id),
  0::bigint, 'as-of a run''s completed_at picks it');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS c
   WHERE c.parseable AND c.completed_at IS NOT NULL AND c.basis_rank <= 5
     AND (SELECT s.basis_run_id
          FROM coverage_truth.tenant_coverage_summary_at(t.tenant_id, c.completed_at - interval '1 microsecond') AS s)
         IS NOT DISTINCT FROM c.run_id),
  0::bigint, 'as-of just before a run skips it');

-- tenant_coverage_changes and run_coverage_diff.
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_changes(t.tenant_id, now()) AS c
   WHERE c.change <> 'unchanged' OR c.from_state <> c.to_state),
  0::bigint, 'changes since now: all unchanged');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_changes(t.tenant_id, now()) AS c),
  230::bigint, 'changes: one row per tenant and type');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS c
   WHERE c.parseable AND c.basis_rank <= 4 AND c.run_id <> (SELECT basis_run_id FROM pg_temp.summary(t.tenant_id))
     AND EXISTS (
       SELECT d.* FROM coverage_truth.run_coverage_diff(c.run_id, (SELECT basis_run_id FROM pg_temp.summary(t.tenant_id))) AS d
       EXCEPT ALL
       SELECT g.* FROM coverage_truth.tenant_coverage_changes(t.tenant_id, c.completed_at) AS g)),
  0::bigint, 'changes equal diff of bases');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS a, pg_temp.candidates(t.tenant_id) AS b,
          LATERAL coverage_truth.run_coverage_diff(a.run_id, b.run_id) AS d
   JOIN pg_temp.reported_states(a.run_id) AS fs ON fs.type = d.type
   JOIN pg_temp.reported_states(b.run_id) AS ts ON ts.type = d.type
   WHERE a.basis_rank <= 4 AND b.basis_rank <= 4
     AND (d.from_state::text <> fs.state OR d.to_state::text <> ts.state
          OR d.change <> CASE WHEN fs.state = ts.state THEN 'unchanged'
                              WHEN fs.state = 'succeeded' THEN 'regressed'
                              WHEN ts.state = 'succeeded' THEN 'recovered'
                              ELSE 'changed' END)),
  0::bigint, 'diffs follow the payloads');

-- tenant_last_success against plain SQL.
SELECT set_eq(
  $$SELECT t.tenant_id, l.type, l.last_succeeded_run_id, l.last_succeeded_at, l.parseable_runs_since
    FROM demo_tenants AS t, LATERAL coverage_truth.tenant_last_success(t.tenant_id) AS l$$,
  $$SELECT t.tenant_id, s.type, found.run_id, found.completed_at,
           CASE WHEN found.run_id IS NOT NULL
                THEN (SELECT count(*) FROM pg_temp.candidates(t.tenant_id) AS n
                      WHERE n.parseable AND n.basis_rank < found.basis_rank) END
    FROM demo_tenants AS t
    CROSS JOIN coverage_truth.supported_types AS s
    LEFT JOIN LATERAL (
      SELECT c.run_id, c.completed_at, c.basis_rank FROM pg_temp.candidates(t.tenant_id) AS c
      JOIN pg_temp.reported_states(c.run_id) AS r ON r.type = s.type
      WHERE c.parseable AND r.state = 'succeeded'
      ORDER BY c.basis_rank LIMIT 1) AS found ON true$$,
  'last success equals plain SQL');
SELECT is(
  (SELECT count(*) FROM coverage_truth.fleet_coverage() AS c
   JOIN LATERAL coverage_truth.tenant_last_success(c.tenant_id) AS l ON l.type = c.type
   WHERE c.coverage_state = 'succeeded'
     AND (l.last_succeeded_run_id IS DISTINCT FROM c.basis_run_id OR l.parseable_runs_since <> 0)),
  0::bigint, 'succeeded types: last success is basis');

-- tenant_coverage_history.
SELECT is(
  (SELECT count(*) FROM coverage_truth.fleet_coverage_summary() AS s
   WHERE s.basis_run_id IS NOT NULL
     AND (SELECT h.run_id FROM coverage_truth.tenant_coverage_history(s.tenant_id, now() - interval '100 days', now()) AS h
          ORDER BY h.completed_at DESC, h.run_id DESC LIMIT 1) IS DISTINCT FROM s.basis_run_id),
  0::bigint, 'history newest row is the basis');
SELECT is(
  (SELECT count(*) FROM coverage_truth.fleet_coverage_summary() AS s
   WHERE s.basis_run_id IS NOT NULL
     AND NOT EXISTS (
       SELECT 1 FROM coverage_truth.tenant_coverage_history(s.tenant_id, s.basis_completed_at, s.basis_completed_at) AS h
       WHERE h.run_id = s.basis_run_id AND h.supported_type_count = s.supported_type_count
         AND h.succeeded_type_count = s.succeeded_type_count AND h.failed_type_count = s.failed_type_count
         AND h.skipped_type_count = s.skipped_type_count AND h.unknown_type_count = s.unknown_type_count
         AND h.follow_up_type_count = s.follow_up_type_count AND h.outcome IS NOT DISTINCT FROM s.basis_run_outcome)),
  0::bigint, 'history basis row counts equal summary');
SELECT results_eq(
  $$SELECT t.tenant_id, h.run_id
    FROM demo_tenants AS t, LATERAL coverage_truth.tenant_coverage_history(t.tenant_id, '-infinity', 'infinity') AS h
    ORDER BY t.tenant_id, h.completed_at, h.run_id$$,
  $$SELECT t.tenant_id, c.run_id FROM demo_tenants AS t, pg_temp.candidates(t.tenant_id) AS c
    WHERE c.parseable AND c.completed_at IS NOT NULL
    ORDER BY t.tenant_id, c.completed_at, c.run_id$$,
  'history lists parseable candidates');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t,
          LATERAL coverage_truth.tenant_coverage_history(t.tenant_id, '-infinity', 'infinity') WITH ORDINALITY
            AS h(run_id, completed_at, outcome, supported_type_count, succeeded_type_count, failed_type_count,
                 skipped_type_count, unknown_type_count, follow_up_type_count, position)
   JOIN LATERAL (SELECT c.run_id, row_number() OVER (ORDER BY c.completed_at, c.run_id) AS position
                 FROM pg_temp.candidates(t.tenant_id) AS c WHERE c.parseable AND c.completed_at IS NOT NULL) AS r
     ON r.position = h.position
   WHERE r.run_id <> h.run_id),
  0::bigint, 'history oldest first');
SELECT is_empty(
  $$SELECT * FROM coverage_truth.tenant_coverage_history(pg_temp.tenant('Tailspin Toys'), '-infinity', 'infinity')$$,
  'Tailspin: empty history');
SELECT is(
  (SELECT count(*) FROM coverage_truth.tenant_coverage_history(pg_temp.tenant('Northwind Traders'), '-infinity', 'infinity')
   WHERE run_id = (SELECT c.run_id FROM pg_temp.candidates(pg_temp.tenant('Northwind Traders')) AS c WHERE c.basis_rank = 1)),
  0::bigint, 'Northwind: history skips unparseable run');
SELECT is(
  (SELECT count(*) FROM demo_tenants AS t,
          LATERAL coverage_truth.tenant_coverage_history(t.tenant_id, '-infinity', 'infinity') AS h
   WHERE h.follow_up_type_count <> h.failed_type_count + h.skipped_type_count + h.unknown_type_count
      OR h.supported_type_count <> h.succeeded_type_count + h.failed_type_count + h.skipped_type_count + h.unknown_type_count),
  0::bigint, 'history counts add up');

SELECT * FROM finish();
ROLLBACK;

DROP TABLE public.inventory_items, public.operation_runs, public.tenants;
