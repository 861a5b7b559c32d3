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
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
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
	bool		text_deterministic; /* every text column's collation is */
} SourceRelation;

/* The kept plans and the sources they were prepared for. */
typedef struct PlanCache
{
	bool		valid;
	Oid			runs_relid;
	Oid			items_relid;
	bool		context_is_json;
	bool		completed_at_is_timestamp;
	bool		items_deterministic;	/* group policy_type as stored */
	char	   *runs_name;		/* quoted, in TopMemoryContext */
	char	   *items_name;
	SPIPlanPtr	plans[SOURCE_PLAN_COUNT];	/* prepared on first use */
} PlanCache;

static PlanCache plan_cache;

static void resolve_source(const char *setting, const char *value,
						   const RequiredColumn *columns, int column_count,
						   SourceRelation *source);
static void check_source_privileges(const char *setting,
									const SourceRelation *source,
									const RequiredColumn *columns,
									int column_count);
static Oid	find_column_type(Relation relation, const char *name,
							 Oid *collation);
static bool column_kind_accepts(ColumnKind kind, Oid base_type);
static void reset_plan_cache(const SourceRelation *runs,
							 const SourceRelation *items,
							 bool context_is_json,
							 bool completed_at_is_timestamp);
static char *build_plan_sql(SourcePlanKind kind);

/*
 * Resolve both settings and validate the relations they name.  Kept plans
 * are dropped when a setting now names another relation or a column type
 * changed the SQL text.  The caller must be connected to SPI.
 */
void
coverage_truth_open_sources(Sources *sources)
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
		plan_cache.completed_at_is_timestamp != completed_at_is_timestamp ||
		plan_cache.items_deterministic != items.text_deterministic)
		reset_plan_cache(&runs, &items, context_is_json, completed_at_is_timestamp);

	sources->context_is_json = context_is_json;
}

/*
 * Return the kept plan of this kind, preparing it on first use.  Call
 * coverage_truth_open_sources first in the same SPI connection.
 */
SPIPlanPtr
coverage_truth_source_plan(SourcePlanKind kind)
{
	Oid			argument_types[3] = {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	int			argument_count = 1;
	int			cursor_options = 0;
	char	   *sql;
	SPIPlanPtr	plan;

	Assert(plan_cache.valid);
	if (plan_cache.plans[kind] != NULL)
		return plan_cache.plans[kind];

	switch (kind)
	{
		case PLAN_TENANT_BASIS:
		case PLAN_RUN:
			/* Read through a cursor that usually stops at the first row. */
			cursor_options = CURSOR_OPT_FAST_PLAN;
			break;
		case PLAN_TENANT_BASIS_AT:
			argument_count = 2;
			cursor_options = CURSOR_OPT_FAST_PLAN;
			break;
		case PLAN_TENANT_HISTORY:
			argument_count = 3;
			break;
		case PLAN_TENANT_ITEM_COUNTS:
			break;
		case PLAN_FLEET_TENANTS:
			argument_count = 0;
			break;
		case PLAN_FLEET_NEWEST:
		case PLAN_FLEET_OLDER:
		case PLAN_FLEET_ITEM_COUNTS:
			argument_types[0] = INT8ARRAYOID;
			break;
		case SOURCE_PLAN_COUNT:
			elog(ERROR, "coverage_truth: invalid plan kind %d", (int) kind);
	}

	sql = build_plan_sql(kind);
	plan = SPI_prepare_cursor(sql, argument_count, argument_types, cursor_options);
	if (plan == NULL)
		elog(ERROR, "coverage_truth: SPI_prepare failed for \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "coverage_truth: SPI_keepplan failed");

	plan_cache.plans[kind] = plan;
	return plan;
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

	check_source_privileges(setting, source, columns, column_count);

	/* The lock taken above is kept, so opening without one is safe. */
	relation = relation_open(source->relid, NoLock);
	source->text_deterministic = true;
	for (int i = 0; i < column_count; i++)
	{
		Oid			collation;
		Oid			type = find_column_type(relation, columns[i].name, &collation);
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
		if (columns[i].kind == COLUMN_TEXT && OidIsValid(collation) &&
			!get_collation_isdeterministic(collation))
			source->text_deterministic = false;
	}
	relation_close(relation, NoLock);
}

/*
 * Raise the permission error the SELECT would raise, but naming the setting
 * and the fix.  The query itself still checks privileges and row security
 * as for any SELECT of the caller; this only makes the message useful.
 */
static void
check_source_privileges(const char *setting, const SourceRelation *source,
						const RequiredColumn *columns, int column_count)
{
	Oid			user = GetUserId();
	Oid			namespace = get_rel_namespace(source->relid);

	if (pg_namespace_aclcheck(namespace, user, ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for schema %s of relation %s named by setting \"%s\"",
						quote_identifier(get_namespace_name(namespace)),
						source->qualified_name, setting),
				 errhint("GRANT USAGE ON SCHEMA %s to the role, or run coverage_truth.check_sources() to see every problem.",
						 quote_identifier(get_namespace_name(namespace)))));

	if (pg_class_aclcheck(source->relid, user, ACL_SELECT) == ACLCHECK_OK)
		return;

	for (int i = 0; i < column_count; i++)
	{
		AttrNumber	attnum = get_attnum(source->relid, columns[i].name);

		if (attnum != InvalidAttrNumber &&
			pg_attribute_aclcheck(source->relid, attnum, user, ACL_SELECT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for column \"%s\" of relation %s named by setting \"%s\"",
							columns[i].name, source->qualified_name, setting),
					 errhint("GRANT SELECT on the columns coverage_truth reads, or run coverage_truth.check_sources() to see every problem.")));
	}
}

