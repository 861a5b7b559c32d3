/*-------------------------------------------------------------------------
 *
 * entry.c
 *	  SQL-callable functions of coverage_truth.
 *
 * Set-returning functions use materialize mode: the rows of one call are
 * derived at once and put into the tuplestore.  Each function checks that
 * the row type declared in SQL has the column count the C code fills, so
 * the install script and the code cannot drift apart silently.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/jsonb.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "coverage_truth.h"

#define PARSE_COVERAGE_COLUMNS 5
#define TENANT_COVERAGE_COLUMNS 15
#define TENANT_SUMMARY_COLUMNS 15
#define RUN_COVERAGE_COLUMNS 10
#define EXPLAIN_COLUMNS 3
#define DIFF_COLUMNS 5
#define LAST_SUCCESS_COLUMNS 5
#define HISTORY_COLUMNS 9

PG_FUNCTION_INFO_V1(coverage_truth_parse_coverage);
PG_FUNCTION_INFO_V1(coverage_truth_coverage_is_parseable);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage_summary);
PG_FUNCTION_INFO_V1(coverage_truth_fleet_coverage);
PG_FUNCTION_INFO_V1(coverage_truth_fleet_coverage_summary);
PG_FUNCTION_INFO_V1(coverage_truth_run_coverage);
PG_FUNCTION_INFO_V1(coverage_truth_explain_coverage_payload);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage_at);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage_summary_at);
PG_FUNCTION_INFO_V1(coverage_truth_run_coverage_diff);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage_changes);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_last_success);
PG_FUNCTION_INFO_V1(coverage_truth_tenant_coverage_history);

/* An accepted entry with its position, for keeping the last per type. */
typedef struct ParsedEntry
{
	CoverageEntry entry;
	int			position;
} ParsedEntry;

typedef struct ParsedEntries
{
	ParsedEntry *items;
	int			count;
	int			capacity;
} ParsedEntries;

/*
 * Raise an error when the function's declared row type does not have the
 * number of columns the C code fills.
 */
static TupleDesc
materialize_result(FunctionCallInfo fcinfo, int expected_columns)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	/*
	 * Use the row type the executor already has: looking it up again on
	 * every call allocates in the statement's memory, which grows when a
	 * query calls the function once per row.
	 */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (rsinfo->setDesc->natts != expected_columns)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("function %s returns %d columns, but the coverage_truth library expects %d",
						format_procedure(fcinfo->flinfo->fn_oid),
						rsinfo->setDesc->natts, expected_columns),
				 errhint("Run ALTER EXTENSION coverage_truth UPDATE, or install the library that matches the extension version.")));
	return rsinfo->setDesc;
}

/* Return the values of an enum type's labels, as Datums. */
static void
lookup_enum_values(Oid enum_type, const char *const *labels, int count,
				   Datum *values)
{
	for (int i = 0; i < count; i++)
	{
		Oid			value = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
											ObjectIdGetDatum(enum_type),
											CStringGetDatum(labels[i]));

		if (!OidIsValid(value))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("enum type %s has no label \"%s\"",
							format_type_be(enum_type), labels[i]),
					 errhint("Reinstall the coverage_truth extension.")));
		values[i] = ObjectIdGetDatum(value);
	}
}

static void
append_parsed_entry(const CoverageEntry *entry, void *arg)
{
	ParsedEntries *entries = arg;

	if (entries->count == entries->capacity)
	{
		entries->capacity *= 2;
		entries->items = repalloc(entries->items,
								  sizeof(ParsedEntry) * entries->capacity);
	}
	entries->items[entries->count].entry = *entry;
	entries->items[entries->count].position = entries->count;
	entries->count++;
}

/* Order by list, then type in byte order, then payload position. */
static int
compare_parsed_entries(const void *a, const void *b)
{
	const ParsedEntry *left = a;
	const ParsedEntry *right = b;
	int			result;

	if (left->entry.list != right->entry.list)
		return left->entry.list < right->entry.list ? -1 : 1;

	result = memcmp(left->entry.type, right->entry.type,
					Min(left->entry.type_len, right->entry.type_len));
	if (result != 0)
		return result;
	if (left->entry.type_len != right->entry.type_len)
		return left->entry.type_len < right->entry.type_len ? -1 : 1;

	return (left->position > right->position) - (left->position < right->position);
}

static bool
same_list_and_type(const CoverageEntry *a, const CoverageEntry *b)
{
	return a->list == b->list && a->type_len == b->type_len &&
		memcmp(a->type, b->type, a->type_len) == 0;
}

