/*-------------------------------------------------------------------------
 *
 * payload.c
 *	  The canonical parser of a run context's inventory.coverage payload.
 *
 * The parser reads jsonb containers at fixed depths only: context,
 * inventory, coverage, list, entry and entry member.  It never descends
 * into anything else, so a deeply nested or huge value costs nothing beyond
 * the entries it lists and cannot exhaust the stack.  No jsonb value makes
 * it raise an error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "coverage_truth.h"

const char *const coverage_state_labels[COVERAGE_STATE_COUNT] = {
	"succeeded", "failed", "skipped", "unknown"
};

const char *const type_segment_labels[SEGMENT_COUNT] = {
	"policy", "foundation"
};

/* Payload list keys, indexed by TypeSegment. */
static const char *const list_keys[SEGMENT_COUNT] = {
	"policy_types", "foundation_types"
};

/* Decimal digits of PG_INT64_MAX, the largest item_count kept. */
#define INT64_MAX_DIGITS "9223372036854775807"

/* Where the walk is, for findings; unused on the fast path. */
typedef struct WalkPosition
{
	const CoverageFindings *findings;
	StringInfoData path;
	int			element;		/* index in an array-form list */
} WalkPosition;

static JsonbContainer *get_container_member(JsonbContainer *container,
											const char *key,
											JsonbValue *member,
											bool *present);
static bool open_step(JsonbContainer *container, const char *key,
					  const char *path, const CoverageFindings *findings,
					  JsonbContainer **step);
static bool parse_status(const JsonbValue *value, CoverageState *status);
static bool parse_item_count(const JsonbValue *value, int64 *item_count);
static void accept_entry(TypeSegment list, const JsonbValue *key,
						 JsonbValue *value, WalkPosition *position,
						 CoverageEntryCallback callback, void *arg);
static void report(const WalkPosition *position, const char *problem,
				   const JsonbValue *value);

/*
 * Find the payload's lists.  Returns false when the context is unparseable:
 * a step of context -> inventory -> coverage is missing or not an object, or
 * neither list is a JSON object or array.
 */
bool
coverage_payload_open(Jsonb *context, CoveragePayload *payload)
{
	return coverage_payload_open_explained(context, payload, NULL);
}

/*
 * coverage_payload_open, reporting each reason the payload or a list is
 * rejected to findings when it is not NULL.  The walk over the payload then
 * reports dropped entries and ignored members too.
 */
bool
coverage_payload_open_explained(Jsonb *context, CoveragePayload *payload,
								const CoverageFindings *findings)
{
	JsonbContainer *inventory;
	JsonbContainer *coverage;
	bool		found = false;

	memset(payload, 0, sizeof(CoveragePayload));
	payload->findings = findings;

	if (context == NULL)
	{
		if (findings)
			findings->report(findings->arg, "$", "context is NULL", NULL);
		return false;
	}

	/* A scalar root, including a double-encoded string, is not an object. */
	if (!JB_ROOT_IS_OBJECT(context))
	{
		if (findings)
			coverage_payload_explain_root(context, findings);
		return false;
	}

	if (!open_step(&context->root, "inventory", "$.inventory", findings, &inventory) ||
		!open_step(inventory, "coverage", "$.inventory.coverage", findings, &coverage))
		return false;

	for (int list = 0; list < SEGMENT_COUNT; list++)
	{
		JsonbValue	member;
		bool		present;

		/* Any container is an object or an array; scalars are ignored. */
		payload->lists[list] = get_container_member(coverage, list_keys[list],
													&member, &present);
		if (payload->lists[list] != NULL)
			found = true;
		else if (findings && present)
		{
			char	   *path = psprintf("$.inventory.coverage.%s", list_keys[list]);

			findings->report(findings->arg, path,
							 psprintf("list is a JSON %s, not an object or array, and is ignored",
									  coverage_json_type_name(&member)),
							 &member);
		}
	}

	if (!found && findings)
		findings->report(findings->arg, "$.inventory.coverage",
						 "neither policy_types nor foundation_types is a JSON object or array",
						 NULL);
	return found;
}

/*
 * Call callback for every accepted entry, policy_types first, each list in
 * storage order, so a later entry for the same type replaces an earlier one.
 */
