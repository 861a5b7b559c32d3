/*-------------------------------------------------------------------------
 *
 * history.c
 *	  Coverage over time: last success per type and per-run history.
 *
 * Both read older payloads, which the main path never does, so they are
 * separate functions.  They apply the same parse rules to each candidate
 * as the basis search, and never change a coverage state.  The last
 * success search stops as soon as every catalog type has been found.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "coverage_truth.h"

/*
 * Examine candidate runs in the order of a plan, calling visit for each
 * parseable one with its per-type states in candidate.  visit returns false
 * to stop the walk.
 */
typedef bool (*CandidateVisitor) (const TenantCoverage *candidate, void *arg);

static void
walk_parseable_candidates(int64 tenant_id, const Catalog *catalog,
						  SourcePlanKind kind, Datum *arguments,
						  bool context_is_json, CandidateVisitor visit,
						  void *arg)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "coverage_truth payload",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext candidate_context = AllocSetContextCreate(CurrentMemoryContext,
															"coverage_truth candidate",
															ALLOCSET_SMALL_SIZES);
	Portal		portal = SPI_cursor_open(NULL, coverage_truth_source_plan(kind),
										 arguments, NULL, true);
	bool		more = true;

	while (more)
	{
		TenantCoverage candidate;

		SPI_cursor_fetch(portal, true, 1);
		if (SPI_processed == 0)
			break;

		coverage_truth_init_tenant(&candidate, catalog, tenant_id, candidate_context);
		if (coverage_truth_examine_candidate(&candidate, SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1,
											 context_is_json, scratch,
											 candidate_context))
			more = visit(&candidate, arg);

		MemoryContextReset(candidate_context);
		SPI_freetuptable(SPI_tuptable);
	}

	SPI_cursor_close(portal);
	MemoryContextDelete(candidate_context);
	MemoryContextDelete(scratch);
}

/* State of the last-success walk. */
typedef struct LastSuccessWalk
{
	LastSuccess *results;
	int			remaining;		/* catalog types not found yet */
	int64		parseable_seen;
} LastSuccessWalk;

static bool
visit_for_last_success(const TenantCoverage *candidate, void *arg)
{
	LastSuccessWalk *walk = arg;

	for (int i = 0; i < candidate->catalog->type_count; i++)
	{
		LastSuccess *result = &walk->results[i];

		if (result->found || candidate->coverage[i].state != COVERAGE_SUCCEEDED)
			continue;

		result->found = true;
		result->run_id = candidate->basis_run_id;
		result->has_completed_at = candidate->has_completed_at;
		result->completed_at = candidate->basis_completed_at;
		result->parseable_runs_since = walk->parseable_seen;
		walk->remaining--;
	}

	walk->parseable_seen++;
	return walk->remaining > 0;
}

/*
 * Find, per catalog type, the newest parseable candidate run in which the
 * type succeeded.  Returns one entry per catalog type and the catalog.
 */
LastSuccess *
coverage_truth_last_success(int64 tenant_id, const Catalog **catalog)
{
	MemoryContext result_context = CurrentMemoryContext;
	Datum		arguments[1] = {Int64GetDatum(tenant_id)};
	Sources		sources;
	LastSuccessWalk walk = {0};

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	*catalog = coverage_truth_load_catalog(result_context);
	walk.results = MemoryContextAllocZero(result_context,
										  sizeof(LastSuccess) * Max((*catalog)->type_count, 1));
	walk.remaining = (*catalog)->type_count;

	if (walk.remaining > 0)
		walk_parseable_candidates(tenant_id, *catalog, PLAN_TENANT_BASIS, arguments,
								  sources.context_is_json, visit_for_last_success,
								  &walk);

	SPI_finish();
	return walk.results;
}

/* State of the history walk. */
typedef struct HistoryWalk
{
	HistoryPoint *points;
	int			count;
	int			capacity;
	MemoryContext result_context;
} HistoryWalk;

static bool
visit_for_history(const TenantCoverage *candidate, void *arg)
{
	HistoryWalk *walk = arg;
	CoverageSummary summary;
	HistoryPoint *point;

	if (walk->count == walk->capacity)
	{
		walk->capacity *= 2;
		walk->points = repalloc(walk->points, sizeof(HistoryPoint) * walk->capacity);
	}

	coverage_truth_summarize(candidate, &summary);
	point = &walk->points[walk->count++];
	point->run_id = candidate->basis_run_id;
	point->completed_at = candidate->basis_completed_at;
	point->outcome = candidate->basis_outcome == NULL ? NULL :
		(text *) MemoryContextAlloc(walk->result_context,
									VARSIZE_ANY(candidate->basis_outcome));
	if (point->outcome != NULL)
		memcpy(point->outcome, candidate->basis_outcome,
			   VARSIZE_ANY(candidate->basis_outcome));
	point->type_count = candidate->catalog->type_count;
	memcpy(point->state_counts, summary.state_counts, sizeof(point->state_counts));
	point->follow_up_count = summary.follow_up_count;
	return true;
}

/*
 * Return one point per parseable candidate run completed from `from` to
 * `to` (both included), oldest first, with the counts that run alone
 * establishes against the current catalog.
 */
HistoryPoint *
coverage_truth_history(int64 tenant_id, TimestampTz from, TimestampTz to,
					   int *point_count)
{
	MemoryContext result_context = CurrentMemoryContext;
	Datum		arguments[3] = {Int64GetDatum(tenant_id),
		TimestampTzGetDatum(from), TimestampTzGetDatum(to)};
	Sources		sources;
	const Catalog *catalog;
	HistoryWalk walk = {0};

	walk.capacity = 16;
	walk.points = palloc(sizeof(HistoryPoint) * walk.capacity);
	walk.result_context = result_context;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");

	coverage_truth_open_sources(&sources);
	catalog = coverage_truth_load_catalog(result_context);
	walk_parseable_candidates(tenant_id, catalog, PLAN_TENANT_HISTORY, arguments,
							  sources.context_is_json, visit_for_history, &walk);

	SPI_finish();
	*point_count = walk.count;
	return walk.points;
}
