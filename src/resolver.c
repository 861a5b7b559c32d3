/*-------------------------------------------------------------------------
 *
 * resolver.c
 *	  Basis run selection and the per-type coverage of one tenant.
 *
 * All reads of one call go through SPI with read_only = true, so they share
 * the caller's snapshot: the catalog, the basis run and the item counts
 * always come from the same moment.  The basis search reads candidate runs
 * newest first through a cursor, one row at a time, and stops at the first
 * parseable payload, so no other run's context is fetched or detoasted.
 * Each candidate's payload lives in a scratch context that is reset before
 * the next one, so memory stays bounded by the catalog and one payload.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/int.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "coverage_truth.h"

/* Result columns of the catalog query. */
enum
{
	CATALOG_TYPE = 1,
	CATALOG_SEGMENT,
	CATALOG_LABEL,
	CATALOG_CATEGORY,
	CATALOG_PLATFORM,
	CATALOG_RESTORE_MODE,
	CATALOG_RISK_LEVEL,
	CATALOG_SUPPORTS_DEPENDENCIES,
	CATALOG_IS_POLICY
};

/* Offsets of the candidate columns after the first one (sources.c). */
enum
{
	CANDIDATE_ID = 0,
	CANDIDATE_OUTCOME,
	CANDIDATE_COMPLETED_AT,
	CANDIDATE_CONTEXT
};

static const char *const catalog_sql =
"SELECT s.type, s.segment, s.label, s.category, s.platform,"
" s.restore_mode, s.risk_level, s.supports_dependencies,"
" s.segment OPERATOR(pg_catalog.=) 'policy'::coverage_truth.type_segment"
" FROM coverage_truth.supported_types AS s"
" ORDER BY s.segment, s.sort_order, s.type COLLATE \"C\"";

/* A payload's last accepted entry for one list and catalog type. */
typedef struct PayloadSlot
{
	bool		found;
	CoverageState status;
	bool		has_item_count;
	int64		item_count;
	const char *error_code;
	int			error_code_len;
} PayloadSlot;

/* State of one walk over a payload. */
typedef struct SlotCollector
{
	const Catalog *catalog;
	PayloadSlot *slots;			/* [list * type_count + catalog index] */
} SlotCollector;

static SPIPlanPtr catalog_plan = NULL;

static void find_basis(TenantCoverage *tenant, const Sources *sources,
					   SourcePlanKind kind, TimestampTz at,
					   MemoryContext result_context);
static void build_lookup_order(Catalog *catalog);
static Jsonb *convert_json_context(text *json);
static void collect_entry(const CoverageEntry *entry, void *arg);
static void count_items(TenantCoverage *tenant);

/*
 * Derive the coverage of one tenant: the catalog, its basis run and the
 * observed item counts.  The result is allocated in the caller's memory
 * context.
 */
TenantCoverage *
coverage_truth_resolve_tenant(int64 tenant_id)
{
	MemoryContext result_context = CurrentMemoryContext;
	TenantCoverage *tenant = palloc0(sizeof(TenantCoverage));
	Sources		sources;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	coverage_truth_init_tenant(tenant, coverage_truth_load_catalog(result_context),
							   tenant_id, result_context);
	find_basis(tenant, &sources, PLAN_TENANT_BASIS, 0, result_context);
	count_items(tenant);

	SPI_finish();
	return tenant;
}

/*
 * Derive the coverage of one tenant as it stood at a moment: the basis is
 * the newest candidate completed at or before it.  Item tables hold only
 * the present, so the observed counts are left unknown.
 */
TenantCoverage *
coverage_truth_resolve_tenant_at(int64 tenant_id, TimestampTz at)
{
	MemoryContext result_context = CurrentMemoryContext;
	TenantCoverage *tenant = palloc0(sizeof(TenantCoverage));
	Sources		sources;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	coverage_truth_init_tenant(tenant, coverage_truth_load_catalog(result_context),
							   tenant_id, result_context);
	find_basis(tenant, &sources, PLAN_TENANT_BASIS_AT, at, result_context);
	tenant->has_observed_counts = false;
	tenant->has_as_of = true;
	tenant->as_of = at;

	SPI_finish();
	return tenant;
}

/*
 * Derive what one run's own payload reports for every catalog type, and its
 * tenant's current basis.  Returns false when no run has this id.
 */