void
coverage_payload_walk(const CoveragePayload *payload,
					  CoverageEntryCallback callback, void *arg)
{
	WalkPosition position = {payload->findings};
	MemoryContext entry_context = NULL;

	/*
	 * While explaining, the messages built for a dropped entry are garbage
	 * once reported, so each entry is examined in a context reset after it.
	 */
	if (position.findings)
	{
		initStringInfo(&position.path);
		entry_context = AllocSetContextCreate(CurrentMemoryContext,
											  "coverage_truth explain entry",
											  ALLOCSET_SMALL_SIZES);
	}

	for (int list = 0; list < SEGMENT_COUNT; list++)
	{
		JsonbContainer *container = payload->lists[list];
		JsonbIterator *iterator;
		JsonbIteratorToken token;
		JsonbValue	value;
		JsonbValue	key = {0};
		int			element = 0;

		if (container == NULL)
			continue;

		iterator = JsonbIteratorInit(container);
		while ((token = JsonbIteratorNext(&iterator, &value, true)) != WJB_DONE)
		{
			if (token == WJB_KEY)
			{
				key = value;
				continue;
			}
			if (token != WJB_VALUE && token != WJB_ELEM)
				continue;

			position.element = element;
			if (position.findings)
			{
				resetStringInfo(&position.path);
				appendStringInfo(&position.path, "$.inventory.coverage.%s", list_keys[list]);
				if (token == WJB_VALUE)
					appendStringInfo(&position.path, ".%.*s",
									 coverage_clip_length(key.val.string.val,
														  key.val.string.len),
									 key.val.string.val);
				else
					appendStringInfo(&position.path, "[%d]", element);
			}

			if (entry_context != NULL)
			{
				MemoryContext previous = MemoryContextSwitchTo(entry_context);

				accept_entry((TypeSegment) list, token == WJB_VALUE ? &key : NULL,
							 &value, &position, callback, arg);
				MemoryContextSwitchTo(previous);
				MemoryContextReset(entry_context);
			}
			else
				accept_entry((TypeSegment) list, token == WJB_VALUE ? &key : NULL,
							 &value, &position, callback, arg);
			element++;
			CHECK_FOR_INTERRUPTS();
		}
	}

	if (entry_context != NULL)
		MemoryContextDelete(entry_context);
}

/*
 * Return how many bytes of a string to print in a finding: all of it, or a
 * prefix of at most COVERAGE_FINDING_MAX_BYTES ending on a character
 * boundary, so a huge key cannot make a huge path or message.
 */
int
coverage_clip_length(const char *text, int length)
{
	if (length <= COVERAGE_FINDING_MAX_BYTES)
		return length;
	return pg_mbcliplen(text, length, COVERAGE_FINDING_MAX_BYTES);
}

/* Return the name of a JSON value's type, as in jsonb_typeof. */
const char *
coverage_json_type_name(const JsonbValue *value)
{
	switch (value->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvBinary:
			return JsonContainerIsObject(value->val.binary.data) ? "object" : "array";
		default:
			return "value";
	}
}

/*
 * Look up key in an object container.  Returns the member when it is a
 * container (object or array), otherwise NULL.  member receives the value
 * and present whether the key exists at all.
 */
static JsonbContainer *
get_container_member(JsonbContainer *container, const char *key,
					 JsonbValue *member, bool *present)
{
	*present = getKeyJsonValueFromContainer(container, key, strlen(key), member) != NULL;
	if (!*present || member->type != jbvBinary)
		return NULL;
	return member->val.binary.data;
}

/* Open one object step of the payload path, reporting why it fails. */
static bool
open_step(JsonbContainer *container, const char *key, const char *path,
		  const CoverageFindings *findings, JsonbContainer **step)
{
	JsonbValue	member;
	bool		present;

	*step = get_container_member(container, key, &member, &present);
	if (*step != NULL && JsonContainerIsObject(*step))
		return true;

	if (findings)
	{
		if (!present)
			findings->report(findings->arg, path, "member is missing", NULL);
		else
			findings->report(findings->arg, path,
							 psprintf("member is a JSON %s, not an object",
									  coverage_json_type_name(&member)),
							 &member);
	}
	return false;
}

static void
report(const WalkPosition *position, const char *problem, const JsonbValue *value)
{
	if (position->findings)
		position->findings->report(position->findings->arg,
								   position->path.data, problem, value);
}

/*
 * Validate one list entry and pass it on.  key is the object key in object
 * form and NULL in array form, where the entry's "type" member names it.
 */
