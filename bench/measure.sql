-- Timing functions of the benchmark, created in schema bench of a database
-- that bench/generate.sql filled and where coverage_truth and the plain-SQL
-- reference (schema coverage_oracle) are installed.
--
-- Every figure is a clock_timestamp() difference taken on the server inside
-- PL/pgSQL, so no client round trip or output formatting is counted. Each
-- call reads every column of every row it returns (count(r) over the whole
-- row), so no variant can skip work the planner would prune from a
-- count(*). Variants are interleaved: for each batch of tenants the variants
-- run one after another, and the variant that starts rotates from batch to
-- batch, so drifting machine load spreads over all of them.

\set ON_ERROR_STOP on

DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

-- Per-tenant timings. Variants:
--   extension  coverage_truth.tenant_coverage + tenant_coverage_summary
--   oracle     coverage_oracle.tenant_coverage + tenant_coverage_summary
--   floor      the two index reads that any correct result requires: the newest
--              candidate run through the partial index with LIMIT 1, its
--              context detoasted and decompressed (jsonb_typeof), and the
--              tenant's item count per policy_type
-- rows_us and summary_us split a pair into its two calls; for floor they are
-- the basis read and the item count.
CREATE FUNCTION bench.time_tenants(
  tenant_ids bigint[],
  variants text[],
  batch_size integer,
  passes integer)
RETURNS TABLE (pass integer, variant text, tenant_id bigint, rows_us double precision,
               summary_us double precision, returned_rows bigint)
LANGUAGE plpgsql
AS $$
DECLARE
  tenant_count integer := coalesce(array_length(tenant_ids, 1), 0);
  variant_count integer := array_length(variants, 1);
  batch_count integer := (tenant_count + batch_size - 1) / batch_size;
  t0 timestamptz;
  t1 timestamptz;
  t2 timestamptz;
  n1 bigint;
  n2 bigint;
  current_tenant bigint;
BEGIN
  FOR p IN 1 .. passes LOOP
    FOR b IN 0 .. batch_count - 1 LOOP
      FOR k IN 0 .. variant_count - 1 LOOP
        variant := variants[1 + (b + k) % variant_count];
        FOR i IN b * batch_size + 1 .. LEAST((b + 1) * batch_size, tenant_count) LOOP
          current_tenant := tenant_ids[i];
          IF variant = 'extension' THEN
            t0 := clock_timestamp();
            SELECT count(r) INTO n1 FROM coverage_truth.tenant_coverage(current_tenant) AS r;
            t1 := clock_timestamp();
            SELECT count(s) INTO n2 FROM coverage_truth.tenant_coverage_summary(current_tenant) AS s;
            t2 := clock_timestamp();
          ELSIF variant = 'oracle' THEN
            t0 := clock_timestamp();
            SELECT count(r) INTO n1 FROM coverage_oracle.tenant_coverage(current_tenant) AS r;
            t1 := clock_timestamp();
            SELECT count(s) INTO n2 FROM coverage_oracle.tenant_coverage_summary(current_tenant) AS s;
            t2 := clock_timestamp();
          ELSIF variant = 'floor' THEN
            t0 := clock_timestamp();
            SELECT count(c) INTO n1
            FROM (SELECT r.id, r.outcome, r.completed_at, pg_catalog.jsonb_typeof(r.context) AS kind
                  FROM public.operation_runs AS r
                  WHERE r.tenant_id = current_tenant
                    AND r.type = 'inventory_sync' AND r.status = 'completed'
                  ORDER BY r.completed_at DESC NULLS LAST, r.id DESC
                  LIMIT 1) AS c;
            t1 := clock_timestamp();
            SELECT count(g) INTO n2
            FROM (SELECT i.policy_type, pg_catalog.count(*) AS items
                  FROM public.inventory_items AS i
                  WHERE i.tenant_id = current_tenant
                  GROUP BY i.policy_type) AS g;
            t2 := clock_timestamp();
          ELSE
            RAISE EXCEPTION 'unknown per-tenant variant "%"', variant;
          END IF;
          pass := p;
          tenant_id := current_tenant;
          rows_us := extract(epoch FROM t1 - t0) * 1e6;
          summary_us := extract(epoch FROM t2 - t1) * 1e6;
          returned_rows := n1 + n2;
          RETURN NEXT;
        END LOOP;
      END LOOP;
    END LOOP;
  END LOOP;