bool
coverage_truth_resolve_run(int64 run_id, RunCoverage *run)
{
	MemoryContext result_context = CurrentMemoryContext;
	Datum		arguments[1] = {Int64GetDatum(run_id)};
	Sources		sources;
	const Catalog *catalog;
	Portal		portal;
	bool		isnull;
	Datum		value;

	memset(run, 0, sizeof(RunCoverage));
	run->run_id = run_id;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	catalog = coverage_truth_load_catalog(result_context);

	/* A missing run still gets every catalog type, all unknown. */
	coverage_truth_init_tenant(&run->own, catalog, 0, result_context);
	coverage_truth_init_tenant(&run->tenant, catalog, 0, result_context);

	portal = SPI_cursor_open(NULL, coverage_truth_source_plan(PLAN_RUN),
							 arguments, NULL, true);
	SPI_cursor_fetch(portal, true, 2);
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("run id " INT64_FORMAT " matches more than one row of the relation named by setting \"%s\"",
						run_id, RUNS_RELATION_SETTING),
				 errhint("Run ids must be unique; point the setting at a relation or view where they are.")));

	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	descriptor = SPI_tuptable->tupdesc;
		int64		tenant_id;
		CoveragePayload payload;
		Jsonb	   *context = NULL;

		run->found = true;
		value = SPI_getbinval(tuple, descriptor, 1, &isnull);
		run->has_tenant = !isnull;
		tenant_id = isnull ? 0 : DatumGetInt64(value);

		run->own.tenant_id = tenant_id;
		value = SPI_getbinval(tuple, descriptor, 2, &isnull);
		if (!isnull)
			context = coverage_truth_read_context(value, sources.context_is_json);
		if (coverage_payload_open(context, &payload))
			coverage_truth_apply_payload(run->own.coverage, catalog, &payload,
										 result_context);

		run->tenant.tenant_id = tenant_id;
		if (run->has_tenant)
			find_basis(&run->tenant, &sources, PLAN_TENANT_BASIS, 0, result_context);
	}
	SPI_cursor_close(portal);

	SPI_finish();
	return run->found;
}

/*
 * Walk the tenant's candidate runs newest first, one row per fetch so no
 * later run is read at all, until one has a parseable payload.  kind is
 * PLAN_TENANT_BASIS, or PLAN_TENANT_BASIS_AT with its moment in at.
 */
static void
find_basis(TenantCoverage *tenant, const Sources *sources, SourcePlanKind kind,
		   TimestampTz at, MemoryContext result_context)
{
	Datum		arguments[2] = {Int64GetDatum(tenant->tenant_id),
	TimestampTzGetDatum(at)};
	MemoryContext scratch;
	Portal		portal;

	scratch = AllocSetContextCreate(CurrentMemoryContext,
									"coverage_truth payload",
									ALLOCSET_DEFAULT_SIZES);
	portal = SPI_cursor_open(NULL, coverage_truth_source_plan(kind),
							 arguments, NULL, true);
	while (!tenant->has_basis)
	{
		SPI_cursor_fetch(portal, true, 1);
		if (SPI_processed == 0)
			break;

		coverage_truth_examine_candidate(tenant, SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1,
										 sources->context_is_json,
										 scratch, result_context);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(scratch);
}

/*
 * Read the catalog in result order and copy it into result_context.  The
 * caller must be connected to SPI.
 */
Catalog *
coverage_truth_load_catalog(MemoryContext result_context)
{
	MemoryContext spi_context;
	TupleDesc	descriptor;
	Catalog    *catalog;
	int			ret;

	if (catalog_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(catalog_sql, 0, NULL);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "coverage_truth: could not prepare the catalog query: %s",
				 SPI_result_code_string(SPI_result));
		catalog_plan = plan;
	}

	ret = SPI_execute_plan(catalog_plan, NULL, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "coverage_truth: catalog query failed: %s",
			 SPI_result_code_string(ret));

	descriptor = SPI_tuptable->tupdesc;
	spi_context = MemoryContextSwitchTo(result_context);

	catalog = palloc0(sizeof(Catalog));
	catalog->type_count = (int) SPI_processed;
	catalog->types = palloc0(sizeof(CatalogType) * Max(catalog->type_count, 1));

	for (int i = 0; i < catalog->type_count; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		CatalogType *type = &catalog->types[i];
		bool		isnull;
		Datum		value;

		type->type = TextDatumGetCString(SPI_getbinval(tuple, descriptor, CATALOG_TYPE, &isnull));
		type->type_len = strlen(type->type);
		type->segment_value = SPI_getbinval(tuple, descriptor, CATALOG_SEGMENT, &isnull);
		type->segment = DatumGetBool(SPI_getbinval(tuple, descriptor, CATALOG_IS_POLICY, &isnull)) ?
			SEGMENT_POLICY : SEGMENT_FOUNDATION;
		type->label = DatumGetTextPCopy(SPI_getbinval(tuple, descriptor, CATALOG_LABEL, &isnull));
		type->category = DatumGetTextPCopy(SPI_getbinval(tuple, descriptor, CATALOG_CATEGORY, &isnull));

		value = SPI_getbinval(tuple, descriptor, CATALOG_PLATFORM, &isnull);
		type->platform = isnull ? NULL : DatumGetTextPCopy(value);
		value = SPI_getbinval(tuple, descriptor, CATALOG_RESTORE_MODE, &isnull);
		type->restore_mode = isnull ? NULL : DatumGetTextPCopy(value);
		value = SPI_getbinval(tuple, descriptor, CATALOG_RISK_LEVEL, &isnull);
		type->risk_level = isnull ? NULL : DatumGetTextPCopy(value);

		type->supports_dependencies =
			DatumGetBool(SPI_getbinval(tuple, descriptor, CATALOG_SUPPORTS_DEPENDENCIES, &isnull));
	}
	build_lookup_order(catalog);

	MemoryContextSwitchTo(spi_context);
	SPI_freetuptable(SPI_tuptable);
	return catalog;
}

