-- Report of a benchmark run: Markdown tables computed from the raw figures
-- that bench/run.sh loaded into the tables created by bench/results.sql.
-- Timing passes numbered 1 are warm-ups and are left out.

\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset footer off

SELECT '## Datasets' || E'\n\n'
       || '| dataset | tenants | days | items per tenant | heavy tenants | runs | inventory syncs | items | database size | load average at start |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
                            d.dataset, d.tenants, d.days, d.items_per_tenant, d.heavy_tenants,
                            d.runs, d.syncs, d.items, pg_size_pretty(d.size_bytes), d.load_average),
                     E'\n' ORDER BY d.ordinal)
FROM results.dataset AS d;

SELECT E'\n## Results compared with the reference\n\n'
       || '| dataset | tenants compared | tenants whose results differ | first differing tenant |' || E'\n'
       || '|---|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s |', m.dataset, m.checked, m.mismatched,
                            coalesce(m.first_mismatch::text, '')),
                     E'\n' ORDER BY d.ordinal)
FROM results.mismatch AS m JOIN results.dataset AS d USING (dataset);

-- Per tenant: the pair (rows call + summary call) per variant.
CREATE TEMP VIEW pair_stats AS
SELECT p.dataset, p.variant,
       count(DISTINCT p.tenant_id) AS tenants,
       count(*) AS samples,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.rows_us + p.summary_us) AS median_us,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY p.rows_us + p.summary_us) AS p95_us,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.rows_us) AS rows_median_us,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.summary_us) AS summary_median_us
FROM results.per_tenant AS p
WHERE p.pass > 1
GROUP BY p.dataset, p.variant;

-- The same tenant and pass timed by two variants, as a ratio per sample.
CREATE TEMP VIEW paired_ratio AS
SELECT e.dataset,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (e.rows_us + e.summary_us) / (f.rows_us + f.summary_us)) AS extension_over_floor,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (o.rows_us + o.summary_us) / (e.rows_us + e.summary_us)) AS oracle_over_extension
FROM results.per_tenant AS e
JOIN results.per_tenant AS f ON f.dataset = e.dataset AND f.pass = e.pass AND f.tenant_id = e.tenant_id AND f.variant = 'floor'
JOIN results.per_tenant AS o ON o.dataset = e.dataset AND o.pass = e.pass AND o.tenant_id = e.tenant_id AND o.variant = 'oracle'
WHERE e.variant = 'extension' AND e.pass > 1
GROUP BY e.dataset;

SELECT E'\n## Per tenant: tenant_coverage + tenant_coverage_summary\n\n'
       || 'Microseconds per pair, server side, over the timed passes. The floor is the newest candidate read through the partial index (LIMIT 1, context decompressed) plus the grouped item count of the tenant. The split columns give the medians of the two calls of a pair (for the floor: the basis read and the item count).' || E'\n\n'
       || '| dataset | tenants | samples | extension median | extension p95 | extension split | oracle median | oracle p95 | floor median | floor p95 | floor split |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %s + %s | %s | %s | %s | %s | %s + %s |',
                            e.dataset, e.tenants, e.samples,
                            round(e.median_us::numeric), round(e.p95_us::numeric),
                            round(e.rows_median_us::numeric), round(e.summary_median_us::numeric),
                            round(o.median_us::numeric), round(o.p95_us::numeric),
                            round(f.median_us::numeric), round(f.p95_us::numeric),
                            round(f.rows_median_us::numeric), round(f.summary_median_us::numeric)),
                     E'\n' ORDER BY d.ordinal)
       || E'\n\nRatios. "Medians" divides the medians; "paired" is the median of the ratios of samples of the same tenant and pass. Target: the pair within 1.3x of the floor and at least 3x faster than the oracle.' || E'\n\n'
       || '| dataset | pair / floor (medians) | pair / floor (paired) | p95 pair / p95 floor | rows call / floor | summary call / floor | oracle / pair (medians) | oracle / pair (paired) |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %sx | %sx | %sx | %sx | %sx | %sx | %sx |',
                            e.dataset,
                            round((e.median_us / f.median_us)::numeric, 2),
                            round(r.extension_over_floor::numeric, 2),
                            round((e.p95_us / f.p95_us)::numeric, 2),
                            round((e.rows_median_us / f.median_us)::numeric, 2),
                            round((e.summary_median_us / f.median_us)::numeric, 2),
                            round((o.median_us / e.median_us)::numeric, 2),
                            round(r.oracle_over_extension::numeric, 2)),
                     E'\n' ORDER BY d.ordinal)
