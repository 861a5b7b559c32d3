/*-------------------------------------------------------------------------
 *
 * payload.c
 *	  The canonical parser of a run context's inventory.coverage payload.
 *
 * The parser reads jsonb containers at fixed depths only (context,
 * inventory, coverage, list, entry, entry member) and never descends into
 * anything else, so a deeply nested or huge value costs nothing beyond the
 * entries it lists and cannot exhaust the stack.  No jsonb value makes it
 * raise an error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
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

static JsonbContainer *get_container_member(JsonbContainer *container,
											const char *key);
static bool parse_status(const JsonbValue *value, CoverageState *status);
static bool parse_item_count(const JsonbValue *value, int64 *item_count);
static void accept_entry(TypeSegment list, const JsonbValue *key,
						 JsonbValue *value, CoverageEntryCallback callback,
						 void *arg);

/*
 * Find the payload's lists.  Returns false when the context is unparseable:
 * a step of context -> inventory -> coverage is missing or not an object, or
 * neither list is a JSON object or array.
 */
bool
coverage_payload_open(Jsonb *context, CoveragePayload *payload)
{
	JsonbContainer *inventory;
	JsonbContainer *coverage;
	bool		found = false;

	memset(payload, 0, sizeof(CoveragePayload));

	/* A scalar root, including a double-encoded string, is not an object. */
	if (context == NULL || !JB_ROOT_IS_OBJECT(context))
		return false;

	inventory = get_container_member(&context->root, "inventory");
	if (inventory == NULL || !JsonContainerIsObject(inventory))
		return false;

	coverage = get_container_member(inventory, "coverage");
	if (coverage == NULL || !JsonContainerIsObject(coverage))
		return false;

	for (int list = 0; list < SEGMENT_COUNT; list++)
	{
		/* Any container is an object or an array; scalars are ignored. */
		payload->lists[list] = get_container_member(coverage, list_keys[list]);
		if (payload->lists[list] != NULL)
			found = true;
	}

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
	for (int list = 0; list < SEGMENT_COUNT; list++)
	{
		JsonbContainer *container = payload->lists[list];
		JsonbIterator *iterator;
		JsonbIteratorToken token;
		JsonbValue	value;
		JsonbValue	key = {0};

		if (container == NULL)
			continue;

		iterator = JsonbIteratorInit(container);
		while ((token = JsonbIteratorNext(&iterator, &value, true)) != WJB_DONE)
		{
			if (token == WJB_KEY)
				key = value;
			else if (token == WJB_VALUE)
				accept_entry((TypeSegment) list, &key, &value, callback, arg);
			else if (token == WJB_ELEM)
				accept_entry((TypeSegment) list, NULL, &value, callback, arg);

			CHECK_FOR_INTERRUPTS();
		}
	}
}

/*
 * Return the member key of an object container when the member is itself a
 * container (object or array), otherwise NULL.
 */
static JsonbContainer *
get_container_member(JsonbContainer *container, const char *key)
{
	JsonbValue	member;

	if (getKeyJsonValueFromContainer(container, key, strlen(key), &member) == NULL)
		return NULL;
	if (member.type != jbvBinary)
		return NULL;
	return member.val.binary.data;
}

/*
 * Validate one list entry and pass it on.  key is the object key in object
 * form and NULL in array form, where the entry's "type" member names it.
 */
static void
accept_entry(TypeSegment list, const JsonbValue *key, JsonbValue *value,
			 CoverageEntryCallback callback, void *arg)
{
	JsonbContainer *fields;
	JsonbValue	member;
	CoverageEntry entry = {0};

	if (value->type != jbvBinary || !JsonContainerIsObject(value->val.binary.data))
		return;
	fields = value->val.binary.data;

	if (key != NULL)
	{
		entry.type = key->val.string.val;
		entry.type_len = key->val.string.len;
	}
	else if (getKeyJsonValueFromContainer(fields, "type", 4, &member) != NULL &&
			 member.type == jbvString)
	{
		entry.type = member.val.string.val;
		entry.type_len = member.val.string.len;
	}

	/* An empty key is dropped like an empty "type" member. */
	if (entry.type == NULL || entry.type_len == 0)
		return;

	if (getKeyJsonValueFromContainer(fields, "status", 6, &member) == NULL ||
		!parse_status(&member, &entry.status))
		return;

	if (getKeyJsonValueFromContainer(fields, "item_count", 10, &member) != NULL)
		entry.has_item_count = parse_item_count(&member, &entry.item_count);

	if (entry.status != COVERAGE_SUCCEEDED &&
		getKeyJsonValueFromContainer(fields, "error_code", 10, &member) != NULL &&
		member.type == jbvString && member.val.string.len > 0)
	{
		entry.error_code = member.val.string.val;
		entry.error_code_len = member.val.string.len;
	}

	entry.list = list;
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
