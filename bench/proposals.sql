-- SQL-level timings behind the optimisation proposals in BENCHMARKS.md: each
-- query the extension runs today next to the form a proposal would run
-- instead, timed in one session and interleaved. Run it with psql in a
-- database that bench/generate.sh filled and where coverage_truth is
-- installed (see BENCHMARKS.md for the command). Prints one row per
-- query form with the median over the rounds, in microseconds per tenant for
-- per-tenant forms and in milliseconds per call for fleet forms.

\set ON_ERROR_STOP on

DROP SCHEMA IF EXISTS proposals CASCADE;
CREATE SCHEMA proposals;

-- Time one query form: per-tenant forms run once for each of the first 1,000
-- tenants of bench_tenants and return microseconds per tenant, fleet forms
-- run once and return milliseconds.
CREATE FUNCTION proposals.time_form(form text)
RETURNS double precision
LANGUAGE plpgsql
AS $$
DECLARE
  tenant_ids bigint[];
  tenant bigint;
  t0 timestamptz;
  n bigint;
BEGIN
  SELECT array_agg(b.tenant_id ORDER BY b.position) INTO tenant_ids
  FROM (SELECT * FROM public.bench_tenants WHERE NOT heavy ORDER BY position LIMIT 1000) AS b;

  t0 := clock_timestamp();
  CASE form
    WHEN 'tenant item count, GROUP BY policy_type' THEN
      FOREACH tenant IN ARRAY tenant_ids LOOP
        SELECT count(g) INTO n
        FROM (SELECT i.policy_type::text, count(*) FROM public.inventory_items AS i
              WHERE i.tenant_id = tenant GROUP BY i.policy_type) AS g;
      END LOOP;
    WHEN 'tenant item count, GROUP BY text COLLATE "C"' THEN
      FOREACH tenant IN ARRAY tenant_ids LOOP
        SELECT count(g) INTO n
        FROM (SELECT i.policy_type::text COLLATE "C", count(*) FROM public.inventory_items AS i
              WHERE i.tenant_id = tenant GROUP BY 1) AS g;
      END LOOP;
    WHEN 'tenant catalog read (SPI query of the resolver)' THEN
      FOREACH tenant IN ARRAY tenant_ids LOOP
        SELECT count(s) INTO n
        FROM (SELECT s.type, s.segment, s.label, s.category, s.platform, s.restore_mode,
                     s.risk_level, s.supports_dependencies,
                     s.segment = 'policy'::coverage_truth.type_segment
              FROM coverage_truth.supported_types AS s
              ORDER BY s.segment, s.sort_order, s.type COLLATE "C") AS s;
      END LOOP;
    WHEN 'tenant newest candidate (floor basis read)' THEN
      FOREACH tenant IN ARRAY tenant_ids LOOP
        SELECT count(c) INTO n
        FROM (SELECT r.id, r.outcome, r.completed_at, jsonb_typeof(r.context)
              FROM public.operation_runs AS r
              WHERE r.tenant_id = tenant AND r.type = 'inventory_sync' AND r.status = 'completed'
              ORDER BY r.completed_at DESC NULLS LAST, r.id DESC LIMIT 1) AS c;
      END LOOP;
    WHEN 'fleet item count, GROUP BY policy_type' THEN
      SELECT count(g) INTO n
      FROM (SELECT i.tenant_id::int8, i.policy_type::text, count(*) FROM public.inventory_items AS i
            WHERE i.tenant_id = ANY (ARRAY(SELECT t.id FROM public.tenants AS t))
            GROUP BY i.tenant_id, i.policy_type) AS g;
    WHEN 'fleet item count, GROUP BY text COLLATE "C"' THEN
      SELECT count(g) INTO n
      FROM (SELECT i.tenant_id::int8, i.policy_type::text COLLATE "C", count(*) FROM public.inventory_items AS i
            WHERE i.tenant_id = ANY (ARRAY(SELECT t.id FROM public.tenants AS t))
            GROUP BY 1, 2) AS g;
    WHEN 'fleet item count, all items, no id filter' THEN
      SELECT count(g) INTO n
      FROM (SELECT i.tenant_id::int8, i.policy_type::text, count(*) FROM public.inventory_items AS i
            GROUP BY i.tenant_id, i.policy_type) AS g;
    WHEN 'fleet tenants, UNION of both relations (today)' THEN
      SELECT count(*) INTO n
      FROM (SELECT r.tenant_id::int8 FROM public.operation_runs AS r WHERE r.tenant_id IS NOT NULL
            UNION
            SELECT i.tenant_id::int8 FROM public.inventory_items AS i WHERE i.tenant_id IS NOT NULL) AS t;
    WHEN 'fleet tenants, UNION of per-relation GROUP BY' THEN
      SELECT count(*) INTO n
      FROM (SELECT r.tenant_id::int8 FROM public.operation_runs AS r WHERE r.tenant_id IS NOT NULL GROUP BY 1
            UNION
            SELECT i.tenant_id::int8 FROM public.inventory_items AS i WHERE i.tenant_id IS NOT NULL GROUP BY 1) AS t;
    WHEN 'fleet tenants, runs only (items from the count)' THEN
      SELECT count(*) INTO n
      FROM (SELECT DISTINCT r.tenant_id::int8 FROM public.operation_runs AS r WHERE r.tenant_id IS NOT NULL) AS t;
    WHEN 'fleet newest candidate per tenant (today, first query)' THEN
      SELECT count(c) INTO n
      FROM public.tenants AS t
      CROSS JOIN LATERAL (
        SELECT r.id, r.outcome, r.completed_at, r.context
        FROM public.operation_runs AS r
        WHERE r.tenant_id = t.id AND r.type = 'inventory_sync' AND r.status = 'completed'
        ORDER BY r.completed_at DESC NULLS LAST, r.id DESC LIMIT 1) AS c;
    WHEN 'fleet older candidates of unresolved tenants (today, second query)' THEN
      SELECT count(c) INTO n
      FROM (SELECT t.id, c.completed_at, c.cid
            FROM public.tenants AS t
            CROSS JOIN LATERAL (
              SELECT r.id AS cid, r.outcome, r.completed_at, r.context
              FROM public.operation_runs AS r
              WHERE r.tenant_id = t.id AND r.type = 'inventory_sync' AND r.status = 'completed'
              ORDER BY r.completed_at DESC NULLS LAST, r.id DESC OFFSET 1) AS c
            WHERE t.id IN (
              SELECT t2.id FROM public.tenants AS t2
              CROSS JOIN LATERAL (
                SELECT r.context FROM public.operation_runs AS r
                WHERE r.tenant_id = t2.id AND r.type = 'inventory_sync' AND r.status = 'completed'
                ORDER BY r.completed_at DESC NULLS LAST, r.id DESC LIMIT 1) AS newest
              WHERE NOT coverage_truth.coverage_is_parseable(newest.context))
            ORDER BY t.id, c.completed_at DESC NULLS LAST, c.cid DESC) AS c;
    WHEN 'fleet first parseable candidate per tenant (proposed, one query)' THEN
      SELECT count(c) INTO n
      FROM public.tenants AS t
      CROSS JOIN LATERAL (
        SELECT r.id, r.outcome, r.completed_at, r.context
        FROM public.operation_runs AS r
        WHERE r.tenant_id = t.id AND r.type = 'inventory_sync' AND r.status = 'completed'
          AND coverage_truth.coverage_is_parseable(r.context)
        ORDER BY r.completed_at DESC NULLS LAST, r.id DESC LIMIT 1) AS c;
    ELSE
      RAISE EXCEPTION 'unknown query form "%"', form;
  END CASE;

  IF form LIKE 'tenant %' THEN
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / array_length(tenant_ids, 1);
  END IF;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1e3;