/*
 * parse_coverage(context jsonb): one row per list and type, from the last
 * accepted entry for that type in that list, ordered by list (policy_types
 * first) and type in byte order.
 */
Datum
coverage_truth_parse_coverage(PG_FUNCTION_ARGS)
{
	Jsonb	   *context = PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, PARSE_COVERAGE_COLUMNS);
	CoveragePayload payload;
	ParsedEntries entries;
	Datum		segment_values[SEGMENT_COUNT];
	Datum		state_values[COVERAGE_STATE_COUNT];

	if (!coverage_payload_open(context, &payload))
		PG_RETURN_NULL();

	lookup_enum_values(TupleDescAttr(descriptor, 0)->atttypid,
					   type_segment_labels, SEGMENT_COUNT, segment_values);
	lookup_enum_values(TupleDescAttr(descriptor, 2)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);

	entries.count = 0;
	entries.capacity = 64;
	entries.items = palloc(sizeof(ParsedEntry) * entries.capacity);
	coverage_payload_walk(&payload, append_parsed_entry, &entries);

	qsort(entries.items, entries.count, sizeof(ParsedEntry), compare_parsed_entries);

	for (int i = 0; i < entries.count; i++)
	{
		const CoverageEntry *entry = &entries.items[i].entry;
		Datum		values[PARSE_COVERAGE_COLUMNS] = {0};
		bool		nulls[PARSE_COVERAGE_COLUMNS] = {0};

		/* Within a run of the same list and type, only the last one counts. */
		if (i + 1 < entries.count &&
			same_list_and_type(entry, &entries.items[i + 1].entry))
			continue;

		values[0] = segment_values[entry->list];
		values[1] = PointerGetDatum(cstring_to_text_with_len(entry->type, entry->type_len));
		values[2] = state_values[entry->status];
		if (entry->has_item_count)
			values[3] = Int64GetDatum(entry->item_count);
		else
			nulls[3] = true;
		if (entry->error_code != NULL)
			values[4] = PointerGetDatum(cstring_to_text_with_len(entry->error_code,
																 entry->error_code_len));
		else
			nulls[4] = true;

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}

	PG_RETURN_NULL();
}

/* coverage_is_parseable(context jsonb): false for NULL. */
Datum
coverage_truth_coverage_is_parseable(PG_FUNCTION_ARGS)
{
	CoveragePayload payload;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);

	PG_RETURN_BOOL(coverage_payload_open(PG_GETARG_JSONB_P(0), &payload));
}

/* Append one row per catalog type of a tenant to a tenant_coverage result. */
static void
put_tenant_rows(ReturnSetInfo *rsinfo, TupleDesc descriptor,
				const TenantCoverage *tenant, const Datum *state_values)
{
	const Catalog *catalog = tenant->catalog;

	for (int i = 0; i < catalog->type_count; i++)
	{
		const CatalogType *type = &catalog->types[i];
		const TypeCoverage *result = &tenant->coverage[i];
		Datum		values[TENANT_COVERAGE_COLUMNS] = {0};
		bool		nulls[TENANT_COVERAGE_COLUMNS] = {0};

		values[0] = Int64GetDatum(tenant->tenant_id);
		values[1] = PointerGetDatum(cstring_to_text_with_len(type->type, type->type_len));
		values[2] = type->segment_value;
		values[3] = PointerGetDatum(type->label);
		values[4] = PointerGetDatum(type->category);
		values[5] = PointerGetDatum(type->platform);
		nulls[5] = type->platform == NULL;
		values[6] = state_values[result->state];
		values[7] = BoolGetDatum(result->state != COVERAGE_SUCCEEDED);
		values[8] = Int64GetDatum(result->observed_item_count);
		nulls[8] = !tenant->has_observed_counts;
		values[9] = Int64GetDatum(result->basis_item_count);
		nulls[9] = !result->has_basis_item_count;
		values[10] = PointerGetDatum(result->basis_error_code);
		nulls[10] = result->basis_error_code == NULL;
		values[11] = PointerGetDatum(type->restore_mode);
		nulls[11] = type->restore_mode == NULL;
		values[12] = PointerGetDatum(type->risk_level);
		nulls[12] = type->risk_level == NULL;
		values[13] = BoolGetDatum(type->supports_dependencies);
		values[14] = Int64GetDatum(tenant->basis_run_id);
		nulls[14] = !tenant->has_basis;

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}
}

