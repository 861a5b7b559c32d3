/*-------------------------------------------------------------------------
 *
 * sources.c
 *	  The host application's relations and the SPI plans that read them.
 *
 * The relations come from two settings.  Every call resolves them to OIDs
 * (taking the AccessShareLock a plain SELECT would take) and checks the
 * columns it reads, which costs a few cache lookups.  The plans themselves
 * are prepared once per backend and kept: they are prepared again only when
 * a setting now names another relation or a column's type changed the SQL
 * text.  Any other DDL on the relations is handled by the plan cache, which
 * replans kept plans when their relations change.
 *
 * The SQL text uses only schema-qualified names and OPERATOR(pg_catalog.=),
 * and the relation name in it is rebuilt from the OID with quoting, so
 * neither the caller's search_path nor the setting's spelling can change
 * what a plan reads.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#include "coverage_truth.h"

/* The kinds of column type the extension can read. */
typedef enum ColumnKind
{
	COLUMN_INTEGER,
	COLUMN_TEXT,
	COLUMN_JSON,
	COLUMN_TIMESTAMP
} ColumnKind;

typedef struct RequiredColumn
{
	const char *name;
	ColumnKind	kind;
} RequiredColumn;

static const RequiredColumn runs_columns[] = {
	{"id", COLUMN_INTEGER},
	{"tenant_id", COLUMN_INTEGER},
	{"type", COLUMN_TEXT},
	{"status", COLUMN_TEXT},
	{"outcome", COLUMN_TEXT},
	{"context", COLUMN_JSON},
	{"completed_at", COLUMN_TIMESTAMP},
};

#define RUNS_CONTEXT_COLUMN 5
#define RUNS_COMPLETED_AT_COLUMN 6

static const RequiredColumn items_columns[] = {
	{"tenant_id", COLUMN_INTEGER},
	{"policy_type", COLUMN_TEXT},
};

/* Description of each kind for error messages. */
static const char *const column_kind_names[] = {
	"smallint, integer or bigint",
	"text or character varying",
	"json or jsonb",
	"timestamp with time zone or timestamp without time zone",
};

/* A resolved and validated source relation. */
typedef struct SourceRelation
{
	Oid			relid;
	char	   *qualified_name; /* quoted, for SQL text and messages */
	Oid			column_types[lengthof(runs_columns)];	/* base types */
} SourceRelation;

/* The kept plans and the shape they were prepared for. */
typedef struct PlanCache
{
	bool		valid;
	Oid			runs_relid;
	Oid			items_relid;
	bool		context_is_json;
	bool		completed_at_is_timestamp;
	SPIPlanPtr	basis_plan;
	SPIPlanPtr	item_count_plan;
} PlanCache;

static PlanCache plan_cache;

static void resolve_source(const char *setting, const char *value,
						   const RequiredColumn *columns, int column_count,
						   SourceRelation *source);
static Oid	find_column_type(Relation relation, const char *name);
static bool column_kind_accepts(ColumnKind kind, Oid base_type);
static SPIPlanPtr prepare_kept_plan(const char *sql, int cursor_options);
static void prepare_plans(const SourceRelation *runs,
						  const SourceRelation *items,
						  bool context_is_json,
						  bool completed_at_is_timestamp);

/*
 * Resolve both settings, validate the relations and return the plans that
 * read them, preparing the plans when the sources changed.  The caller must
 * be connected to SPI.
 */
void
coverage_truth_source_plans(SourcePlans *plans)
{
	SourceRelation runs;
	SourceRelation items;
	bool		context_is_json;
	bool		completed_at_is_timestamp;

	resolve_source(RUNS_RELATION_SETTING, coverage_truth_runs_relation,
				   runs_columns, lengthof(runs_columns), &runs);
	resolve_source(ITEMS_RELATION_SETTING, coverage_truth_items_relation,
				   items_columns, lengthof(items_columns), &items);

	context_is_json = runs.column_types[RUNS_CONTEXT_COLUMN] == JSONOID;
	completed_at_is_timestamp =
		runs.column_types[RUNS_COMPLETED_AT_COLUMN] == TIMESTAMPOID;

	if (!plan_cache.valid ||
		plan_cache.runs_relid != runs.relid ||
		plan_cache.items_relid != items.relid ||
		plan_cache.context_is_json != context_is_json ||
		plan_cache.completed_at_is_timestamp != completed_at_is_timestamp)
		prepare_plans(&runs, &items, context_is_json, completed_at_is_timestamp);

	plans->basis_plan = plan_cache.basis_plan;
	plans->item_count_plan = plan_cache.item_count_plan;
	plans->context_is_json = plan_cache.context_is_json;
}

/*
 * Resolve one setting to a relation and check the columns read from it.
 * Raises an error naming the setting, the relation or the column.
 */