FROM pair_stats AS e
JOIN pair_stats AS o ON o.dataset = e.dataset AND o.variant = 'oracle'
JOIN pair_stats AS f ON f.dataset = e.dataset AND f.variant = 'floor'
JOIN paired_ratio AS r ON r.dataset = e.dataset
JOIN results.dataset AS d ON d.dataset = e.dataset
WHERE e.variant = 'extension';

-- Fleet: the median over the timed passes of each variant.
CREATE TEMP VIEW fleet_stats AS
SELECT f.dataset,
       max(f.returned_rows) FILTER (WHERE f.variant = 'extension_summary') AS tenants,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'extension_summary') AS extension_summary,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'extension_summary_ids') AS extension_summary_ids,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'loop_summary') AS loop_summary,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'oracle_summary') AS oracle_summary,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'floor') AS floor,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'extension_rows') AS extension_rows,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'loop_rows') AS loop_rows,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.ms) FILTER (WHERE f.variant = 'oracle_rows') AS oracle_rows,
       count(*) FILTER (WHERE f.variant = 'extension_summary') AS passes
FROM results.fleet AS f
WHERE f.pass > 1
GROUP BY f.dataset;

SELECT E'\n## Fleet summary\n\n'
       || 'Milliseconds per call, median of the timed passes. "NULL" is fleet_coverage_summary() (tenants found in the sources); "ids" passes the tenants table''s ids; "loop" calls tenant_coverage_summary once per id of the tenants table; "oracle" is coverage_oracle.fleet_coverage_summary(); "floor" reads the newest candidate of every tenant (LATERAL, LIMIT 1) and counts all items per tenant and type in one grouped query. Target: the fleet call at least 10x faster than the loop.' || E'\n\n'
       || '| dataset | tenants | NULL | ids | loop | oracle | floor | loop / NULL | loop / ids | oracle / NULL | NULL / floor | ids / floor |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %s | %s | %sx | %sx | %sx | %sx | %sx |',
                            s.dataset, s.tenants,
                            round(s.extension_summary::numeric), round(s.extension_summary_ids::numeric),
                            round(s.loop_summary::numeric), round(s.oracle_summary::numeric),
                            round(s.floor::numeric),
                            round((s.loop_summary / s.extension_summary)::numeric, 2),
                            round((s.loop_summary / s.extension_summary_ids)::numeric, 2),
                            round((s.oracle_summary / s.extension_summary)::numeric, 1),
                            round((s.extension_summary / s.floor)::numeric, 2),
                            round((s.extension_summary_ids / s.floor)::numeric, 2)),
                     E'\n' ORDER BY d.ordinal)
FROM fleet_stats AS s JOIN results.dataset AS d USING (dataset);

SELECT E'\n## Fleet rows\n\n'
       || 'fleet_coverage() against a loop of tenant_coverage and coverage_oracle.fleet_coverage(), in milliseconds (timed on the first dataset only).' || E'\n\n'
       || '| dataset | tenants | fleet_coverage() | loop | oracle | loop / fleet | oracle / fleet |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %sx | %sx |',
                            s.dataset, s.tenants,
                            round(s.extension_rows::numeric), round(s.loop_rows::numeric),
                            round(s.oracle_rows::numeric),
                            round((s.loop_rows / s.extension_rows)::numeric, 2),
                            round((s.oracle_rows / s.extension_rows)::numeric, 1)),
                     E'\n' ORDER BY d.ordinal)
FROM fleet_stats AS s JOIN results.dataset AS d USING (dataset)
WHERE s.extension_rows IS NOT NULL;

SELECT E'\n## Scaling against the base dataset\n\n'
       || 'Per-tenant figures are medians of the pair in microseconds; fleet figures are fleet_coverage_summary() in milliseconds. "runs + items" is the size of the two sources in rows.' || E'\n\n'
       || '| dataset | runs + items | ratio | tenants | ratio | extension pair | ratio | floor | ratio | oracle pair | ratio | fleet summary | ratio | fleet µs per tenant | fleet ms per million runs + items |' || E'\n'
       || '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
                            d.dataset, d.runs + d.items,
                            round((d.runs + d.items)::numeric / (b.runs + b.items), 2),
                            d.tenants, round(d.tenants::numeric / b.tenants, 2),
                            round(e.median_us::numeric), round((e.median_us / be.median_us)::numeric, 2),
                            round(f.median_us::numeric), round((f.median_us / bf.median_us)::numeric, 2),
                            round(o.median_us::numeric), round((o.median_us / bo.median_us)::numeric, 2),
                            round(s.extension_summary::numeric),
                            round((s.extension_summary / bs.extension_summary)::numeric, 2),
                            round((s.extension_summary * 1000 / s.tenants)::numeric, 1),
                            round((s.extension_summary * 1e6 / (d.runs + d.items))::numeric, 1)),
                     E'\n' ORDER BY d.ordinal)
