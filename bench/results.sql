-- Tables of the raw figures of one benchmark run, loaded by bench/run.sh
-- from its CSV files and read by bench/report.sql.

\set ON_ERROR_STOP on

CREATE SCHEMA results;

CREATE TABLE results.dataset (
  ordinal serial,
  dataset text PRIMARY KEY,
  tenants integer NOT NULL,
  days integer NOT NULL,
  items_per_tenant integer NOT NULL,
  heavy_tenants integer NOT NULL,
  runs bigint NOT NULL,
  syncs bigint NOT NULL,
  items bigint NOT NULL,
  size_bytes bigint NOT NULL,
  load_average numeric NOT NULL
);

CREATE TABLE results.mismatch (
  dataset text NOT NULL,
  checked integer NOT NULL,
  mismatched integer NOT NULL,
  first_mismatch bigint
);

-- One timed pair (or floor) for one tenant; microseconds.
CREATE TABLE results.per_tenant (
  dataset text NOT NULL,
  pass integer NOT NULL,
  variant text NOT NULL,
  tenant_id bigint NOT NULL,
  rows_us double precision NOT NULL,
  summary_us double precision NOT NULL,
  returned_rows bigint NOT NULL
);

-- One timed fleet call; milliseconds.
CREATE TABLE results.fleet (
  dataset text NOT NULL,
  pass integer NOT NULL,
  variant text NOT NULL,
  returned_rows bigint NOT NULL,
  ms double precision NOT NULL
);

-- /proc/<pid>/status of the backend before and after one fleet call; kB.
CREATE TABLE results.memory (
  dataset text NOT NULL,
  variant text NOT NULL,
  phase text NOT NULL,
  vm_rss bigint NOT NULL,
  vm_hwm bigint NOT NULL,
  rss_anon bigint NOT NULL,
  rss_shmem bigint NOT NULL
);