END
$$;

-- One fleet call. Variants:
--   extension_summary  coverage_truth.fleet_coverage_summary() (NULL: every tenant)
--   extension_summary_ids  the same with the tenants table's ids as the array
--   loop_summary       tenant_coverage_summary once per id of the tenants table
--   oracle_summary     coverage_oracle.fleet_coverage_summary()
--   extension_rows, loop_rows, oracle_rows: the same for the per-type rows
--   (fleet_coverage and tenant_coverage)
--   floor              the reads that any correct fleet result requires: the newest candidate
--                      of every id of the tenants table (LATERAL, LIMIT 1,
--                      context decompressed) and one grouped count of all
--                      items per tenant and policy_type
CREATE FUNCTION bench.time_fleet(variant text, OUT returned_rows bigint, OUT ms double precision)
LANGUAGE plpgsql
AS $$
DECLARE
  t0 timestamptz;
  n bigint;
  tenant bigint;
BEGIN
  returned_rows := 0;
  t0 := clock_timestamp();
  CASE variant
    WHEN 'extension_summary' THEN
      SELECT count(s) INTO returned_rows FROM coverage_truth.fleet_coverage_summary() AS s;
    WHEN 'extension_summary_ids' THEN
      SELECT count(s) INTO returned_rows
      FROM coverage_truth.fleet_coverage_summary(ARRAY(SELECT t.id FROM public.tenants AS t)) AS s;
    WHEN 'oracle_summary' THEN
      SELECT count(s) INTO returned_rows FROM coverage_oracle.fleet_coverage_summary() AS s;
    WHEN 'loop_summary' THEN
      FOR tenant IN SELECT t.id FROM public.tenants AS t ORDER BY t.id LOOP
        SELECT count(s) INTO n FROM coverage_truth.tenant_coverage_summary(tenant) AS s;
        returned_rows := returned_rows + n;
      END LOOP;
    WHEN 'extension_rows' THEN
      SELECT count(r) INTO returned_rows FROM coverage_truth.fleet_coverage() AS r;
    WHEN 'oracle_rows' THEN
      SELECT count(r) INTO returned_rows FROM coverage_oracle.fleet_coverage() AS r;
    WHEN 'loop_rows' THEN
      FOR tenant IN SELECT t.id FROM public.tenants AS t ORDER BY t.id LOOP
        SELECT count(r) INTO n FROM coverage_truth.tenant_coverage(tenant) AS r;
        returned_rows := returned_rows + n;
      END LOOP;
    WHEN 'floor' THEN
      SELECT count(c) INTO returned_rows
      FROM public.tenants AS t
      CROSS JOIN LATERAL (
        SELECT r.id, r.outcome, r.completed_at, pg_catalog.jsonb_typeof(r.context) AS kind
        FROM public.operation_runs AS r
        WHERE r.tenant_id = t.id
          AND r.type = 'inventory_sync' AND r.status = 'completed'
        ORDER BY r.completed_at DESC NULLS LAST, r.id DESC
        LIMIT 1) AS c;
      SELECT count(g) INTO n
      FROM (SELECT i.tenant_id, i.policy_type, pg_catalog.count(*) AS items
            FROM public.inventory_items AS i
            GROUP BY i.tenant_id, i.policy_type) AS g;
    ELSE
      RAISE EXCEPTION 'unknown fleet variant "%"', variant;
  END CASE;
  ms := extract(epoch FROM clock_timestamp() - t0) * 1e3;
END
$$;

-- Run every fleet variant passes times, round robin, the starting variant
-- rotating from pass to pass.
CREATE FUNCTION bench.time_fleet_rounds(variants text[], passes integer)
RETURNS TABLE (pass integer, variant text, returned_rows bigint, ms double precision)
LANGUAGE plpgsql
AS $$
DECLARE
  variant_count integer := array_length(variants, 1);
