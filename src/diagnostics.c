/*-------------------------------------------------------------------------
 *
 * diagnostics.c
 *	  Explanations of why a coverage payload, or part of it, is not used.
 *
 * explain_coverage_payload runs the canonical parser (payload.c) with a
 * findings receiver, so it reports exactly what the parser rejects.  It
 * then adds the findings that need the whole payload or the catalog:
 * entries replaced by a later one, types outside the catalog, and types
 * reported in both lists.  Nothing here raises on any jsonb value.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "coverage_truth.h"

/* Maximum excerpt of a value, in bytes, before it is cut. */
#define EXCERPT_MAX_BYTES 120

/* Nesting deeper than this is not parsed when looking for double encoding. */
#define DOUBLE_ENCODING_MAX_DEPTH 1000

/* An accepted entry, remembered for the findings that need all of them. */
typedef struct ExplainedEntry
{
	TypeSegment list;
	const char *type;			/* points into the context being explained */
	int			type_len;
	int			element;		/* index in an array-form list, else -1 */
	int			position;
} ExplainedEntry;

typedef struct ExplainState
{
	CoverageFindingList *findings;
	ExplainedEntry *entries;
	int			entry_count;
	int			entry_capacity;
} ExplainState;

static void add_finding(void *arg, const char *path, const char *problem,
						const JsonbValue *value);
static char *excerpt_value(const JsonbValue *value);
static bool string_holds_json(const char *text, int length);
static void remember_entry(const CoverageEntry *entry, void *arg);
static int	compare_explained_entries(const void *a, const void *b);
static char *entry_path(const ExplainedEntry *entry);
static void explain_entries(ExplainState *state, const Catalog *catalog);

/*
 * Explain a context: return every reason its payload, a list, an entry or
 * an entry member is not used, in the order the parser meets them.
 */
CoverageFindingList *
coverage_truth_explain_payload(Jsonb *context)
{
	ExplainState state = {0};
	CoverageFindings receiver;
	CoveragePayload payload;
	MemoryContext caller_context = CurrentMemoryContext;
	Catalog    *catalog;

	state.findings = palloc0(sizeof(CoverageFindingList));
	state.findings->context = caller_context;
	receiver.report = add_finding;
	receiver.arg = state.findings;

	if (!coverage_payload_open_explained(context, &payload, &receiver))
		return state.findings;

	state.entry_capacity = 16;
	state.entries = palloc(sizeof(ExplainedEntry) * state.entry_capacity);
	coverage_payload_walk(&payload, remember_entry, &state);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "coverage_truth: SPI_connect failed");
	catalog = coverage_truth_load_catalog(caller_context);
	SPI_finish();

	explain_entries(&state, catalog);

	if (state.findings->omitted > 0)
	{
		int64		omitted = state.findings->omitted;

		/* Room for the closing row, which is never counted as omitted. */
		state.findings->omitted = 0;
		state.findings->count = Min(state.findings->count, COVERAGE_MAX_FINDINGS - 1);
		add_finding(state.findings, "$",
					psprintf(INT64_FORMAT " more findings are not listed; only the first %d are kept",
							 omitted + 1, COVERAGE_MAX_FINDINGS - 1),
					NULL);
	}
	return state.findings;
}

/*
 * Report why a context whose root is not an object is unparseable, telling
 * a double-encoded context (a JSON string holding JSON text) apart.
 */
void
coverage_payload_explain_root(Jsonb *context, const CoverageFindings *findings)
{
	JsonbValue	scalar;

	if (!JB_ROOT_IS_SCALAR(context))
	{
		findings->report(findings->arg, "$", "context is a JSON array, not an object", NULL);
		return;
	}

	JsonbExtractScalar(&context->root, &scalar);
	if (scalar.type == jbvString &&
		string_holds_json(scalar.val.string.val, scalar.val.string.len))
		findings->report(findings->arg, "$",
						 "context is a JSON string that holds JSON text (double-encoded); store the decoded object instead",
						 &scalar);
	else
		findings->report(findings->arg, "$",
						 psprintf("context is a JSON %s, not an object",
								  coverage_json_type_name(&scalar)),
						 &scalar);
}

