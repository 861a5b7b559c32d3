/*-------------------------------------------------------------------------
 *
 * fleet.c
 *	  Set-based coverage of many tenants.
 *
 * A fleet call runs a fixed number of queries, whatever the number of
 * tenants.  It lists the tenants (only when no ids are given), finds the
 * first parseable candidate run of every tenant with one index probe each,
 * and counts all items in one grouped query.  For json contexts one more
 * query walks the older candidates of the tenants whose newest payload was
 * unparseable.
 *
 * Candidates go through the same examination as the per-tenant path, so
 * both give the same answer.  Rows are read through cursors in batches, so
 * SPI memory stays bounded, and the results kept per tenant are bounded by
 * the catalog size.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "coverage_truth.h"

/* Rows fetched per cursor round trip. */
#define FLEET_FETCH_SIZE 256

static int64 *collect_tenant_ids(ArrayType *tenant_ids, int *count);
static int	compare_int64(const void *a, const void *b);
static int	find_tenant(const TenantCoverage *tenants, int count, int64 tenant_id);
static Datum build_id_array(const int64 *ids, int count);
static void examine_candidates(TenantCoverage *tenants, int count,
							   SourcePlanKind kind, Datum id_array,
							   bool context_is_json,
							   MemoryContext result_context);
static void count_fleet_items(TenantCoverage *tenants, int count, Datum id_array);

/*
 * Derive the coverage of every tenant in tenant_ids (NULL elements
 * ignored, duplicates once), or of every tenant with a row in either
 * source relation when tenant_ids is NULL.  Returns the tenants in id
 * order, allocated in the caller's memory context.
 */
TenantCoverage *
coverage_truth_resolve_fleet(ArrayType *tenant_ids, int *tenant_count)
{
	MemoryContext result_context = CurrentMemoryContext;
	TenantCoverage *tenants;
	const Catalog *catalog;
	Sources		sources;
	int64	   *ids;
	int			count;
	int			unresolved_count = 0;
	Datum		id_array;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	catalog = coverage_truth_load_catalog(result_context);
	ids = collect_tenant_ids(tenant_ids, &count);

	tenants = MemoryContextAllocZero(result_context,
									 sizeof(TenantCoverage) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		coverage_truth_init_tenant(&tenants[i], catalog, ids[i], result_context);
		if (i % 1024 == 0)
			CHECK_FOR_INTERRUPTS();
	}

	if (count > 0)
	{
		/* Most tenants find their basis in their newest candidate. */
		id_array = build_id_array(ids, count);
		examine_candidates(tenants, count, PLAN_FLEET_NEWEST, id_array,
						   sources.context_is_json, result_context);

		for (int i = 0; i < count; i++)
		{
			if (!tenants[i].has_basis)
				ids[unresolved_count++] = tenants[i].tenant_id;
		}

		/*
		 * With json contexts, the rest walk their older candidates in one
		 * more query.  With jsonb, the first query already skipped every
		 * unparseable candidate, so a tenant left has no basis.
		 */
		if (unresolved_count > 0 && sources.context_is_json)
			examine_candidates(tenants, count, PLAN_FLEET_OLDER,
							   build_id_array(ids, unresolved_count),
							   sources.context_is_json, result_context);

		count_fleet_items(tenants, count, id_array);
	}

	SPI_finish();
	*tenant_count = count;
	return tenants;
}

