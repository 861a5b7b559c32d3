/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The extension's settings (GUCs) and module initialization.
 *
 * The relation settings are plain strings: they are resolved and validated
 * when a function reads them (sources.c), because a check hook cannot look
 * up relations and must not raise.  stale_after is parsed here with the
 * server's own interval decoder, which reports errors as return codes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdlib.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "coverage_truth.h"

PG_MODULE_MAGIC;

char	   *coverage_truth_runs_relation = NULL;
char	   *coverage_truth_items_relation = NULL;
Interval   *coverage_truth_stale_after = NULL;

static char *stale_after_text = NULL;

static bool check_stale_after(char **newval, void **extra, GucSource source);
static void assign_stale_after(const char *newval, void *extra);

void		_PG_init(void);

/*
 * Define the settings; everything else initializes lazily on first use.
 */
void
_PG_init(void)
{
	coverage_truth_define_settings();
}

void
coverage_truth_define_settings(void)
{
	DefineCustomStringVariable(RUNS_RELATION_SETTING,
							   "Schema-qualified table or view that coverage_truth reads operation runs from.",
							   "It needs the columns id, tenant_id, type, status, outcome, context and completed_at.",
							   &coverage_truth_runs_relation,
							   "public.operation_runs",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable(ITEMS_RELATION_SETTING,
							   "Schema-qualified table or view that coverage_truth reads inventory items from.",
							   "It needs the columns tenant_id and policy_type.",
							   &coverage_truth_items_relation,
							   "public.inventory_items",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomStringVariable(STALE_AFTER_SETTING,
							   "Age after which a tenant's basis run is reported as stale.",
							   "An interval such as '26 hours' or '2 days'; it never changes a coverage state.",
							   &stale_after_text,
							   "26 hours",
							   PGC_USERSET,
							   0,
							   check_stale_after, assign_stale_after, NULL);

	MarkGUCPrefixReserved("coverage_truth");
}

/*
 * Parse an interval the way interval_in does, but without raising: a GUC
 * check hook reports problems through its return value.
 */
static bool
check_stale_after(char **newval, void **extra, GucSource source)
{
	char		workbuf[256];
	char	   *fields[MAXDATEFIELDS];
	int			field_types[MAXDATEFIELDS];
	int			field_count;
	int			value_type = 0;
	struct pg_itm_in itm;
	Interval	parsed;
	Interval	zero = {0};
	Interval   *result;
	int			error;

	error = ParseDateTime(*newval, workbuf, sizeof(workbuf), fields,
						  field_types, MAXDATEFIELDS, &field_count);
	if (error == 0)
		error = DecodeInterval(fields, field_types, field_count,
							   INTERVAL_FULL_RANGE, &value_type, &itm);
	if (error == DTERR_BAD_FORMAT)
		error = DecodeISO8601Interval(*newval, &value_type, &itm);

	if (error != 0 || value_type != DTK_DELTA || itmin2interval(&itm, &parsed) != 0)
	{
		GUC_check_errdetail("\"%s\" is not a valid interval.", *newval);
		GUC_check_errhint("Use an interval such as '26 hours' or '2 days'.");
		return false;
	}

	if (DatumGetInt32(DirectFunctionCall2(interval_cmp,
										  IntervalPGetDatum(&parsed),
										  IntervalPGetDatum(&zero))) < 0)
	{
		GUC_check_errdetail("The interval \"%s\" is negative.", *newval);
		GUC_check_errhint("Use a positive interval such as '26 hours'.");
		return false;
	}

	/* The GUC machinery frees extra with free(), so allocate with malloc. */
	result = malloc(sizeof(Interval));
	if (result == NULL)
		return false;
	*result = parsed;
	*extra = result;
	return true;
}

static void
assign_stale_after(const char *newval, void *extra)
{
	coverage_truth_stale_after = (Interval *) extra;
}