static void
add_finding(void *arg, const char *path, const char *problem,
			const JsonbValue *value)
{
	CoverageFindingList *list = arg;
	CoverageFinding *finding;
	MemoryContext previous;

	/* A payload can hold millions of bad entries; keep memory bounded. */
	if (list->count >= COVERAGE_MAX_FINDINGS)
	{
		list->omitted++;
		return;
	}

	previous = MemoryContextSwitchTo(list->context);
	if (list->count == list->capacity)
	{
		list->capacity = list->capacity == 0 ? 16 : list->capacity * 2;
		if (list->items == NULL)
			list->items = palloc(sizeof(CoverageFinding) * list->capacity);
		else
			list->items = repalloc(list->items, sizeof(CoverageFinding) * list->capacity);
	}

	finding = &list->items[list->count++];
	finding->path = pstrdup(path);
	finding->problem = pstrdup(problem);
	finding->excerpt = value ? excerpt_value(value) : NULL;
	MemoryContextSwitchTo(previous);
}

/* Print a value as JSON text, cut to EXCERPT_MAX_BYTES on a character boundary. */
static char *
excerpt_value(const JsonbValue *value)
{
	char	   *json;
	int			length;
	int			cut;

	if (value->type == jbvBinary)
		json = JsonbToCString(NULL, value->val.binary.data, value->val.binary.len);
	else
	{
		Jsonb	   *scalar = JsonbValueToJsonb((JsonbValue *) value);

		json = JsonbToCString(NULL, &scalar->root, VARSIZE(scalar));
	}

	length = strlen(json);
	if (length <= EXCERPT_MAX_BYTES)
		return json;

	cut = pg_mbcliplen(json, length, EXCERPT_MAX_BYTES);
	return psprintf("%.*s...", cut, json);
}

/*
 * True when a string's text, after leading white space, is a JSON object or
 * array.  The JSON parser recurses per nesting level and would raise past
 * the stack limit, so text nested deeper than DOUBLE_ENCODING_MAX_DEPTH is
 * only checked for matched brackets outside strings.
 */
static bool
string_holds_json(const char *text, int length)
{
	int			start = 0;
	int			depth = 0;
	int			max_depth = 0;
	bool		in_string = false;
	bool		balanced = true;
	char	   *open_brackets;
	char	   *copy;
	JsonLexContext *lexer;

	while (start < length && (text[start] == ' ' || text[start] == '\t' ||
							  text[start] == '\n' || text[start] == '\r'))
		start++;
	if (start == length || (text[start] != '{' && text[start] != '['))
		return false;

	open_brackets = palloc(length - start);
	for (int i = start; i < length && balanced; i++)
	{
		char		c = text[i];

		if (in_string)
		{
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		}
		else if (c == '"')
			in_string = true;
		else if (c == '{' || c == '[')
		{
			open_brackets[depth++] = c;
			max_depth = Max(max_depth, depth);
		}
		else if (c == '}' || c == ']')
			balanced = depth > 0 && open_brackets[--depth] == (c == '}' ? '{' : '[');
	}
	pfree(open_brackets);
	if (!balanced || depth != 0 || in_string)
		return false;
	if (max_depth > DOUBLE_ENCODING_MAX_DEPTH)
		return true;

	copy = pnstrdup(text + start, length - start);
	lexer = makeJsonLexContextCstringLen(copy, length - start, GetDatabaseEncoding(), false);
	return pg_parse_json(lexer, &nullSemAction) == JSON_SUCCESS;
}

