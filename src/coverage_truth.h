/*-------------------------------------------------------------------------
 *
 * coverage_truth.h
 *	  Shared declarations of the coverage_truth extension.
 *
 * The extension derives, at read time, which supported inventory types a
 * tenant's newest parseable inventory-sync run covers.  The code is split by
 * concern: settings.c (GUCs), payload.c (the coverage payload parser),
 * sources.c (the host relations and their prepared SPI plans), resolver.c
 * (basis run, per-type rows and summary), fleet.c (many tenants at once),
 * diagnostics.c (why a payload is not used), history.c (last success and
 * history) and entry.c (SQL-callable functions).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVERAGE_TRUTH_H
#define COVERAGE_TRUTH_H

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/jsonb.h"

/* The extension's schema is fixed by the control file. */
#define COVERAGE_TRUTH_SCHEMA "coverage_truth"

/* Coverage states, in the order of the coverage_state enum. */
typedef enum CoverageState
{
	COVERAGE_SUCCEEDED = 0,
	COVERAGE_FAILED,
	COVERAGE_SKIPPED,
	COVERAGE_UNKNOWN
} CoverageState;

#define COVERAGE_STATE_COUNT 4

/* Catalog segments, in the order of the type_segment enum. */
typedef enum TypeSegment
{
	SEGMENT_POLICY = 0,
	SEGMENT_FOUNDATION
} TypeSegment;

#define SEGMENT_COUNT 2

extern const char *const coverage_state_labels[COVERAGE_STATE_COUNT];
extern const char *const type_segment_labels[SEGMENT_COUNT];

/* settings.c */
extern char *coverage_truth_runs_relation;
extern char *coverage_truth_items_relation;
extern Interval *coverage_truth_stale_after;

#define RUNS_RELATION_SETTING "coverage_truth.operation_runs_relation"
#define ITEMS_RELATION_SETTING "coverage_truth.inventory_items_relation"
#define STALE_AFTER_SETTING "coverage_truth.stale_after"

extern void coverage_truth_define_settings(void);

/* payload.c */

/*
 * One accepted payload entry.  The strings point into the jsonb value the
 * entry came from and are not NUL-terminated.
 */
typedef struct CoverageEntry
{
	TypeSegment list;			/* list the entry came from */
	const char *type;
	int			type_len;
	CoverageState status;
	bool		has_item_count;
	int64		item_count;
	const char *error_code;		/* NULL when not kept */
	int			error_code_len;
	const char *path;			/* JSON path, only when explaining */
	int			element;		/* index in an array-form list, else -1 */
} CoverageEntry;

/* Receiver of the reasons a payload, list, entry or member is not used. */
typedef struct CoverageFindings
{
	void		(*report) (void *arg, const char *path, const char *problem,
						   const JsonbValue *value);
	void	   *arg;
} CoverageFindings;

/* The lists of a parseable payload; NULL for a list that is not usable. */
typedef struct CoveragePayload
{
	JsonbContainer *lists[SEGMENT_COUNT];
	const CoverageFindings *findings;	/* NULL unless explaining */
} CoveragePayload;

typedef void (*CoverageEntryCallback) (const CoverageEntry *entry, void *arg);

extern bool coverage_payload_open(Jsonb *context, CoveragePayload *payload);
extern bool coverage_payload_open_explained(Jsonb *context,
											CoveragePayload *payload,
											const CoverageFindings *findings);
extern void coverage_payload_walk(const CoveragePayload *payload,
								  CoverageEntryCallback callback, void *arg);
extern const char *coverage_json_type_name(const JsonbValue *value);

/* Maximum bytes of a key or type printed in a finding's path or message. */
#define COVERAGE_FINDING_MAX_BYTES 120

extern int	coverage_clip_length(const char *text, int length);

/* diagnostics.c */

/* One reason a payload or a part of it is not used. */
typedef struct CoverageFinding
{
	char	   *path;			/* JSON path such as $.inventory.coverage */
	char	   *problem;
	char	   *excerpt;		/* the value as JSON text, cut; may be NULL */
} CoverageFinding;

typedef struct CoverageFindingList
{
	CoverageFinding *items;
	int			count;
	int			capacity;
	int64		omitted;		/* findings past the cap, counted only */
	MemoryContext context;		/* where kept findings are allocated */
} CoverageFindingList;

/* Findings kept per call; the rest are counted in one closing row. */
#define COVERAGE_MAX_FINDINGS 1000

extern void coverage_payload_explain_root(Jsonb *context,
										  const CoverageFindings *findings);

/* sources.c */

/* What the validated sources look like, for reading their rows. */
typedef struct Sources
{
	bool		context_is_json;	/* context column is json, not jsonb */
} Sources;

/* The kept SPI plans over the host relations. */
typedef enum SourcePlanKind
{
	PLAN_TENANT_BASIS,			/* candidate runs of tenant $1, basis order */
	PLAN_TENANT_BASIS_AT,		/* the same, completed at or before $2 */
	PLAN_TENANT_HISTORY,		/* completed from $2 to $3, oldest first */
	PLAN_TENANT_ITEM_COUNTS,	/* items of tenant $1 per policy_type */
	PLAN_RUN,					/* the run with id $1 */
	PLAN_FLEET_TENANTS,			/* every tenant id in either relation */
	PLAN_FLEET_NEWEST,			/* newest candidate of each tenant in $1 */
	PLAN_FLEET_OLDER,			/* the other candidates of each tenant in $1 */
	PLAN_FLEET_ITEM_COUNTS,		/* items of tenants in $1 per policy_type */
	SOURCE_PLAN_COUNT
} SourcePlanKind;