static void
resolve_source(const char *setting, const char *value,
			   const RequiredColumn *columns, int column_count,
			   SourceRelation *source)
{
	char	   *raw = pstrdup(value ? value : "");
	List	   *names = NIL;
	RangeVar   *range_var;
	Relation	relation;
	char		relkind;

	if (!SplitIdentifierString(raw, '.', &names) || list_length(names) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("setting \"%s\" must name a schema-qualified relation, not \"%s\"",
						setting, value ? value : ""),
				 errhint("Set it to schema.relation, for example: SET %s = 'public.%s';",
						 setting,
						 columns == runs_columns ? "operation_runs" : "inventory_items")));

	range_var = makeRangeVar(linitial(names), lsecond(names), -1);
	source->relid = RangeVarGetRelid(range_var, AccessShareLock, true);
	if (!OidIsValid(source->relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" named by setting \"%s\" does not exist",
						value, setting),
				 errhint("Create the relation, or set %s to an existing table or view.",
						 setting)));

	relkind = get_rel_relkind(source->relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_VIEW &&
		relkind != RELKIND_MATVIEW && relkind != RELKIND_PARTITIONED_TABLE &&
		relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" named by setting \"%s\" is not a table or view",
						value, setting),
				 errhint("Set %s to a table or view.", setting)));

	source->qualified_name =
		quote_qualified_identifier(get_namespace_name(get_rel_namespace(source->relid)),
								   get_rel_name(source->relid));

	/* The lock taken above is kept, so opening without one is safe. */
	relation = relation_open(source->relid, NoLock);
	for (int i = 0; i < column_count; i++)
	{
		Oid			type = find_column_type(relation, columns[i].name);
		Oid			base_type;

		if (!OidIsValid(type))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							columns[i].name, source->qualified_name),
					 errdetail("Setting \"%s\" names this relation, and coverage_truth reads this column as %s.",
							   setting, column_kind_names[columns[i].kind]),
					 errhint("Add the column, or point %s at a view that exposes it as \"%s\".",
							 setting, columns[i].name)));

		base_type = getBaseType(type);
		if (!column_kind_accepts(columns[i].kind, base_type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has type %s, expected %s",
							columns[i].name, source->qualified_name,
							format_type_be(type),
							column_kind_names[columns[i].kind]),
					 errhint("Point %s at a view that casts \"%s\" to a supported type.",
							 setting, columns[i].name)));

		source->column_types[i] = base_type;
	}
	relation_close(relation, NoLock);
}

/* Return the type of a live column, or InvalidOid when there is none. */
static Oid
find_column_type(Relation relation, const char *name)
{
	TupleDesc	descriptor = RelationGetDescr(relation);

	for (int i = 0; i < descriptor->natts; i++)
	{
		Form_pg_attribute attribute = TupleDescAttr(descriptor, i);

		if (!attribute->attisdropped &&
			strcmp(NameStr(attribute->attname), name) == 0)
			return attribute->atttypid;
	}
	return InvalidOid;
}

static bool
column_kind_accepts(ColumnKind kind, Oid base_type)
{
	switch (kind)
	{
		case COLUMN_INTEGER:
			return base_type == INT2OID || base_type == INT4OID ||
				base_type == INT8OID;
		case COLUMN_TEXT:
			return base_type == TEXTOID || base_type == VARCHAROID;
		case COLUMN_JSON:
			return base_type == JSONOID || base_type == JSONBOID;
		case COLUMN_TIMESTAMP:
			return base_type == TIMESTAMPTZOID || base_type == TIMESTAMPOID;
	}
	return false;
}

static SPIPlanPtr
prepare_kept_plan(const char *sql, int cursor_options)
{
	Oid			argument_types[1] = {INT8OID};
	SPIPlanPtr	plan;

	plan = SPI_prepare_cursor(sql, 1, argument_types, cursor_options);
	if (plan == NULL)
		elog(ERROR, "coverage_truth: SPI_prepare failed for \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "coverage_truth: SPI_keepplan failed");
	return plan;
}

/*
 * Prepare the plans for these relations and keep them for the backend's
 * lifetime.  The basis plan is read through a cursor that usually stops at
 * the first row, so it is planned for a fast start.
 */
static void
prepare_plans(const SourceRelation *runs, const SourceRelation *items,
			  bool context_is_json, bool completed_at_is_timestamp)
{
	StringInfoData sql;
	SPIPlanPtr	basis_plan;
	SPIPlanPtr	item_count_plan;

	/*
	 * A timestamp column is converted with the server's own cast, which
	 * reads it in the session TimeZone, before it is ordered.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT r.id::pg_catalog.int8, r.outcome::pg_catalog.text, %s, r.context"
					 " FROM %s AS r"
					 " WHERE r.tenant_id OPERATOR(pg_catalog.=) $1"
					 " AND r.type OPERATOR(pg_catalog.=) 'inventory_sync'"
					 " AND r.status OPERATOR(pg_catalog.=) 'completed'"
					 " ORDER BY 3 DESC NULLS LAST, r.id DESC",
					 completed_at_is_timestamp ?
					 "r.completed_at::pg_catalog.timestamptz" : "r.completed_at",
					 runs->qualified_name);
	basis_plan = prepare_kept_plan(sql.data, CURSOR_OPT_FAST_PLAN);

	resetStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT i.policy_type::pg_catalog.text, pg_catalog.count(*)"
					 " FROM %s AS i"
					 " WHERE i.tenant_id OPERATOR(pg_catalog.=) $1"
					 " GROUP BY i.policy_type",
					 items->qualified_name);
	item_count_plan = prepare_kept_plan(sql.data, 0);

	if (plan_cache.valid)
	{
		SPI_freeplan(plan_cache.basis_plan);
		SPI_freeplan(plan_cache.item_count_plan);
	}

	plan_cache.basis_plan = basis_plan;
	plan_cache.item_count_plan = item_count_plan;
	plan_cache.runs_relid = runs->relid;
	plan_cache.items_relid = items->relid;
	plan_cache.context_is_json = context_is_json;
	plan_cache.completed_at_is_timestamp = completed_at_is_timestamp;
	plan_cache.valid = true;
}