/* Append a tenant's summary row to a tenant_coverage_summary result. */
static void
put_summary_row(ReturnSetInfo *rsinfo, TupleDesc descriptor,
				const TenantCoverage *tenant)
{
	CoverageSummary summary;
	Datum		values[TENANT_SUMMARY_COLUMNS] = {0};
	bool		nulls[TENANT_SUMMARY_COLUMNS] = {0};

	coverage_truth_summarize(tenant, &summary);

	values[0] = Int64GetDatum(tenant->tenant_id);
	values[1] = Int64GetDatum(tenant->basis_run_id);
	nulls[1] = !tenant->has_basis;
	values[2] = PointerGetDatum(tenant->basis_outcome);
	nulls[2] = tenant->basis_outcome == NULL;
	values[3] = TimestampTzGetDatum(tenant->basis_completed_at);
	nulls[3] = !tenant->has_basis || !tenant->has_completed_at;
	values[4] = BoolGetDatum(tenant->has_basis);
	values[5] = Int32GetDatum(tenant->catalog->type_count);
	values[6] = Int32GetDatum(summary.state_counts[COVERAGE_SUCCEEDED]);
	values[7] = Int32GetDatum(summary.state_counts[COVERAGE_FAILED]);
	values[8] = Int32GetDatum(summary.state_counts[COVERAGE_SKIPPED]);
	values[9] = Int32GetDatum(summary.state_counts[COVERAGE_UNKNOWN]);
	values[10] = Int32GetDatum(summary.follow_up_count);
	values[11] = Int64GetDatum(summary.observed_item_total);
	nulls[11] = !tenant->has_observed_counts;
	values[12] = BoolGetDatum(summary.calm_claim_allowed);
	values[13] = IntervalPGetDatum(&summary.age);
	nulls[13] = !summary.has_age;
	values[14] = BoolGetDatum(summary.is_stale);

	tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
}

/* tenant_coverage(tenant_id bigint): one row per catalog type. */
Datum
coverage_truth_tenant_coverage(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_COVERAGE_COLUMNS);
	Datum		state_values[COVERAGE_STATE_COUNT];

	lookup_enum_values(TupleDescAttr(descriptor, 6)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);
	put_tenant_rows(rsinfo, descriptor, coverage_truth_resolve_tenant(tenant_id),
					state_values);

	PG_RETURN_NULL();
}

/* tenant_coverage_summary(tenant_id bigint): exactly one row. */
Datum
coverage_truth_tenant_coverage_summary(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_SUMMARY_COLUMNS);

	put_summary_row(rsinfo, descriptor, coverage_truth_resolve_tenant(tenant_id));

	PG_RETURN_NULL();
}

/* fleet_coverage(tenant_ids bigint[]): tenant_coverage rows of many tenants. */
Datum
coverage_truth_fleet_coverage(PG_FUNCTION_ARGS)
{
	ArrayType  *tenant_ids = PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_COVERAGE_COLUMNS);
	Datum		state_values[COVERAGE_STATE_COUNT];
	TenantCoverage *tenants;
	int			tenant_count;

	lookup_enum_values(TupleDescAttr(descriptor, 6)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);
	tenants = coverage_truth_resolve_fleet(tenant_ids, &tenant_count);
	for (int i = 0; i < tenant_count; i++)
		put_tenant_rows(rsinfo, descriptor, &tenants[i], state_values);

	PG_RETURN_NULL();
}

/* fleet_coverage_summary(tenant_ids bigint[]): one summary row per tenant. */
Datum
coverage_truth_fleet_coverage_summary(PG_FUNCTION_ARGS)
{
	ArrayType  *tenant_ids = PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_SUMMARY_COLUMNS);
	TenantCoverage *tenants;
	int			tenant_count;

	tenants = coverage_truth_resolve_fleet(tenant_ids, &tenant_count);
	for (int i = 0; i < tenant_count; i++)
		put_summary_row(rsinfo, descriptor, &tenants[i]);

	PG_RETURN_NULL();
}