FROM results.dataset AS d
CROSS JOIN (SELECT * FROM results.dataset WHERE dataset = 'base') AS b
JOIN pair_stats AS e ON e.dataset = d.dataset AND e.variant = 'extension'
JOIN pair_stats AS f ON f.dataset = d.dataset AND f.variant = 'floor'
JOIN pair_stats AS o ON o.dataset = d.dataset AND o.variant = 'oracle'
JOIN pair_stats AS be ON be.dataset = 'base' AND be.variant = 'extension'
JOIN pair_stats AS bf ON bf.dataset = 'base' AND bf.variant = 'floor'
JOIN pair_stats AS bo ON bo.dataset = 'base' AND bo.variant = 'oracle'
JOIN fleet_stats AS s ON s.dataset = d.dataset
JOIN fleet_stats AS bs ON bs.dataset = 'base';

SELECT E'\n## Peak backend memory of one fleet call\n\n'
       || 'Growth of the backend''s peak resident set (VmHWM, reset before the call) over its resident set before the call, in MiB, measured with glibc.malloc.mmap_threshold=8192 so that freed memory leaves the resident set. The backend had already mapped every page of the sources (bench.touch_source_pages), so the growth is private memory. "Shared pages mapped" is what the call still added from shared buffers, subtracted in the last two columns.' || E'\n\n'
       || '| dataset | variant | tenants | peak growth | shared pages mapped | private peak | private KiB per tenant |' || E'\n'
       || '|---|---|---:|---:|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s | %s | %s | %s |',
                            m.dataset, m.variant, s.tenants,
                            round((a.vm_hwm - b.vm_rss) / 1024.0, 1),
                            round((a.rss_shmem - b.rss_shmem) / 1024.0, 1),
                            round(((a.vm_hwm - b.vm_rss) - (a.rss_shmem - b.rss_shmem)) / 1024.0, 1),
                            round(((a.vm_hwm - b.vm_rss) - (a.rss_shmem - b.rss_shmem))::numeric / s.tenants, 2)),
                     E'\n' ORDER BY d.ordinal, m.variant)
FROM (SELECT DISTINCT dataset, variant FROM results.memory) AS m
JOIN results.memory AS b ON b.dataset = m.dataset AND b.variant = m.variant AND b.phase = 'before'
JOIN results.memory AS a ON a.dataset = m.dataset AND a.variant = m.variant AND a.phase = 'after'
JOIN fleet_stats AS s ON s.dataset = m.dataset
JOIN results.dataset AS d ON d.dataset = m.dataset;

SELECT E'\n## Memory growth per added tenant\n\n'
       || 'Private peak of tenants_x4 minus that of base, divided by the added tenants: the memory one more tenant costs a fleet call, in KiB.' || E'\n\n'
       || '| variant | base private peak (MiB) | tenants_x4 private peak (MiB) | KiB per added tenant |' || E'\n'
       || '|---|---:|---:|---:|' || E'\n'
       || string_agg(format('| %s | %s | %s | %s |', x.variant,
                            round(x.base_kib / 1024.0, 1), round(x.x4_kib / 1024.0, 1),
                            round((x.x4_kib - x.base_kib)::numeric / (x.x4_tenants - x.base_tenants), 2)),
                     E'\n' ORDER BY x.variant)
FROM (
  SELECT a.variant,
         max((a.vm_hwm - b.vm_rss) - (a.rss_shmem - b.rss_shmem)) FILTER (WHERE a.dataset = 'base') AS base_kib,
         max((a.vm_hwm - b.vm_rss) - (a.rss_shmem - b.rss_shmem)) FILTER (WHERE a.dataset = 'tenants_x4') AS x4_kib,
         max(d.tenants) FILTER (WHERE a.dataset = 'base') AS base_tenants,
         max(d.tenants) FILTER (WHERE a.dataset = 'tenants_x4') AS x4_tenants
  FROM results.memory AS a
  JOIN results.memory AS b ON b.dataset = a.dataset AND b.variant = a.variant AND b.phase = 'before'
  JOIN results.dataset AS d ON d.dataset = a.dataset
  WHERE a.phase = 'after'
  GROUP BY a.variant
) AS x
WHERE x.base_kib IS NOT NULL AND x.x4_kib IS NOT NULL;
