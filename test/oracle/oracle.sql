-- coverage_oracle: a plain-SQL reference implementation of coverage_truth.
--
-- It provides the query functions of the C extension under the same names,
-- column names and column types. It was written only from the product
-- contract, in SQL and PL/pgSQL, the way a user without the extension would
-- write them. The differential suite and the parser fuzzer compare the
-- extension with it, and the benchmark compares their speed.
--
-- It needs the coverage_truth extension for its types and for the catalog
-- coverage_truth.supported_types. It always reads the host tables
-- public.operation_runs and public.inventory_items, which must exist when
-- this file is loaded, and ignores the coverage_truth.*_relation settings.
-- Loading the file again drops and recreates schema coverage_oracle.
--
--   psql -X -v ON_ERROR_STOP=1 -f test/oracle/oracle.sql
--
-- Choices where the contract leaves room, made the way the extension makes
-- them:
--   * parse_coverage returns one row per (list, type), and the last
--     accepted entry of the list wins. Rows are ordered by list
--     (policy_types first), then by type in byte order.
--   * An empty object key is dropped like an empty "type" member.
--   * coverage_is_parseable(NULL) is false.
--   * The *_at summaries measure basis_age at the given moment, and
--     basis_is_stale compares that age with coverage_truth.stale_after.
--   * run_coverage_diff treats a missing run as reporting unknown for every
--     type, and raises when both runs exist and their tenants differ
--     (a NULL tenant differs from any non-NULL tenant).
--   * The *_at functions return NULL observed counts.
-- Further choices of this file:
--   * observed_item_total is 0, not NULL, when the catalog is empty.
--   * policy_type matches a catalog type when the strings are equal byte
--     for byte, as payload types do. Comparisons use COLLATE "C", so a
--     nondeterministic (for example case-insensitive) collation on the host
--     column does not merge 'mobileApp' and 'MOBILEAPP'.
--   * A NULL element of the tenant_ids array of the fleet functions names
--     no tenant and is skipped; rows with a NULL tenant_id belong to no
--     tenant.

\set ON_ERROR_STOP 1

DROP SCHEMA IF EXISTS coverage_oracle CASCADE;
CREATE SCHEMA coverage_oracle;
COMMENT ON SCHEMA coverage_oracle IS
  'Plain-SQL reference implementation of coverage_truth, used to test the extension';

------------------------------------------------------------------------------
-- Reading the sources
------------------------------------------------------------------------------