/* Order type keys by their bytes, shorter keys first on ties. */
static int
compare_type_keys(const char *a, int a_len, const char *b, int b_len)
{
	int			result = memcmp(a, b, Min(a_len, b_len));

	if (result != 0)
		return result;
	return (a_len > b_len) - (a_len < b_len);
}

static int
compare_catalog_indexes(const void *a, const void *b, void *arg)
{
	const Catalog *catalog = arg;
	const CatalogType *left = &catalog->types[*(const int *) a];
	const CatalogType *right = &catalog->types[*(const int *) b];

	return compare_type_keys(left->type, left->type_len,
							 right->type, right->type_len);
}

/*
 * Payload keys and item types are matched to catalog types by exact bytes,
 * through binary search over this order.
 */
static void
build_lookup_order(Catalog *catalog)
{
	catalog->lookup_order = palloc(sizeof(int) * Max(catalog->type_count, 1));
	for (int i = 0; i < catalog->type_count; i++)
		catalog->lookup_order[i] = i;
	qsort_arg(catalog->lookup_order, catalog->type_count, sizeof(int),
			  compare_catalog_indexes, catalog);
}

/* Return the catalog index of a type key, or -1 when it is not supported. */
int
coverage_truth_find_type(const Catalog *catalog, const char *type, int type_len)
{
	int			low = 0;
	int			high = catalog->type_count - 1;

	while (low <= high)
	{
		int			middle = low + (high - low) / 2;
		const CatalogType *candidate = &catalog->types[catalog->lookup_order[middle]];
		int			cmp = compare_type_keys(candidate->type, candidate->type_len,
											type, type_len);

		if (cmp == 0)
			return catalog->lookup_order[middle];
		if (cmp < 0)
			low = middle + 1;
		else
			high = middle - 1;
	}
	return -1;
}

/*
 * Start a tenant with no basis: every catalog type unknown.  The per-type
 * array is allocated in result_context.
 */
void
coverage_truth_init_tenant(TenantCoverage *tenant, const Catalog *catalog,
						   int64 tenant_id, MemoryContext result_context)
{
	memset(tenant, 0, sizeof(TenantCoverage));
	tenant->tenant_id = tenant_id;
	tenant->catalog = catalog;
	tenant->has_observed_counts = true;
	tenant->coverage = MemoryContextAllocZero(result_context,
											  sizeof(TypeCoverage) * Max(catalog->type_count, 1));
	for (int i = 0; i < catalog->type_count; i++)
		tenant->coverage[i].state = COVERAGE_UNKNOWN;
}

/*
 * Examine one candidate run, whose id, outcome, completed_at and context
 * are the four columns from first_column on.  When its payload is
 * parseable it becomes the tenant's basis and true is returned.  The
 * payload is read in scratch, which is reset before returning, so only the
 * per-type results, copied into result_context, outlive the call.
 */