/* run_coverage(run_id bigint): one row per catalog type, or none. */
Datum
coverage_truth_run_coverage(PG_FUNCTION_ARGS)
{
	int64		run_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, RUN_COVERAGE_COLUMNS);
	Datum		state_values[COVERAGE_STATE_COUNT];
	RunCoverage run;
	const Catalog *catalog;
	bool		is_basis;

	lookup_enum_values(TupleDescAttr(descriptor, 5)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);
	if (!coverage_truth_resolve_run(run_id, &run))
		PG_RETURN_NULL();

	catalog = run.own.catalog;
	is_basis = run.tenant.has_basis && run.tenant.basis_run_id == run_id;

	for (int i = 0; i < catalog->type_count; i++)
	{
		const CatalogType *type = &catalog->types[i];
		const TypeCoverage *own = &run.own.coverage[i];
		Datum		values[RUN_COVERAGE_COLUMNS] = {0};
		bool		nulls[RUN_COVERAGE_COLUMNS] = {0};

		values[0] = Int64GetDatum(run_id);
		values[1] = Int64GetDatum(run.own.tenant_id);
		nulls[1] = !run.has_tenant;
		values[2] = PointerGetDatum(cstring_to_text_with_len(type->type, type->type_len));
		values[3] = type->segment_value;
		values[4] = PointerGetDatum(type->label);
		values[5] = state_values[own->state];
		values[6] = Int64GetDatum(own->basis_item_count);
		nulls[6] = !own->has_basis_item_count;
		values[7] = PointerGetDatum(own->basis_error_code);
		nulls[7] = own->basis_error_code == NULL;
		values[8] = BoolGetDatum(is_basis);
		values[9] = Int64GetDatum(run.tenant.basis_run_id);
		nulls[9] = !run.tenant.has_basis;

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}

	PG_RETURN_NULL();
}

/*
 * explain_coverage_payload(context jsonb): one row per reason the payload
 * or a part of it is not used.
 */
Datum
coverage_truth_explain_coverage_payload(PG_FUNCTION_ARGS)
{
	Jsonb	   *context = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, EXPLAIN_COLUMNS);
	CoverageFindingList *findings = coverage_truth_explain_payload(context);

	for (int i = 0; i < findings->count; i++)
	{
		const CoverageFinding *finding = &findings->items[i];
		Datum		values[EXPLAIN_COLUMNS] = {0};
		bool		nulls[EXPLAIN_COLUMNS] = {0};

		values[0] = CStringGetTextDatum(finding->path);
		values[1] = CStringGetTextDatum(finding->problem);
		if (finding->excerpt != NULL)
			values[2] = CStringGetTextDatum(finding->excerpt);
		else
			nulls[2] = true;

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}

	PG_RETURN_NULL();
}

/* tenant_coverage_at(tenant_id bigint, at timestamptz): as it stood at "at". */
Datum
coverage_truth_tenant_coverage_at(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_COVERAGE_COLUMNS);
	Datum		state_values[COVERAGE_STATE_COUNT];

	lookup_enum_values(TupleDescAttr(descriptor, 6)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);
	put_tenant_rows(rsinfo, descriptor,
					coverage_truth_resolve_tenant_at(tenant_id, at), state_values);

	PG_RETURN_NULL();
}

/* tenant_coverage_summary_at(tenant_id bigint, at timestamptz): one row. */
Datum
coverage_truth_tenant_coverage_summary_at(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, TENANT_SUMMARY_COLUMNS);

	put_summary_row(rsinfo, descriptor,
					coverage_truth_resolve_tenant_at(tenant_id, at));

	PG_RETURN_NULL();
}

/* Classify the change of one type's state between two results. */
static const char *
describe_change(CoverageState from, CoverageState to)
{
	if (from == to)
		return "unchanged";
	if (from == COVERAGE_SUCCEEDED)
		return "regressed";
	if (to == COVERAGE_SUCCEEDED)
		return "recovered";
	return "changed";
}

/* Append one diff row per catalog type. */
static void
put_diff_rows(FunctionCallInfo fcinfo, const TenantCoverage *from,
			  const TenantCoverage *to)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, DIFF_COLUMNS);
	const Catalog *catalog = from->catalog;
	Datum		state_values[COVERAGE_STATE_COUNT];

	lookup_enum_values(TupleDescAttr(descriptor, 2)->atttypid,
					   coverage_state_labels, COVERAGE_STATE_COUNT, state_values);

	for (int i = 0; i < catalog->type_count; i++)
	{
		const CatalogType *type = &catalog->types[i];
		CoverageState from_state = from->coverage[i].state;
		CoverageState to_state = to->coverage[i].state;
		Datum		values[DIFF_COLUMNS] = {0};
		bool		nulls[DIFF_COLUMNS] = {0};

		values[0] = PointerGetDatum(cstring_to_text_with_len(type->type, type->type_len));
		values[1] = type->segment_value;
		values[2] = state_values[from_state];
		values[3] = state_values[to_state];
		values[4] = CStringGetTextDatum(describe_change(from_state, to_state));

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}
}

/*
 * run_coverage_diff(from_run_id bigint, to_run_id bigint): per catalog type,
 * the state each run's own payload reports and how it changed.  A missing
 * or unparseable run counts as every type unknown.
 */