END
$$;

CREATE TEMP TABLE proposal_timing (round integer, form text, figure double precision);

DO $$
DECLARE
  forms text[] := ARRAY[
    'tenant item count, GROUP BY policy_type',
    'tenant item count, GROUP BY text COLLATE "C"',
    'tenant catalog read (SPI query of the resolver)',
    'tenant newest candidate (floor basis read)',
    'fleet item count, GROUP BY policy_type',
    'fleet item count, GROUP BY text COLLATE "C"',
    'fleet item count, all items, no id filter',
    'fleet tenants, UNION of both relations (today)',
    'fleet tenants, UNION of per-relation GROUP BY',
    'fleet tenants, runs only (items from the count)',
    'fleet newest candidate per tenant (today, first query)',
    'fleet older candidates of unresolved tenants (today, second query)',
    'fleet first parseable candidate per tenant (proposed, one query)'];
  form_count integer := array_length(forms, 1);
BEGIN
  -- Round 0 warms the caches and plans and is left out of the medians.
  FOR round IN 0 .. 4 LOOP
    FOR k IN 0 .. form_count - 1 LOOP
      INSERT INTO proposal_timing
      VALUES (round, forms[1 + (round + k) % form_count],
              proposals.time_form(forms[1 + (round + k) % form_count]));
    END LOOP;
  END LOOP;
END
$$;

SELECT form,
       CASE WHEN form LIKE 'tenant %' THEN 'µs per tenant' ELSE 'ms per call' END AS unit,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY figure)::numeric, 1) AS median,
       round(min(figure)::numeric, 1) AS min,
       round(max(figure)::numeric, 1) AS max
FROM proposal_timing
WHERE round > 0
GROUP BY form
ORDER BY form;