bool
coverage_truth_examine_candidate(TenantCoverage *tenant, HeapTuple tuple,
								 TupleDesc descriptor, int first_column,
								 bool context_is_json, MemoryContext scratch,
								 MemoryContext result_context)
{
	MemoryContext previous = MemoryContextSwitchTo(scratch);
	CoveragePayload payload;
	Jsonb	   *context = NULL;
	bool		isnull;
	Datum		value;

	value = SPI_getbinval(tuple, descriptor, first_column + CANDIDATE_CONTEXT, &isnull);
	if (!isnull)
		context = coverage_truth_read_context(value, context_is_json);

	if (coverage_payload_open(context, &payload))
	{
		coverage_truth_apply_payload(tenant->coverage, tenant->catalog,
									 &payload, result_context);

		tenant->has_basis = true;
		tenant->basis_run_id = DatumGetInt64(SPI_getbinval(tuple, descriptor,
														   first_column + CANDIDATE_ID,
														   &isnull));

		value = SPI_getbinval(tuple, descriptor, first_column + CANDIDATE_OUTCOME, &isnull);
		if (!isnull)
		{
			MemoryContextSwitchTo(result_context);
			tenant->basis_outcome = DatumGetTextPCopy(value);
		}

		value = SPI_getbinval(tuple, descriptor, first_column + CANDIDATE_COMPLETED_AT, &isnull);
		tenant->has_completed_at = !isnull;
		if (!isnull)
			tenant->basis_completed_at = DatumGetTimestampTz(value);
	}

	MemoryContextSwitchTo(previous);
	MemoryContextReset(scratch);
	CHECK_FOR_INTERRUPTS();
	return tenant->has_basis;
}

/* Detoast a context value, converting json to jsonb. NULL when unusable. */
Jsonb *
coverage_truth_read_context(Datum value, bool context_is_json)
{
	if (context_is_json)
		return convert_json_context(DatumGetTextPP(value));
	return DatumGetJsonbP(value);
}

/*
 * Convert a json context to jsonb, returning NULL when the server cannot,
 * for example for \u0000 or a number outside numeric's range.  jsonb_in
 * raises on those, so it runs in a subtransaction that swallows data
 * errors.  Any other error, such as a query cancel, is raised again.
 * Subtransactions are not allowed in parallel mode, which is one reason the
 * functions that read the sources are PARALLEL UNSAFE.
 */
static Jsonb *
convert_json_context(text *json)
{
	char	   *json_text = text_to_cstring(json);
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	Jsonb	   *result = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller_context);

	PG_TRY();
	{
		result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
													CStringGetDatum(json_text)));
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(caller_context);
		error = CopyErrorData();
		FlushErrorState();

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller_context);
		CurrentResourceOwner = caller_owner;

		if (ERRCODE_TO_CATEGORY(error->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			ERRCODE_TO_CATEGORY(error->sqlerrcode) != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
			ReThrowError(error);

		FreeErrorData(error);
		result = NULL;
	}
	PG_END_TRY();

	return result;
}

/* Keep the last accepted entry per list for each catalog type. */
static void
collect_entry(const CoverageEntry *entry, void *arg)
{
	SlotCollector *collector = arg;
	int			index = coverage_truth_find_type(collector->catalog,
												 entry->type, entry->type_len);
	PayloadSlot *slot;

	if (index < 0)
		return;

	slot = &collector->slots[entry->list * collector->catalog->type_count + index];
	slot->found = true;
	slot->status = entry->status;
	slot->has_item_count = entry->has_item_count;
	slot->item_count = entry->item_count;
	slot->error_code = entry->error_code;
	slot->error_code_len = entry->error_code_len;
}

/*
 * Set each catalog type's state from a parseable payload: the entry in the
 * list of the type's own segment, else the one in the other list, else
 * unknown.  Error codes are copied into result_context.
 */