/*
 * Return the type of a live column and its collation, or InvalidOid when
 * there is no such column.
 */
static Oid
find_column_type(Relation relation, const char *name, Oid *collation)
{
	TupleDesc	descriptor = RelationGetDescr(relation);

	for (int i = 0; i < descriptor->natts; i++)
	{
		Form_pg_attribute attribute = TupleDescAttr(descriptor, i);

		if (!attribute->attisdropped &&
			strcmp(NameStr(attribute->attname), name) == 0)
		{
			*collation = attribute->attcollation;
			return attribute->atttypid;
		}
	}
	*collation = InvalidOid;
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

/* Forget the kept plans and remember the sources the next ones read. */
static void
reset_plan_cache(const SourceRelation *runs, const SourceRelation *items,
				 bool context_is_json, bool completed_at_is_timestamp)
{
	for (int kind = 0; kind < SOURCE_PLAN_COUNT; kind++)
	{
		if (plan_cache.plans[kind] != NULL)
			SPI_freeplan(plan_cache.plans[kind]);
		plan_cache.plans[kind] = NULL;
	}
	if (plan_cache.runs_name != NULL)
		pfree(plan_cache.runs_name);
	if (plan_cache.items_name != NULL)
		pfree(plan_cache.items_name);

	plan_cache.runs_name = MemoryContextStrdup(TopMemoryContext, runs->qualified_name);
	plan_cache.items_name = MemoryContextStrdup(TopMemoryContext, items->qualified_name);
	plan_cache.runs_relid = runs->relid;
	plan_cache.items_relid = items->relid;
	plan_cache.context_is_json = context_is_json;
	plan_cache.completed_at_is_timestamp = completed_at_is_timestamp;
	plan_cache.items_deterministic = items->text_deterministic;
	plan_cache.valid = true;
}

/*
 * The candidate runs of one tenant, newest first, as the columns that
 * coverage_truth_examine_candidate reads.  A timestamp completed_at is
 * converted with the server's own cast, which reads it in the session
 * TimeZone, before it is ordered.
 */
static void
append_candidates_sql(StringInfo sql, const char *tenant_expression,
					  const char *extra_condition, const char *order_clause)
{
	const char *completed_at = plan_cache.completed_at_is_timestamp ?
		"r.completed_at::pg_catalog.timestamptz" : "r.completed_at";

	appendStringInfo(sql,
					 "SELECT r.id::pg_catalog.int8 AS id, r.outcome::pg_catalog.text AS outcome,"
					 " %s AS completed_at, r.context AS context"
					 " FROM %s AS r"
					 " WHERE r.tenant_id OPERATOR(pg_catalog.=) %s"
					 " AND r.type OPERATOR(pg_catalog.=) 'inventory_sync'"
					 " AND r.status OPERATOR(pg_catalog.=) 'completed'",
					 completed_at, plan_cache.runs_name, tenant_expression);
	if (extra_condition != NULL)
		appendStringInfo(sql, " AND %s", extra_condition);
	appendStringInfo(sql, " %s", order_clause);
}

/*
 * Item counts group policy_type by its bytes.  With a deterministic
 * collation, equal values have equal bytes, so grouping by the column as
 * stored streams the groups off the (tenant_id, policy_type) index.  A
 * non-deterministic collation would merge keys the catalog distinguishes, so
 * then the grouping uses COLLATE "C" and hashes.
 */
#define ITEM_TYPE_KEY(deterministic) \
	((deterministic) ? "i.policy_type" : "(i.policy_type::pg_catalog.text COLLATE \"C\")")

/* Basis order: newest completed_at first, NULL last, then highest id. */
#define BASIS_ORDER "ORDER BY 3 DESC NULLS LAST, r.id DESC"

static char *
build_plan_sql(SourcePlanKind kind)
{
	StringInfoData sql;

	initStringInfo(&sql);
	switch (kind)
	{
		case PLAN_TENANT_BASIS:
			append_candidates_sql(&sql, "$1", NULL, BASIS_ORDER);
			break;

		case PLAN_TENANT_BASIS_AT:
			/* A NULL completed_at fails the comparison, so it is excluded. */
			append_candidates_sql(&sql, "$1",
								  plan_cache.completed_at_is_timestamp ?
								  "r.completed_at::pg_catalog.timestamptz OPERATOR(pg_catalog.<=) $2" :
								  "r.completed_at OPERATOR(pg_catalog.<=) $2",
								  BASIS_ORDER);
			break;

		case PLAN_TENANT_HISTORY:
			append_candidates_sql(&sql, "$1",
								  plan_cache.completed_at_is_timestamp ?
								  "r.completed_at::pg_catalog.timestamptz OPERATOR(pg_catalog.>=) $2"
								  " AND r.completed_at::pg_catalog.timestamptz OPERATOR(pg_catalog.<=) $3" :
								  "r.completed_at OPERATOR(pg_catalog.>=) $2"
								  " AND r.completed_at OPERATOR(pg_catalog.<=) $3",
								  "ORDER BY 3, r.id");
			break;

		case PLAN_TENANT_ITEM_COUNTS:
			appendStringInfo(&sql,
							 "SELECT %s::pg_catalog.text, pg_catalog.count(*)"
							 " FROM %s AS i"
							 " WHERE i.tenant_id OPERATOR(pg_catalog.=) $1"
							 " GROUP BY %s",
							 ITEM_TYPE_KEY(plan_cache.items_deterministic),
							 plan_cache.items_name,
							 ITEM_TYPE_KEY(plan_cache.items_deterministic));
			break;

		case PLAN_RUN:
			appendStringInfo(&sql,
							 "SELECT r.tenant_id::pg_catalog.int8, r.context"
							 " FROM %s AS r"
							 " WHERE r.id OPERATOR(pg_catalog.=) $1",
							 plan_cache.runs_name);
			break;

		case PLAN_FLEET_TENANTS:
			/* Grouping each side first keeps the UNION's hash small. */
			appendStringInfo(&sql,
							 "SELECT r.tenant_id::pg_catalog.int8 FROM %s AS r"
							 " WHERE r.tenant_id IS NOT NULL GROUP BY 1"
							 " UNION"
							 " SELECT i.tenant_id::pg_catalog.int8 FROM %s AS i"
							 " WHERE i.tenant_id IS NOT NULL GROUP BY 1",
							 plan_cache.runs_name, plan_cache.items_name);
			break;

		case PLAN_FLEET_NEWEST:

			/*
			 * One index probe per tenant for its newest candidate.  A jsonb
			 * context is tested by the parser inside the probe, which then
			 * stops at the first parseable candidate, so every tenant is
			 * resolved here.  A json context must be converted in a
			 * subtransaction, which only the C code can do, so for json
			 * the probe stops at the newest candidate and PLAN_FLEET_OLDER
			 * handles the tenants whose newest payload is unparseable.
			 */
			appendStringInfoString(&sql,
								   "SELECT t.tenant_id, c.id, c.outcome, c.completed_at, c.context"
								   " FROM pg_catalog.unnest($1) AS t(tenant_id)"
								   " CROSS JOIN LATERAL (");
			append_candidates_sql(&sql, "t.tenant_id",
								  plan_cache.context_is_json ? NULL :
								  "coverage_truth.coverage_is_parseable(r.context)",
								  BASIS_ORDER " LIMIT 1");
			appendStringInfoString(&sql, ") AS c");
			break;

		case PLAN_FLEET_OLDER:

			/*
			 * The remaining candidates of tenants whose newest one was not
			 * parseable, in basis order per tenant.
			 */
			appendStringInfoString(&sql,
								   "SELECT t.tenant_id, c.id, c.outcome, c.completed_at, c.context"
								   " FROM pg_catalog.unnest($1) AS t(tenant_id)"
								   " CROSS JOIN LATERAL (");
			append_candidates_sql(&sql, "t.tenant_id", NULL, BASIS_ORDER " OFFSET 1");
			appendStringInfoString(&sql,
								   ") AS c"
								   " ORDER BY t.tenant_id, c.completed_at DESC NULLS LAST, c.id DESC");
			break;

		case PLAN_FLEET_ITEM_COUNTS:
			appendStringInfo(&sql,
							 "SELECT i.tenant_id::pg_catalog.int8, %s::pg_catalog.text,"
							 " pg_catalog.count(*)"
							 " FROM %s AS i"
							 " WHERE i.tenant_id OPERATOR(pg_catalog.=) ANY ($1)"
							 " GROUP BY i.tenant_id, %s",
							 ITEM_TYPE_KEY(plan_cache.items_deterministic),
							 plan_cache.items_name,
							 ITEM_TYPE_KEY(plan_cache.items_deterministic));
			break;

		case SOURCE_PLAN_COUNT:
			elog(ERROR, "coverage_truth: invalid plan kind %d", (int) kind);
	}
	return sql.data;
}