/* Return the sorted distinct tenant ids to resolve. */
static int64 *
collect_tenant_ids(ArrayType *tenant_ids, int *count)
{
	int64	   *ids;
	int			total = 0;
	int			distinct = 0;

	if (tenant_ids == NULL)
	{
		int			ret = SPI_execute_plan(coverage_truth_source_plan(PLAN_FLEET_TENANTS),
										   NULL, NULL, true, 0);

		if (ret != SPI_OK_SELECT)
			elog(ERROR, "coverage_truth: tenant list query failed: %s",
				 SPI_result_code_string(ret));

		ids = palloc(sizeof(int64) * Max(SPI_processed, 1));
		for (uint64 row = 0; row < SPI_processed; row++)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[row],
											  SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				ids[total++] = DatumGetInt64(value);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	else
	{
		Datum	   *elements;
		bool	   *nulls;
		int			element_count;

		deconstruct_array(tenant_ids, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &elements, &nulls, &element_count);
		ids = palloc(sizeof(int64) * Max(element_count, 1));
		for (int i = 0; i < element_count; i++)
		{
			if (!nulls[i])
				ids[total++] = DatumGetInt64(elements[i]);
		}
	}

	CHECK_FOR_INTERRUPTS();
	qsort(ids, total, sizeof(int64), compare_int64);
	CHECK_FOR_INTERRUPTS();
	for (int i = 0; i < total; i++)
	{
		if (distinct == 0 || ids[distinct - 1] != ids[i])
			ids[distinct++] = ids[i];
	}

	*count = distinct;
	return ids;
}

static int
compare_int64(const void *a, const void *b)
{
	int64		left = *(const int64 *) a;
	int64		right = *(const int64 *) b;

	return (left > right) - (left < right);
}

/* Return the index of tenant_id in the sorted tenants, or -1. */
static int
find_tenant(const TenantCoverage *tenants, int count, int64 tenant_id)
{
	int			low = 0;
	int			high = count - 1;

	while (low <= high)
	{
		int			middle = low + (high - low) / 2;

		if (tenants[middle].tenant_id == tenant_id)
			return middle;
		if (tenants[middle].tenant_id < tenant_id)
			low = middle + 1;
		else
			high = middle - 1;
	}
	return -1;
}

static Datum
build_id_array(const int64 *ids, int count)
{
	Datum	   *elements = palloc(sizeof(Datum) * count);

	for (int i = 0; i < count; i++)
		elements[i] = Int64GetDatum(ids[i]);
	return PointerGetDatum(construct_array(elements, count, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Examine the candidate rows of a fleet plan, whose first column is the
 * tenant id.  A tenant that already has a basis skips its remaining rows
 * without reading their context.
 */
static void
examine_candidates(TenantCoverage *tenants, int count, SourcePlanKind kind,
				   Datum id_array, bool context_is_json,
				   MemoryContext result_context)
{
	Datum		arguments[1] = {id_array};
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "coverage_truth payload",
												  ALLOCSET_DEFAULT_SIZES);
	Portal		portal = SPI_cursor_open(NULL, coverage_truth_source_plan(kind),
										 arguments, NULL, true);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, FLEET_FETCH_SIZE);
		if (SPI_processed == 0)
			break;

		for (uint64 row = 0; row < SPI_processed; row++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[row];
			bool		isnull;
			int64		tenant_id = DatumGetInt64(SPI_getbinval(tuple, SPI_tuptable->tupdesc,
																1, &isnull));
			int			index = find_tenant(tenants, count, tenant_id);

			if (index < 0 || tenants[index].has_basis)
				continue;

			coverage_truth_examine_candidate(&tenants[index], tuple,
											 SPI_tuptable->tupdesc, 2,
											 context_is_json, scratch,
											 result_context);
		}
		SPI_freetuptable(SPI_tuptable);
	}

	SPI_cursor_close(portal);
	MemoryContextDelete(scratch);
}

/* Count the items of all tenants per policy_type with one grouped query. */
static void
count_fleet_items(TenantCoverage *tenants, int count, Datum id_array)
{
	Datum		arguments[1] = {id_array};
	Portal		portal = SPI_cursor_open(NULL,
										 coverage_truth_source_plan(PLAN_FLEET_ITEM_COUNTS),
										 arguments, NULL, true);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, FLEET_FETCH_SIZE * 4);
		if (SPI_processed == 0)
			break;

		for (uint64 row = 0; row < SPI_processed; row++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[row];
			TupleDesc	descriptor = SPI_tuptable->tupdesc;
			bool		isnull;
			int64		tenant_id = DatumGetInt64(SPI_getbinval(tuple, descriptor, 1, &isnull));
			Datum		value = SPI_getbinval(tuple, descriptor, 2, &isnull);
			int			tenant_index;
			int			type_index;
			text	   *type;

			if (isnull)
				continue;
			tenant_index = find_tenant(tenants, count, tenant_id);
			if (tenant_index < 0)
				continue;

			type = DatumGetTextPP(value);
			type_index = coverage_truth_find_type(tenants[tenant_index].catalog,
												  VARDATA_ANY(type),
												  VARSIZE_ANY_EXHDR(type));
			if (type_index >= 0)
				tenants[tenant_index].coverage[type_index].observed_item_count =
					DatumGetInt64(SPI_getbinval(tuple, descriptor, 3, &isnull));
		}
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}

	SPI_cursor_close(portal);
}