-- A json context that PostgreSQL cannot convert to jsonb (a \u0000 escape,
-- a number out of numeric range) counts as absent, so its run is
-- unparseable and the call goes on.
CREATE FUNCTION coverage_oracle.as_jsonb(context jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT context $$;

CREATE FUNCTION coverage_oracle.as_jsonb(context json)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN context::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;

-- The runs with the column types the rest of this file expects. A
-- timestamp without time zone becomes timestamptz in the session TimeZone,
-- as PostgreSQL's own cast reads it. The ids keep their integer type, so
-- that comparing them with a bigint can still use an index; results cast
-- them to bigint.
CREATE VIEW coverage_oracle.runs AS
SELECT r.id,
       r.tenant_id,
       r.type::text AS type,
       r.status::text AS status,
       r.outcome::text AS outcome,
       coverage_oracle.as_jsonb(r.context) AS context,
       r.completed_at::timestamptz AS completed_at
FROM public.operation_runs AS r;

-- Runs that may serve as a basis: completed inventory syncs.
CREATE VIEW coverage_oracle.candidates AS
SELECT r.id, r.tenant_id, r.outcome, r.context, r.completed_at
FROM coverage_oracle.runs AS r
WHERE r.type = 'inventory_sync'
  AND r.status = 'completed';

------------------------------------------------------------------------------
-- Payload parser
------------------------------------------------------------------------------

-- True when context -> inventory -> coverage is an object holding
-- policy_types or foundation_types as an object or an array.
CREATE FUNCTION coverage_oracle.coverage_is_parseable(context jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(
    pg_catalog.jsonb_typeof(context) = 'object'
    AND pg_catalog.jsonb_typeof(context -> 'inventory') = 'object'
    AND pg_catalog.jsonb_typeof(context -> 'inventory' -> 'coverage') = 'object'
    AND (pg_catalog.jsonb_typeof(context -> 'inventory' -> 'coverage' -> 'policy_types')
           IN ('object', 'array')
         OR pg_catalog.jsonb_typeof(context -> 'inventory' -> 'coverage' -> 'foundation_types')
           IN ('object', 'array')),
    false)
$$;

-- Returns the status of an entry, or NULL when the entry is not accepted.
-- An accepted entry is an object whose status is a JSON string equal to
-- succeeded, failed or skipped after trimming JSON white space and folding
-- ASCII letters. translate() folds only ASCII letters, because lower()
-- would also fold non-ASCII lookalikes such as the Kelvin sign.
CREATE FUNCTION coverage_oracle.entry_status(entry jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN pg_catalog.jsonb_typeof(entry -> 'status') = 'string' THEN
    CASE pg_catalog.translate(pg_catalog.btrim(entry ->> 'status', E' \t\n\r'),
                              'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                              'abcdefghijklmnopqrstuvwxyz')
      WHEN 'succeeded' THEN 'succeeded'
      WHEN 'failed' THEN 'failed'
      WHEN 'skipped' THEN 'skipped'
    END
  END
$$;

-- item_count when it is a JSON number with an integral value in bigint's
-- non-negative range, else NULL.
CREATE FUNCTION coverage_oracle.entry_item_count(entry jsonb)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN pg_catalog.jsonb_typeof(entry -> 'item_count') = 'number' THEN
    CASE WHEN (entry -> 'item_count')::numeric BETWEEN 0 AND 9223372036854775807
          AND (entry -> 'item_count')::numeric
              = pg_catalog.trunc((entry -> 'item_count')::numeric)
      THEN (entry -> 'item_count')::numeric::bigint
    END
  END
$$;

-- error_code when it is a non-empty JSON string and the status is not
-- succeeded, else NULL.
CREATE FUNCTION coverage_oracle.entry_error_code(entry jsonb, status text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN status <> 'succeeded'
               AND pg_catalog.jsonb_typeof(entry -> 'error_code') = 'string'
               AND (entry ->> 'error_code') <> ''
    THEN entry ->> 'error_code'
  END
$$;

-- One row per list and type: the last accepted entry of the list for that
-- type. The -> operator yields NULL through anything that is not an object,
-- so an unparseable context has no lists and returns no rows.
CREATE FUNCTION coverage_oracle.parse_coverage(
  context jsonb,
  OUT segment coverage_truth.type_segment,
  OUT type text,
  OUT status coverage_truth.coverage_state,
  OUT item_count bigint,
  OUT error_code text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT DISTINCT ON (e.list_order, e.type COLLATE "C")
         e.segment,
         e.type,
         e.status::coverage_truth.coverage_state,
         coverage_oracle.entry_item_count(e.entry),
         coverage_oracle.entry_error_code(e.entry, e.status)
  FROM (
    SELECT l.segment, l.list_order, x.type, x.position, x.entry,
           coverage_oracle.entry_status(x.entry) AS status
    FROM (VALUES ('policy'::coverage_truth.type_segment, 1, 'policy_types'),
                 ('foundation'::coverage_truth.type_segment, 2, 'foundation_types'))
           AS l(segment, list_order, key)
    CROSS JOIN LATERAL (SELECT context -> 'inventory' -> 'coverage' -> l.key AS list) AS c
    CROSS JOIN LATERAL (
      -- object form: the key is the type
      SELECT o.key AS type, 0::bigint AS position, o.value AS entry
      FROM pg_catalog.jsonb_each(CASE WHEN pg_catalog.jsonb_typeof(c.list) = 'object'
                                      THEN c.list ELSE '{}'::jsonb END) AS o
      UNION ALL
      -- array form: the type member, a JSON string, is the type
      SELECT a.value ->> 'type', a.position, a.value
      FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(c.list) = 'array'
                                                THEN c.list ELSE '[]'::jsonb END)
             WITH ORDINALITY AS a(value, position)
      WHERE pg_catalog.jsonb_typeof(a.value -> 'type') = 'string'
    ) AS x
  ) AS e
  WHERE e.status IS NOT NULL
    AND e.type <> ''
  ORDER BY e.list_order, e.type COLLATE "C", e.position DESC
$$;

------------------------------------------------------------------------------
-- States per catalog type
------------------------------------------------------------------------------

-- The state every catalog type has in one payload, in catalog order. A
-- type reported in both lists takes the entry of its own segment's list.
-- A NULL or unparseable context makes every type unknown.
CREATE FUNCTION coverage_oracle.type_states(context jsonb)
RETURNS TABLE (
  type text,
  segment coverage_truth.type_segment,
  label text,
  category text,
  platform text,
  restore_mode text,
  risk_level text,
  supports_dependencies boolean,
  sort_order integer,
  state coverage_truth.coverage_state,
  item_count bigint,
  error_code text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  WITH chosen AS (
    SELECT DISTINCT ON (p.type) p.type, p.status, p.item_count, p.error_code
    FROM coverage_oracle.parse_coverage(context) AS p
    JOIN coverage_truth.supported_types AS s ON s.type = p.type
    ORDER BY p.type, (p.segment = s.segment) DESC
  )
  SELECT st.type, st.segment, st.label, st.category, st.platform,
         st.restore_mode, st.risk_level, st.supports_dependencies, st.sort_order,
         coalesce(c.status, 'unknown'), c.item_count, c.error_code
  FROM coverage_truth.supported_types AS st
  LEFT JOIN chosen AS c ON c.type = st.type
  ORDER BY st.segment, st.sort_order, st.type COLLATE "C"
$$;

------------------------------------------------------------------------------
-- Basis run
------------------------------------------------------------------------------

-- The tenant's current basis: the first parseable candidate, newest first.
CREATE FUNCTION coverage_oracle.current_basis(tenant_id bigint)
RETURNS SETOF coverage_oracle.candidates
LANGUAGE sql STABLE
AS $$
  SELECT c.*
  FROM coverage_oracle.candidates AS c
  WHERE c.tenant_id = $1
    AND coverage_oracle.coverage_is_parseable(c.context)
  ORDER BY c.completed_at DESC NULLS LAST, c.id DESC
  LIMIT 1
$$;

-- The basis as it stood at a moment: the newest parseable candidate
-- completed at or before it.
CREATE FUNCTION coverage_oracle.basis_at(tenant_id bigint, at timestamptz)
RETURNS SETOF coverage_oracle.candidates
LANGUAGE sql STABLE
AS $$
  SELECT c.*
  FROM coverage_oracle.candidates AS c
  WHERE c.tenant_id = $1
    AND c.completed_at <= $2
    AND coverage_oracle.coverage_is_parseable(c.context)
  ORDER BY c.completed_at DESC, c.id DESC
  LIMIT 1
$$;

CREATE FUNCTION coverage_oracle.stale_after()
RETURNS interval
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(NULLIF(pg_catalog.current_setting('coverage_truth.stale_after', true), ''),
                  '26 hours')::interval
$$;

------------------------------------------------------------------------------
-- Per-tenant results
------------------------------------------------------------------------------

-- Rows of one tenant for a given basis (NULL when there is none).
-- with_items false gives NULL observed counts, for the *_at functions.
CREATE FUNCTION coverage_oracle.coverage_rows(
  tenant_id bigint,
  basis coverage_oracle.candidates,
  with_items boolean,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE
AS $$
  SELECT $1, s.type, s.segment, s.label, s.category, s.platform,
         s.state, s.state <> 'succeeded',
         CASE WHEN $3 THEN coalesce(o.n, 0) END,
         s.item_count, s.error_code,
         s.restore_mode, s.risk_level, s.supports_dependencies, ($2).id::bigint
  FROM coverage_oracle.type_states(($2).context) AS s
  LEFT JOIN (SELECT i.policy_type::text COLLATE "C" AS type, pg_catalog.count(*) AS n
             FROM public.inventory_items AS i
             WHERE $3 AND i.tenant_id = $1
             GROUP BY 1) AS o ON o.type = s.type COLLATE "C"
  ORDER BY s.segment, s.sort_order, s.type COLLATE "C"
$$;

-- The summary row of one tenant for a given basis, its age measured at
-- measured_at; observed is the item total (NULL for the *_at functions).
CREATE FUNCTION coverage_oracle.summary_row(
  tenant_id bigint,
  basis coverage_oracle.candidates,
  observed bigint,
  measured_at timestamptz,
  OUT tenant_id bigint,
  OUT basis_run_id bigint,
  OUT basis_run_outcome text,
  OUT basis_completed_at timestamptz,
  OUT has_current_coverage_result boolean,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer,
  OUT observed_item_total bigint,
  OUT calm_claim_allowed boolean,
  OUT basis_age interval,
  OUT basis_is_stale boolean)
RETURNS SETOF record
LANGUAGE sql STABLE
AS $$
  SELECT $1, ($2).id::bigint, ($2).outcome, ($2).completed_at, ($2).id IS NOT NULL,
         c.supported, c.succeeded, c.failed, c.skipped, c.unknown,
         c.supported - c.succeeded,
         $3,
         ($2).id IS NOT NULL AND c.supported > 0 AND c.supported = c.succeeded,
         $4 - ($2).completed_at,
         coalesce($4 - ($2).completed_at > coverage_oracle.stale_after(), true)
  FROM (SELECT pg_catalog.count(*)::integer AS supported,
               (pg_catalog.count(*) FILTER (WHERE s.state = 'succeeded'))::integer AS succeeded,
               (pg_catalog.count(*) FILTER (WHERE s.state = 'failed'))::integer AS failed,
               (pg_catalog.count(*) FILTER (WHERE s.state = 'skipped'))::integer AS skipped,
               (pg_catalog.count(*) FILTER (WHERE s.state = 'unknown'))::integer AS unknown
        FROM coverage_oracle.type_states(($2).context) AS s) AS c
$$;

CREATE FUNCTION coverage_oracle.tenant_coverage(
  tenant_id bigint,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
  FROM coverage_oracle.coverage_rows(
         $1, (SELECT b FROM coverage_oracle.current_basis($1) AS b), true) AS r
$$;

CREATE FUNCTION coverage_oracle.tenant_coverage_summary(
  tenant_id bigint,
  OUT tenant_id bigint,
  OUT basis_run_id bigint,
  OUT basis_run_outcome text,
  OUT basis_completed_at timestamptz,
  OUT has_current_coverage_result boolean,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer,
  OUT observed_item_total bigint,
  OUT calm_claim_allowed boolean,
  OUT basis_age interval,
  OUT basis_is_stale boolean)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.*
  FROM coverage_oracle.summary_row(
         $1,
         (SELECT b FROM coverage_oracle.current_basis($1) AS b),
         (SELECT count(*)
          FROM public.inventory_items AS i
          JOIN coverage_truth.supported_types AS st ON st.type = i.policy_type COLLATE "C"
          WHERE i.tenant_id = $1),
         now()) AS s
$$;

------------------------------------------------------------------------------
-- Fleet results, set-based: one pass over the candidates, one over the items
------------------------------------------------------------------------------

-- Per-type rows of many tenants plus the basis columns the summary needs.
CREATE FUNCTION coverage_oracle.fleet_rows(
  tenant_ids bigint[],
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint,
  OUT sort_order integer)
RETURNS SETOF record
LANGUAGE sql STABLE
AS $$
  WITH tenants AS (
    SELECT DISTINCT u.tenant_id
    FROM pg_catalog.unnest($1) AS u(tenant_id)
    WHERE $1 IS NOT NULL AND u.tenant_id IS NOT NULL
    UNION
    SELECT r.tenant_id::bigint FROM public.operation_runs AS r
    WHERE $1 IS NULL AND r.tenant_id IS NOT NULL
    UNION
    SELECT i.tenant_id::bigint FROM public.inventory_items AS i
    WHERE $1 IS NULL AND i.tenant_id IS NOT NULL
  ),
  basis AS (
    SELECT DISTINCT ON (c.tenant_id) c.tenant_id::bigint AS tenant_id, c.id::bigint AS id, c.context
    FROM coverage_oracle.candidates AS c
    JOIN tenants AS t ON t.tenant_id = c.tenant_id
    WHERE coverage_oracle.coverage_is_parseable(c.context)
    ORDER BY c.tenant_id, c.completed_at DESC NULLS LAST, c.id DESC
  ),
  chosen AS (
    SELECT DISTINCT ON (b.tenant_id, p.type)
           b.tenant_id, p.type, p.status, p.item_count, p.error_code
    FROM basis AS b
    CROSS JOIN LATERAL coverage_oracle.parse_coverage(b.context) AS p
    JOIN coverage_truth.supported_types AS s ON s.type = p.type
    ORDER BY b.tenant_id, p.type, (p.segment = s.segment) DESC
  ),
  observed AS (
    SELECT i.tenant_id::bigint AS tenant_id, i.policy_type::text COLLATE "C" AS type,
           pg_catalog.count(*) AS n
    FROM public.inventory_items AS i
    JOIN tenants AS t ON t.tenant_id = i.tenant_id
    GROUP BY 1, 2
  )
  SELECT t.tenant_id, st.type, st.segment, st.label, st.category, st.platform,
         coalesce(c.status, 'unknown'), coalesce(c.status, 'unknown') <> 'succeeded',
         coalesce(o.n, 0), c.item_count, c.error_code,
         st.restore_mode, st.risk_level, st.supports_dependencies, b.id,
         st.sort_order
  FROM tenants AS t
  CROSS JOIN coverage_truth.supported_types AS st
  LEFT JOIN basis AS b ON b.tenant_id = t.tenant_id
  LEFT JOIN chosen AS c ON c.tenant_id = t.tenant_id AND c.type = st.type
  LEFT JOIN observed AS o ON o.tenant_id = t.tenant_id AND o.type = st.type COLLATE "C"
  ORDER BY t.tenant_id, st.segment, st.sort_order, st.type COLLATE "C"
$$;

CREATE FUNCTION coverage_oracle.fleet_coverage(
  tenant_ids bigint[] DEFAULT NULL,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT f.tenant_id, f.type, f.segment, f.label, f.category, f.platform,
         f.coverage_state, f.follow_up_required, f.observed_item_count,
         f.basis_item_count, f.basis_error_code, f.restore_mode, f.risk_level,
         f.supports_dependencies, f.basis_run_id
  FROM coverage_oracle.fleet_rows($1) AS f
  ORDER BY f.tenant_id, f.segment, f.sort_order, f.type COLLATE "C"
$$;

CREATE FUNCTION coverage_oracle.fleet_coverage_summary(
  tenant_ids bigint[] DEFAULT NULL,
  OUT tenant_id bigint,
  OUT basis_run_id bigint,
  OUT basis_run_outcome text,
  OUT basis_completed_at timestamptz,
  OUT has_current_coverage_result boolean,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer,
  OUT observed_item_total bigint,
  OUT calm_claim_allowed boolean,
  OUT basis_age interval,
  OUT basis_is_stale boolean)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH tenants AS (
    SELECT DISTINCT u.tenant_id
    FROM unnest($1) AS u(tenant_id)
    WHERE $1 IS NOT NULL AND u.tenant_id IS NOT NULL
    UNION
    SELECT r.tenant_id::bigint FROM public.operation_runs AS r
    WHERE $1 IS NULL AND r.tenant_id IS NOT NULL
    UNION
    SELECT i.tenant_id::bigint FROM public.inventory_items AS i
    WHERE $1 IS NULL AND i.tenant_id IS NOT NULL
  ),
  basis AS (
    SELECT DISTINCT ON (c.tenant_id) c.tenant_id::bigint AS tenant_id, c.id::bigint AS id,
           c.outcome, c.completed_at, c.context
    FROM coverage_oracle.candidates AS c
    JOIN tenants AS t ON t.tenant_id = c.tenant_id
    WHERE coverage_oracle.coverage_is_parseable(c.context)
    ORDER BY c.tenant_id, c.completed_at DESC NULLS LAST, c.id DESC
  ),
  chosen AS (
    SELECT DISTINCT ON (b.tenant_id, p.type) b.tenant_id, p.type, p.status
    FROM basis AS b
    CROSS JOIN LATERAL coverage_oracle.parse_coverage(b.context) AS p
    JOIN coverage_truth.supported_types AS s ON s.type = p.type
    ORDER BY b.tenant_id, p.type, (p.segment = s.segment) DESC
  ),
  counts AS (
    SELECT c.tenant_id,
           (count(*) FILTER (WHERE c.status = 'succeeded'))::integer AS succeeded,
           (count(*) FILTER (WHERE c.status = 'failed'))::integer AS failed,
           (count(*) FILTER (WHERE c.status = 'skipped'))::integer AS skipped
    FROM chosen AS c
    GROUP BY c.tenant_id
  ),
  observed AS (
    SELECT i.tenant_id::bigint AS tenant_id, count(*) AS n
    FROM public.inventory_items AS i
    JOIN tenants AS t ON t.tenant_id = i.tenant_id
    JOIN coverage_truth.supported_types AS st ON st.type = i.policy_type COLLATE "C"
    GROUP BY i.tenant_id
  ),
  catalog AS (
    SELECT count(*)::integer AS n FROM coverage_truth.supported_types
  )
  SELECT t.tenant_id, b.id, b.outcome, b.completed_at, b.id IS NOT NULL,
         k.n,
         coalesce(c.succeeded, 0),
         coalesce(c.failed, 0),
         coalesce(c.skipped, 0),
         k.n - coalesce(c.succeeded + c.failed + c.skipped, 0),
         k.n - coalesce(c.succeeded, 0),
         coalesce(o.n, 0),
         b.id IS NOT NULL AND k.n > 0 AND k.n = coalesce(c.succeeded, 0),
         now() - b.completed_at,
         coalesce(now() - b.completed_at > coverage_oracle.stale_after(), true)
  FROM tenants AS t
  CROSS JOIN catalog AS k
  LEFT JOIN basis AS b ON b.tenant_id = t.tenant_id
  LEFT JOIN counts AS c ON c.tenant_id = t.tenant_id
  LEFT JOIN observed AS o ON o.tenant_id = t.tenant_id
  ORDER BY t.tenant_id
$$;

------------------------------------------------------------------------------
-- Run detail
------------------------------------------------------------------------------

CREATE FUNCTION coverage_oracle.run_coverage(
  run_id bigint,
  OUT run_id bigint,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT item_count bigint,
  OUT error_code text,
  OUT run_is_basis boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.id::bigint, r.tenant_id::bigint, s.type, s.segment, s.label, s.state,
         s.item_count, s.error_code,
         coalesce(b.id = r.id, false), b.id::bigint
  FROM coverage_oracle.runs AS r
  CROSS JOIN LATERAL coverage_oracle.type_states(r.context) AS s
  LEFT JOIN LATERAL coverage_oracle.current_basis(r.tenant_id) AS b ON true
  WHERE r.id = $1
  ORDER BY s.segment, s.sort_order, s.type COLLATE "C"
$$;

------------------------------------------------------------------------------
-- Time, change and freshness
------------------------------------------------------------------------------

CREATE FUNCTION coverage_oracle.tenant_coverage_at(
  tenant_id bigint,
  at timestamptz,
  OUT tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT label text,
  OUT category text,
  OUT platform text,
  OUT coverage_state coverage_truth.coverage_state,
  OUT follow_up_required boolean,
  OUT observed_item_count bigint,
  OUT basis_item_count bigint,
  OUT basis_error_code text,
  OUT restore_mode text,
  OUT risk_level text,
  OUT supports_dependencies boolean,
  OUT basis_run_id bigint)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
  FROM coverage_oracle.coverage_rows(
         $1, (SELECT b FROM coverage_oracle.basis_at($1, $2) AS b), false) AS r
$$;

CREATE FUNCTION coverage_oracle.tenant_coverage_summary_at(
  tenant_id bigint,
  at timestamptz,
  OUT tenant_id bigint,
  OUT basis_run_id bigint,
  OUT basis_run_outcome text,
  OUT basis_completed_at timestamptz,
  OUT has_current_coverage_result boolean,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer,
  OUT observed_item_total bigint,
  OUT calm_claim_allowed boolean,
  OUT basis_age interval,
  OUT basis_is_stale boolean)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.*
  FROM coverage_oracle.summary_row(
         $1, (SELECT b FROM coverage_oracle.basis_at($1, $2) AS b), NULL, $2) AS s
$$;

-- Per catalog type, the states of two payloads and the change between them.
CREATE FUNCTION coverage_oracle.state_changes(
  from_context jsonb,
  to_context jsonb,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT from_state coverage_truth.coverage_state,
  OUT to_state coverage_truth.coverage_state,
  OUT change text)
RETURNS SETOF record
LANGUAGE sql STABLE
AS $$
  SELECT f.type, f.segment, f.state, t.state,
         CASE
           WHEN f.state = 'succeeded' AND t.state <> 'succeeded' THEN 'regressed'
           WHEN t.state = 'succeeded' AND f.state <> 'succeeded' THEN 'recovered'
           WHEN f.state <> t.state THEN 'changed'
           ELSE 'unchanged'
         END
  FROM coverage_oracle.type_states($1) AS f
  JOIN coverage_oracle.type_states($2) AS t ON t.type = f.type
  ORDER BY f.segment, f.sort_order, f.type COLLATE "C"
$$;

CREATE FUNCTION coverage_oracle.run_coverage_diff(
  from_run_id bigint,
  to_run_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT from_state coverage_truth.coverage_state,
  OUT to_state coverage_truth.coverage_state,
  OUT change text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  from_run coverage_oracle.runs;
  to_run coverage_oracle.runs;
  from_found boolean;
BEGIN
  SELECT * INTO from_run FROM coverage_oracle.runs AS r WHERE r.id = from_run_id;
  from_found := FOUND;
  SELECT * INTO to_run FROM coverage_oracle.runs AS r WHERE r.id = to_run_id;
  IF from_found AND FOUND AND from_run.tenant_id IS DISTINCT FROM to_run.tenant_id THEN
    RAISE EXCEPTION 'runs % and % belong to different tenants (% and %)',
      from_run_id, to_run_id, from_run.tenant_id, to_run.tenant_id
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Compare two runs of one tenant.';
  END IF;
  RETURN QUERY
    SELECT d.* FROM coverage_oracle.state_changes(from_run.context, to_run.context) AS d;
END
$$;

CREATE FUNCTION coverage_oracle.tenant_coverage_changes(
  tenant_id bigint,
  since timestamptz,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT from_state coverage_truth.coverage_state,
  OUT to_state coverage_truth.coverage_state,
  OUT change text)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT d.*
  FROM coverage_oracle.state_changes(
         (SELECT b.context FROM coverage_oracle.basis_at($1, $2) AS b),
         (SELECT b.context FROM coverage_oracle.current_basis($1) AS b)) AS d
$$;

CREATE FUNCTION coverage_oracle.tenant_last_success(
  tenant_id bigint,
  OUT type text,
  OUT segment coverage_truth.type_segment,
  OUT last_succeeded_run_id bigint,
  OUT last_succeeded_at timestamptz,
  OUT parseable_runs_since bigint)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  WITH parseable AS (
    SELECT c.id, c.completed_at, c.context,
           row_number() OVER (ORDER BY c.completed_at DESC NULLS LAST, c.id DESC) - 1 AS newer
    FROM coverage_oracle.candidates AS c
    WHERE c.tenant_id = $1
      AND coverage_oracle.coverage_is_parseable(c.context)
  ),
  last_success AS (
    SELECT DISTINCT ON (s.type) s.type, p.id, p.completed_at, p.newer
    FROM parseable AS p
    CROSS JOIN LATERAL coverage_oracle.type_states(p.context) AS s
    WHERE s.state = 'succeeded'
    ORDER BY s.type, p.newer
  )
  SELECT st.type, st.segment, l.id::bigint, l.completed_at, l.newer
  FROM coverage_truth.supported_types AS st
  LEFT JOIN last_success AS l ON l.type = st.type
  ORDER BY st.segment, st.sort_order, st.type COLLATE "C"
$$;

CREATE FUNCTION coverage_oracle.tenant_coverage_history(
  tenant_id bigint,
  from_at timestamptz,
  to_at timestamptz,
  OUT run_id bigint,
  OUT completed_at timestamptz,
  OUT outcome text,
  OUT supported_type_count integer,
  OUT succeeded_type_count integer,
  OUT failed_type_count integer,
  OUT skipped_type_count integer,
  OUT unknown_type_count integer,
  OUT follow_up_type_count integer)
RETURNS SETOF record
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT c.id::bigint, c.completed_at, c.outcome,
         n.supported, n.succeeded, n.failed, n.skipped, n.unknown,
         n.supported - n.succeeded
  FROM coverage_oracle.candidates AS c
  CROSS JOIN LATERAL (
    SELECT count(*)::integer AS supported,
           (count(*) FILTER (WHERE s.state = 'succeeded'))::integer AS succeeded,
           (count(*) FILTER (WHERE s.state = 'failed'))::integer AS failed,
           (count(*) FILTER (WHERE s.state = 'skipped'))::integer AS skipped,
           (count(*) FILTER (WHERE s.state = 'unknown'))::integer AS unknown
    FROM coverage_oracle.type_states(c.context) AS s
  ) AS n
  WHERE c.tenant_id = $1
    AND c.completed_at BETWEEN $2 AND $3
    AND coverage_oracle.coverage_is_parseable(c.context)
  ORDER BY c.completed_at, c.id
$$;