Datum
coverage_truth_run_coverage_diff(PG_FUNCTION_ARGS)
{
	int64		from_run_id = PG_GETARG_INT64(0);
	int64		to_run_id = PG_GETARG_INT64(1);
	RunCoverage from;
	RunCoverage to;

	coverage_truth_resolve_run(from_run_id, &from);
	coverage_truth_resolve_run(to_run_id, &to);

	if (from.found && to.found &&
		(from.has_tenant != to.has_tenant ||
		 (from.has_tenant && from.own.tenant_id != to.own.tenant_id)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("runs " INT64_FORMAT " and " INT64_FORMAT " belong to different tenants",
						from_run_id, to_run_id),
				 errdetail("Run " INT64_FORMAT " has tenant %s and run " INT64_FORMAT " has tenant %s.",
						   from_run_id,
						   from.has_tenant ? psprintf(INT64_FORMAT, from.own.tenant_id) : "NULL",
						   to_run_id,
						   to.has_tenant ? psprintf(INT64_FORMAT, to.own.tenant_id) : "NULL"),
				 errhint("Compare two runs of the same tenant, or use tenant_coverage_changes.")));

	put_diff_rows(fcinfo, &from.own, &to.own);

	PG_RETURN_NULL();
}

/*
 * tenant_coverage_changes(tenant_id bigint, since timestamptz): the diff
 * between the basis as of "since" and the current basis.
 */
Datum
coverage_truth_tenant_coverage_changes(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	TimestampTz since = PG_GETARG_TIMESTAMPTZ(1);
	TenantCoverage *from = coverage_truth_resolve_tenant_at(tenant_id, since);
	TenantCoverage *to = coverage_truth_resolve_tenant(tenant_id);

	put_diff_rows(fcinfo, from, to);

	PG_RETURN_NULL();
}

/* tenant_last_success(tenant_id bigint): one row per catalog type. */
Datum
coverage_truth_tenant_last_success(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, LAST_SUCCESS_COLUMNS);
	const Catalog *catalog;
	LastSuccess *results = coverage_truth_last_success(tenant_id, &catalog);

	for (int i = 0; i < catalog->type_count; i++)
	{
		const CatalogType *type = &catalog->types[i];
		const LastSuccess *result = &results[i];
		Datum		values[LAST_SUCCESS_COLUMNS] = {0};
		bool		nulls[LAST_SUCCESS_COLUMNS] = {0};

		values[0] = PointerGetDatum(cstring_to_text_with_len(type->type, type->type_len));
		values[1] = type->segment_value;
		values[2] = Int64GetDatum(result->run_id);
		nulls[2] = !result->found;
		values[3] = TimestampTzGetDatum(result->completed_at);
		nulls[3] = !result->found || !result->has_completed_at;
		values[4] = Int64GetDatum(result->parseable_runs_since);
		nulls[4] = !result->found;

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}

	PG_RETURN_NULL();
}

/*
 * tenant_coverage_history(tenant_id bigint, from_at timestamptz, to_at
 * timestamptz): one row per parseable candidate run in the window.
 */
Datum
coverage_truth_tenant_coverage_history(PG_FUNCTION_ARGS)
{
	int64		tenant_id = PG_GETARG_INT64(0);
	TimestampTz from = PG_GETARG_TIMESTAMPTZ(1);
	TimestampTz to = PG_GETARG_TIMESTAMPTZ(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	descriptor = materialize_result(fcinfo, HISTORY_COLUMNS);
	int			point_count;
	HistoryPoint *points = coverage_truth_history(tenant_id, from, to, &point_count);

	for (int i = 0; i < point_count; i++)
	{
		const HistoryPoint *point = &points[i];
		Datum		values[HISTORY_COLUMNS] = {0};
		bool		nulls[HISTORY_COLUMNS] = {0};

		values[0] = Int64GetDatum(point->run_id);
		values[1] = TimestampTzGetDatum(point->completed_at);
		values[2] = PointerGetDatum(point->outcome);
		nulls[2] = point->outcome == NULL;
		values[3] = Int32GetDatum(point->type_count);
		values[4] = Int32GetDatum(point->state_counts[COVERAGE_SUCCEEDED]);
		values[5] = Int32GetDatum(point->state_counts[COVERAGE_FAILED]);
		values[6] = Int32GetDatum(point->state_counts[COVERAGE_SKIPPED]);
		values[7] = Int32GetDatum(point->state_counts[COVERAGE_UNKNOWN]);
		values[8] = Int32GetDatum(point->follow_up_count);

		tuplestore_putvalues(rsinfo->setResult, descriptor, values, nulls);
	}

	PG_RETURN_NULL();
}