static void
remember_entry(const CoverageEntry *entry, void *arg)
{
	ExplainState *state = arg;
	ExplainedEntry *remembered;

	if (state->entry_count == state->entry_capacity)
	{
		state->entry_capacity *= 2;
		state->entries = repalloc(state->entries,
								  sizeof(ExplainedEntry) * state->entry_capacity);
	}

	/* No copies: the entry's strings live as long as the explained context. */
	remembered = &state->entries[state->entry_count];
	remembered->list = entry->list;
	remembered->type = entry->type;
	remembered->type_len = entry->type_len;
	remembered->element = entry->element;
	remembered->position = state->entry_count;
	state->entry_count++;
}

/* Rebuild the JSON path of a remembered entry, as the walk printed it. */
static char *
entry_path(const ExplainedEntry *entry)
{
	const char *list = entry->list == SEGMENT_POLICY ? "policy_types" : "foundation_types";

	if (entry->element >= 0)
		return psprintf("$.inventory.coverage.%s[%d]", list, entry->element);
	return psprintf("$.inventory.coverage.%s.%.*s", list,
					coverage_clip_length(entry->type, entry->type_len), entry->type);
}

/* Order by list, then type bytes, then position in the payload. */
static int
compare_explained_entries(const void *a, const void *b)
{
	const ExplainedEntry *left = a;
	const ExplainedEntry *right = b;
	int			result;

	if (left->list != right->list)
		return left->list < right->list ? -1 : 1;
	result = memcmp(left->type, right->type, Min(left->type_len, right->type_len));
	if (result != 0)
		return result;
	if (left->type_len != right->type_len)
		return left->type_len < right->type_len ? -1 : 1;
	return (left->position > right->position) - (left->position < right->position);
}

/*
 * Report accepted entries that no result row uses.  These are entries
 * replaced by a later one in the same list and types outside the catalog.
 * A catalog type reported in both lists also has its entry in the list of
 * the other segment reported, because the entry in its own list is used.
 */
static void
explain_entries(ExplainState *state, const Catalog *catalog)
{
	const ExplainedEntry **used[SEGMENT_COUNT];	/* used entry per list and type */

	for (int list = 0; list < SEGMENT_COUNT; list++)
		used[list] = palloc0(sizeof(ExplainedEntry *) * Max(catalog->type_count, 1));

	qsort(state->entries, state->entry_count, sizeof(ExplainedEntry),
		  compare_explained_entries);

	for (int i = 0; i < state->entry_count; i++)
	{
		const ExplainedEntry *entry = &state->entries[i];
		const ExplainedEntry *next = i + 1 < state->entry_count ? &state->entries[i + 1] : NULL;
		int			type_index;

		if (next != NULL && next->list == entry->list &&
			next->type_len == entry->type_len &&
			memcmp(next->type, entry->type, entry->type_len) == 0)
		{
			add_finding(state->findings, entry_path(entry),
						"entry is replaced by a later accepted entry for the same type in this list",
						NULL);
			continue;
		}

		type_index = coverage_truth_find_type(catalog, entry->type, entry->type_len);
		if (type_index < 0)
			add_finding(state->findings, entry_path(entry),
						psprintf("type \"%.*s\" is not in coverage_truth.supported_types, so no result row uses it",
								 coverage_clip_length(entry->type, entry->type_len),
								 entry->type),
						NULL);
		else
			used[entry->list][type_index] = entry;
	}

	for (int i = 0; i < catalog->type_count; i++)
	{
		const CatalogType *type = &catalog->types[i];
		TypeSegment other = type->segment == SEGMENT_POLICY ? SEGMENT_FOUNDATION : SEGMENT_POLICY;

		if (used[type->segment][i] != NULL && used[other][i] != NULL)
			add_finding(state->findings, entry_path(used[other][i]),
						psprintf("type is also in %s, which matches its catalog segment %s, so this entry is not used",
								 type->segment == SEGMENT_POLICY ? "policy_types" : "foundation_types",
								 type_segment_labels[type->segment]),
						NULL);
	}
}