void
coverage_truth_apply_payload(TypeCoverage *coverage, const Catalog *catalog,
							 const CoveragePayload *payload,
							 MemoryContext result_context)
{
	PayloadSlot *slots = palloc0(sizeof(PayloadSlot) * SEGMENT_COUNT *
								 Max(catalog->type_count, 1));
	SlotCollector collector = {catalog, slots};

	coverage_payload_walk(payload, collect_entry, &collector);

	for (int i = 0; i < catalog->type_count; i++)
	{
		TypeSegment own = catalog->types[i].segment;
		TypeSegment other = own == SEGMENT_POLICY ? SEGMENT_FOUNDATION : SEGMENT_POLICY;
		const PayloadSlot *slot = &slots[own * catalog->type_count + i];
		TypeCoverage *result = &coverage[i];

		if (!slot->found)
			slot = &slots[other * catalog->type_count + i];
		if (!slot->found)
		{
			result->state = COVERAGE_UNKNOWN;
			continue;
		}

		result->state = slot->status;
		result->has_basis_item_count = slot->has_item_count;
		result->basis_item_count = slot->item_count;
		if (slot->error_code != NULL)
		{
			MemoryContext previous = MemoryContextSwitchTo(result_context);

			result->basis_error_code =
				cstring_to_text_with_len(slot->error_code, slot->error_code_len);
			MemoryContextSwitchTo(previous);
		}
	}
	pfree(slots);
}

/*
 * Count the tenant's items per policy_type with one grouped query.  Types
 * outside the catalog are ignored; counts never change a state.
 */
static void
count_items(TenantCoverage *tenant)
{
	Datum		arguments[1] = {Int64GetDatum(tenant->tenant_id)};
	int			ret;

	ret = SPI_execute_plan(coverage_truth_source_plan(PLAN_TENANT_ITEM_COUNTS),
						   arguments, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "coverage_truth: item count query failed: %s",
			 SPI_result_code_string(ret));

	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	descriptor = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		value = SPI_getbinval(tuple, descriptor, 1, &isnull);
		text	   *type;
		int			index;

		if (isnull)
			continue;

		type = DatumGetTextPP(value);
		index = coverage_truth_find_type(tenant->catalog, VARDATA_ANY(type),
										 VARSIZE_ANY_EXHDR(type));
		if (index >= 0)
			tenant->coverage[index].observed_item_count =
				DatumGetInt64(SPI_getbinval(tuple, descriptor, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Compute the summary counts, the calm claim and freshness.  Freshness is
 * reported beside the states and never changes them or the calm claim.
 */
void
coverage_truth_summarize(const TenantCoverage *coverage, CoverageSummary *summary)
{
	int			type_count = coverage->catalog->type_count;
	TimestampTz now;
	int64		difference;

	memset(summary, 0, sizeof(CoverageSummary));

	for (int i = 0; i < type_count; i++)
	{
		summary->state_counts[coverage->coverage[i].state]++;
		summary->observed_item_total += coverage->coverage[i].observed_item_count;
	}

	summary->follow_up_count = summary->state_counts[COVERAGE_FAILED] +
		summary->state_counts[COVERAGE_SKIPPED] +
		summary->state_counts[COVERAGE_UNKNOWN];
	summary->calm_claim_allowed = coverage->has_basis &&
		type_count > 0 &&
		summary->follow_up_count == 0;

	if (!coverage->has_basis || !coverage->has_completed_at)
	{
		summary->is_stale = true;
		return;
	}

	/* An infinite completed_at has no age: -infinity is stale, +infinity is not. */
	if (TIMESTAMP_NOT_FINITE(coverage->basis_completed_at))
	{
		summary->is_stale = TIMESTAMP_IS_NOBEGIN(coverage->basis_completed_at);
		return;
	}

	/* A result about the past measures freshness at that moment. */
	now = coverage->has_as_of ? coverage->as_of : GetCurrentTransactionStartTimestamp();
	if (TIMESTAMP_NOT_FINITE(now))
	{
		summary->is_stale = TIMESTAMP_IS_NOEND(now);
		return;
	}

	/*
	 * timestamp_mi does not check for overflow, which dates near both ends
	 * of the range reach; such an age is left NULL and judged by order.
	 */
	if (pg_sub_s64_overflow(now, coverage->basis_completed_at, &difference))
	{
		summary->is_stale = now > coverage->basis_completed_at;
		return;
	}

	summary->has_age = true;
	summary->age = *DatumGetIntervalP(DirectFunctionCall2(timestamp_mi,
														  TimestampTzGetDatum(now),
														  TimestampTzGetDatum(coverage->basis_completed_at)));
	summary->is_stale = DatumGetInt32(DirectFunctionCall2(interval_cmp,
														  IntervalPGetDatum(&summary->age),
														  IntervalPGetDatum(coverage_truth_stale_after))) > 0;
}