extern void coverage_truth_open_sources(Sources *sources);
extern SPIPlanPtr coverage_truth_source_plan(SourcePlanKind kind);

/* resolver.c */

/* One catalog row, copied out of SPI memory. */
typedef struct CatalogType
{
	char	   *type;
	int			type_len;
	TypeSegment segment;
	Datum		segment_value;	/* type_segment enum value */
	text	   *label;
	text	   *category;
	text	   *platform;		/* NULL when SQL NULL */
	text	   *restore_mode;
	text	   *risk_level;
	bool		supports_dependencies;
} CatalogType;

/* The supported-type catalog, in result order. */
typedef struct Catalog
{
	int			type_count;
	CatalogType *types;
	int		   *lookup_order;	/* indexes into types, in byte order of type */
} Catalog;

/* The derived coverage of one catalog type for one tenant. */
typedef struct TypeCoverage
{
	CoverageState state;
	bool		has_basis_item_count;
	int64		basis_item_count;
	text	   *basis_error_code;	/* NULL when none */
	int64		observed_item_count;
} TypeCoverage;

/* Everything derived for one tenant. */
typedef struct TenantCoverage
{
	int64		tenant_id;
	const Catalog *catalog;
	TypeCoverage *coverage;		/* parallel to catalog->types */
	bool		has_observed_counts;	/* false for answers about the past */
	bool		has_as_of;		/* freshness measured at as_of, not now */
	TimestampTz as_of;

	bool		has_basis;
	int64		basis_run_id;
	text	   *basis_outcome;	/* NULL when SQL NULL */
	bool		has_completed_at;
	TimestampTz basis_completed_at;
} TenantCoverage;

/* Columns of a candidate run, from the first one of a plan's result. */
#define CANDIDATE_COLUMN_COUNT 4

/* Summary counts and freshness derived from a TenantCoverage. */
typedef struct CoverageSummary
{
	int			state_counts[COVERAGE_STATE_COUNT];
	int			follow_up_count;
	int64		observed_item_total;
	bool		calm_claim_allowed;
	bool		has_age;
	Interval	age;
	bool		is_stale;
} CoverageSummary;

extern Catalog *coverage_truth_load_catalog(MemoryContext result_context);
extern int	coverage_truth_find_type(const Catalog *catalog,
									 const char *type, int type_len);
extern void coverage_truth_init_tenant(TenantCoverage *tenant,
									   const Catalog *catalog, int64 tenant_id,
									   MemoryContext result_context);
extern bool coverage_truth_examine_candidate(TenantCoverage *tenant,
											 HeapTuple tuple, TupleDesc descriptor,
											 int first_column, bool context_is_json,
											 MemoryContext scratch,
											 MemoryContext result_context);
extern void coverage_truth_apply_payload(TypeCoverage *coverage,
										 const Catalog *catalog,
										 const CoveragePayload *payload,
										 MemoryContext result_context);
extern Jsonb *coverage_truth_read_context(Datum value, bool context_is_json);
/* What one run's own payload reports, beside its tenant's current basis. */
typedef struct RunCoverage
{
	int64		run_id;
	bool		found;
	bool		has_tenant;		/* false when the run's tenant_id is NULL */
	TenantCoverage own;			/* states of this run's payload */
	TenantCoverage tenant;		/* the tenant's current basis */
} RunCoverage;

extern TenantCoverage *coverage_truth_resolve_tenant(int64 tenant_id);
extern TenantCoverage *coverage_truth_resolve_tenant_at(int64 tenant_id,
														TimestampTz at);
extern bool coverage_truth_resolve_run(int64 run_id, RunCoverage *run);
extern void coverage_truth_summarize(const TenantCoverage *tenant,
									 CoverageSummary *summary);

/* diagnostics.c, continued: needs the catalog */
extern CoverageFindingList *coverage_truth_explain_payload(Jsonb *context);

/* history.c */

/* Per catalog type, the newest parseable candidate in which it succeeded. */
typedef struct LastSuccess
{
	bool		found;
	int64		run_id;
	bool		has_completed_at;
	TimestampTz completed_at;
	int64		parseable_runs_since;	/* parseable candidates newer than it */
} LastSuccess;

/* The counts that one parseable run establishes on its own. */
typedef struct HistoryPoint
{
	int64		run_id;
	TimestampTz completed_at;
	text	   *outcome;		/* NULL when SQL NULL */
	int			type_count;
	int			state_counts[COVERAGE_STATE_COUNT];
	int			follow_up_count;
} HistoryPoint;

extern LastSuccess *coverage_truth_last_success(int64 tenant_id,
												const Catalog **catalog);
extern HistoryPoint *coverage_truth_history(int64 tenant_id, TimestampTz from,
											TimestampTz to, int *point_count);

/* fleet.c */
extern TenantCoverage *coverage_truth_resolve_fleet(ArrayType *tenant_ids,
													int *tenant_count);

#endif							/* COVERAGE_TRUTH_H */