static void
accept_entry(TypeSegment list, const JsonbValue *key, JsonbValue *value,
			 WalkPosition *position, CoverageEntryCallback callback, void *arg)
{
	JsonbContainer *fields;
	JsonbValue	member;
	CoverageEntry entry = {0};
	bool		explaining = position->findings != NULL;

	if (value->type != jbvBinary || !JsonContainerIsObject(value->val.binary.data))
	{
		if (explaining)
			report(position, psprintf("entry is a JSON %s, not an object, and is dropped",
									  coverage_json_type_name(value)), value);
		return;
	}
	fields = value->val.binary.data;

	if (key != NULL)
	{
		entry.type = key->val.string.val;
		entry.type_len = key->val.string.len;
	}
	else if (getKeyJsonValueFromContainer(fields, "type", 4, &member) == NULL)
	{
		report(position, "entry has no \"type\" member and is dropped", value);
		return;
	}
	else if (member.type != jbvString)
	{
		if (explaining)
			report(position, psprintf("\"type\" is a JSON %s, not a string, so the entry is dropped",
									  coverage_json_type_name(&member)), &member);
		return;
	}
	else
	{
		entry.type = member.val.string.val;
		entry.type_len = member.val.string.len;
	}

	/* An empty key is dropped like an empty "type" member. */
	if (entry.type_len == 0)
	{
		report(position, "type is an empty string, so the entry is dropped", value);
		return;
	}

	if (getKeyJsonValueFromContainer(fields, "status", 6, &member) == NULL)
	{
		report(position, "entry has no \"status\" member and is dropped", value);
		return;
	}
	if (!parse_status(&member, &entry.status))
	{
		report(position, member.type == jbvString ?
			   "\"status\" is not succeeded, failed or skipped, so the entry is dropped" :
			   "\"status\" is not a JSON string, so the entry is dropped",
			   &member);
		return;
	}

	if (getKeyJsonValueFromContainer(fields, "item_count", 10, &member) != NULL)
	{
		entry.has_item_count = parse_item_count(&member, &entry.item_count);
		if (!entry.has_item_count)
			report(position, "\"item_count\" is not an integral JSON number from 0 to 9223372036854775807, so item_count is NULL",
				   &member);
	}

	if (getKeyJsonValueFromContainer(fields, "error_code", 10, &member) != NULL)
	{
		if (entry.status == COVERAGE_SUCCEEDED)
			report(position, "\"error_code\" is ignored because the status is succeeded", &member);
		else if (member.type != jbvString)
			report(position, "\"error_code\" is not a JSON string and is ignored", &member);
		else if (member.val.string.len == 0)
			report(position, "\"error_code\" is empty and is ignored", &member);
		else
		{
			entry.error_code = member.val.string.val;
			entry.error_code_len = member.val.string.len;
		}
	}

	entry.list = list;
	entry.path = explaining ? position->path.data : NULL;
	entry.element = key != NULL ? -1 : position->element;
	callback(&entry, arg);
}

static bool
is_json_whitespace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Compare to a lower-case ASCII word, folding ASCII letters only. */
static bool
equals_ascii_word(const char *text, int length, const char *word)
{
	int			word_length = strlen(word);

	if (length != word_length)
		return false;

	for (int i = 0; i < length; i++)
	{
		char		c = text[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != word[i])
			return false;
	}
	return true;
}

/*
 * Accept a JSON string equal to succeeded, failed or skipped after trimming
 * JSON white space and ignoring ASCII case.  Locale-aware folding would let
 * other letters match in some encodings, so it is done by hand.
 */
static bool
parse_status(const JsonbValue *value, CoverageState *status)
{
	const char *start;
	const char *end;

	if (value->type != jbvString)
		return false;

	start = value->val.string.val;
	end = start + value->val.string.len;
	while (start < end && is_json_whitespace(*start))
		start++;
	while (end > start && is_json_whitespace(end[-1]))
		end--;

	for (int state = COVERAGE_SUCCEEDED; state < COVERAGE_UNKNOWN; state++)
	{
		if (equals_ascii_word(start, end - start, coverage_state_labels[state]))
		{
			*status = (CoverageState) state;
			return true;
		}
	}
	return false;
}

/*
 * Accept a JSON number with an integral value from 0 to PG_INT64_MAX.
 * numeric_normalize prints the value without trailing fractional zeros, so
 * 5.0 and 1e2 come out as "5" and "100", and any other fraction keeps a
 * decimal point.  Working on that text avoids numeric functions that raise.
 */
static bool
parse_item_count(const JsonbValue *value, int64 *item_count)
{
	char	   *digits;
	size_t		length;
	bool		valid = true;

	if (value->type != jbvNumeric)
		return false;

	digits = numeric_normalize(value->val.numeric);
	length = strlen(digits);

	if (length == 0 || length > strlen(INT64_MAX_DIGITS))
		valid = false;
	for (size_t i = 0; valid && i < length; i++)
	{
		if (digits[i] < '0' || digits[i] > '9')
			valid = false;
	}
	if (valid && length == strlen(INT64_MAX_DIGITS) &&
		strcmp(digits, INT64_MAX_DIGITS) > 0)
		valid = false;

	if (valid)
	{
		int64		result = 0;

		for (size_t i = 0; i < length; i++)
			result = result * 10 + (digits[i] - '0');
		*item_count = result;
	}

	pfree(digits);
	return valid;
}