BEGIN
  FOR p IN 1 .. passes LOOP
    FOR k IN 0 .. variant_count - 1 LOOP
      pass := p;
      variant := variants[1 + (p + k) % variant_count];
      SELECT f.returned_rows, f.ms INTO returned_rows, ms FROM bench.time_fleet(variant) AS f;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$;

-- Call the per-tenant pair over the tenants again and again for a number of
-- seconds, for the profiler. Returns the number of pairs called.
CREATE FUNCTION bench.spin_pairs(tenant_ids bigint[], seconds double precision)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + seconds * interval '1 second';
  calls bigint := 0;
  n bigint;
  tenant bigint;
BEGIN
  WHILE clock_timestamp() < deadline LOOP
    FOREACH tenant IN ARRAY tenant_ids LOOP
      SELECT count(r) INTO n FROM coverage_truth.tenant_coverage(tenant) AS r;
      SELECT count(s) INTO n FROM coverage_truth.tenant_coverage_summary(tenant) AS s;
      calls := calls + 1;
    END LOOP;
  END LOOP;
  RETURN calls;
END
$$;

-- Count the tenants whose extension and reference results differ, compared
-- as text rows in result order. The benchmark reports the count so that a
-- fast wrong result cannot pass unnoticed. The test suites own correctness.
CREATE FUNCTION bench.count_mismatches(tenant_ids bigint[])
RETURNS TABLE (checked integer, mismatched integer, first_mismatch bigint)
LANGUAGE plpgsql
AS $$
DECLARE
  tenant bigint;
  a text;
  b text;
BEGIN
  checked := 0;
  mismatched := 0;
  FOREACH tenant IN ARRAY tenant_ids LOOP
    SELECT string_agg(r::text, E'\n') INTO a FROM coverage_truth.tenant_coverage(tenant) AS r;
    SELECT string_agg(r::text, E'\n') INTO b FROM coverage_oracle.tenant_coverage(tenant) AS r;
    IF a IS DISTINCT FROM b THEN
      mismatched := mismatched + 1;
      first_mismatch := coalesce(first_mismatch, tenant);
    ELSE
      -- basis_age differs by the call's transaction time only, which is
      -- the same within this function, so whole rows compare.
      SELECT r::text INTO a FROM coverage_truth.tenant_coverage_summary(tenant) AS r;
      SELECT r::text INTO b FROM coverage_oracle.tenant_coverage_summary(tenant) AS r;
      IF a IS DISTINCT FROM b THEN
        mismatched := mismatched + 1;
        first_mismatch := coalesce(first_mismatch, tenant);
      END IF;
    END IF;
    checked := checked + 1;
  END LOOP;
  RETURN NEXT;
END
$$;

-- Copy every page of the source tables, their indexes and the catalog out
-- of shared buffers once, so this backend has already mapped those shared
-- memory pages before a memory measurement. A call measured afterwards then
-- adds (almost) only private memory to the backend's resident set. Needs
-- the pageinspect extension; returns the number of pages read.
CREATE FUNCTION bench.touch_source_pages()
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
  relation regclass;
  pages bigint := 0;
  n bigint;
BEGIN
  FOR relation IN
    SELECT c.oid::regclass
    FROM pg_catalog.pg_class AS c
    WHERE c.oid IN ('public.operation_runs'::regclass, 'public.inventory_items'::regclass,
                    'public.tenants'::regclass, 'coverage_truth.supported_types'::regclass)
    UNION ALL
    SELECT i.indexrelid::regclass
    FROM pg_catalog.pg_index AS i
    WHERE i.indrelid IN ('public.operation_runs'::regclass, 'public.inventory_items'::regclass,
                         'public.tenants'::regclass, 'coverage_truth.supported_types'::regclass)
  LOOP
    SELECT count(public.get_raw_page(relation::text, b::bigint))
    INTO n
    FROM pg_catalog.generate_series(0, pg_catalog.pg_relation_size(relation) / 8192 - 1) AS b;
    pages := pages + n;
  END LOOP;
  RETURN pages;
END
$$;
