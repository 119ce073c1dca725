/* Unit tests of include/model/integration.h: create and update validation (spec §3, §4.1, §4.2),
 * secret masking, rendering and the attributes document (§4.3).
 *
 * The validation tests are tables: each row is a request document and either the exact,
 * ordered list of (title, source) errors it must produce, or the fields of the resulting
 * integration. JSON inside the tables is written with single quotes (turned into double
 * quotes before parsing) to keep the rows readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration.h"
#include "timestamp.h"

#define MAX_ERRORS 16

/* ---- helpers ------------------------------------------------------------------------------ */

/* Parses JSON written with single quotes. NULL (after printing why) when the text is bad. */
static json_t *sq(const char *text)
{
    char *buf = strdup(text);
    if (!buf)
        return NULL;
    for (char *p = buf; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *j = json_loads(buf, JSON_DECODE_ANY, &e);
    if (!j)
        print_error("test JSON does not parse: %s (%s)\n", text, e.text);
    free(buf);
    return j;
}

/* The compact text of JSON written with single quotes, as the model stores it. */
static char *sq_text(const char *text)
{
    json_t *j = sq(text);
    char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return out;
}

/* The resource as the renderer writes it, parsed back (NULL when it is not JSON). */
static json_t *integration_render(const integration *it, const char *base_url)
{
    char *text = integration_document_text(it, base_url);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    json_t *data = json_incref(json_object_get(doc, "data"));
    json_decref(doc);
    free(text);
    return data;
}

/* Applies a patch: each key of patch replaces the key of obj (no patch: nothing changes). */
static void apply_patch(json_t *obj, const json_t *patch)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value)
        json_object_set(obj, key, value);
}

/* The fields of an integration as one JSON object (what a row's expectation describes). */
static json_t *integration_fields(const integration *it)
{
    return json_pack("{s:s?, s:s?, s:o, s:b, s:o?, s:o?}", "integration_type",
                     (int)it->type >= 0 && it->type < INTEGRATION_TYPE_COUNT ? integration_type_name(it->type) : NULL,
                     "name", it->name, "description", it->description ? json_string(it->description) : json_null(),
                     "enabled", it->enabled, "configuration", it->configuration ? json_loads(it->configuration, 0, NULL) : NULL,
                     "observes", it->observes ? json_loads(it->observes, 0, NULL) : NULL);
}

typedef struct exp_err {
    const char *title;
    const char *source;
} exp_err;

static size_t exp_count(const exp_err *e)
{
    size_t n = 0;
    while (n < MAX_ERRORS && e[n].title)
        n++;
    return n;
}

static void append(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

static void append_json(char *buf, size_t size, const char *label, const json_t *j)
{
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    append(buf, size, "%s%s\n", label, text ? text : "(NULL)");
    free(text);
}

static void append_expected_errors(char *buf, size_t size, const exp_err *e)
{
    append(buf, size, "  expected errors:");
    for (size_t i = 0; i < exp_count(e); i++)
        append(buf, size, " [%s | %s]", e[i].title, e[i].source);
    append(buf, size, "\n");
}

/* Checks the errors array against the expected list (status 400, detail present). */
static bool errors_match(const json_t *errors, const exp_err *exp, char *msg, size_t size)
{
    size_t n = exp_count(exp);
    bool ok = json_is_array(errors) && json_array_size(errors) == n;
    for (size_t i = 0; ok && i < n; i++) {
        const json_t *e = json_array_get(errors, i);
        const json_t *status = json_object_get(e, "status");
        const char *title = json_string_value(json_object_get(e, "title"));
        const char *detail = json_string_value(json_object_get(e, "detail"));
        const char *source = json_string_value(json_object_get(e, "source"));
        ok = json_is_integer(status) && json_integer_value(status) == 400 && title && detail && detail[0] &&
             source && strcmp(exp[i].title, title) == 0 && strcmp(exp[i].source, source) == 0;
    }
    if (!ok) {
        append_expected_errors(msg, size, exp);
        append_json(msg, size, "  actual errors:   ", errors);
    }
    return ok;
}

/* Outcome check shared by create and update rows. */
static bool outcome_matches(bool returned, const json_t *errors, const integration *out, const exp_err *exp,
                            const json_t *want_fields, char *msg, size_t size)
{
    if (exp_count(exp) > 0) {
        bool ok = errors_match(errors, exp, msg, size);
        if (returned) {
            append(msg, size, "  the function returned true although errors were expected\n");
            ok = false;
        }
        return ok;
    }
    if (!returned || json_array_size(errors) != 0) {
        append(msg, size, "  expected success, got %s\n", returned ? "true with errors" : "false");
        append_json(msg, size, "  errors: ", errors);
        return false;
    }
    json_t *got = integration_fields(out);
    bool ok = got && json_equal(got, (json_t *)want_fields);
    if (!ok) {
        append_json(msg, size, "  expected fields: ", want_fields);
        append_json(msg, size, "  actual fields:   ", got);
    }
    json_decref(got);
    return ok;
}

/* ---- create (spec §4.1) ---------------------------------------------------------------------- */

/* ---- the spec tables: tests/data/create.jsonl and tests/data/update.jsonl ------------------- */

/* The validation tables of a create (§4.1) and an update (§4.2), kept once as data for these
 * tests and the black-box suite (tests/api/test_create.py, test_update.py) alike: one case a
 * line, {"case", "body", "status", and "errors" [{title, source}] for a 400, or for a success
 * the fields it keeps: "stored" (create), or "changes" over the stored integration (update). The
 * update file's first line is {"stored": …}: the integration every row updates. */
typedef struct table_row {
    const char *name; /* points into line */
    json_t *line;
    exp_err errors[MAX_ERRORS];
} table_row;

typedef struct spec_table {
    const char *path;
    const char *success_key; /* what a success row has instead of "errors" */
    bool has_header;         /* the first line is not a case */
    json_t *header;
    table_row *rows;
    size_t count;
} spec_table;

static spec_table create_table = {"tests/data/create.jsonl", "stored", false, NULL, NULL, 0};
static spec_table update_table = {"tests/data/update.jsonl", "changes", true, NULL, NULL, 0};

static void free_table(spec_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        json_decref(t->rows[i].line);
    free(t->rows);
    json_decref(t->header);
}

/* Reads one case line into row; false when the line is not a valid row. */
static bool read_row(const spec_table *t, json_t *line, table_row *row)
{
    json_t *errors = json_object_get(line, "errors");
    *row = (table_row){json_string_value(json_object_get(line, "case")), line, {{NULL, NULL}}};
    bool ok = row->name && json_object_get(line, "body") && json_array_size(errors) < MAX_ERRORS &&
              (json_array_size(errors) > 0) != (json_object_get(line, t->success_key) != NULL);
    for (size_t k = 0; ok && k < json_array_size(errors); k++) {
        row->errors[k].title = json_string_value(json_object_get(json_array_get(errors, k), "title"));
        row->errors[k].source = json_string_value(json_object_get(json_array_get(errors, k), "source"));
        ok = row->errors[k].title && row->errors[k].source;
    }
    return ok;
}

/* Reads every row of the file; false (after saying why) when a line is not a valid row. */
static bool load_table(spec_table *t)
{
    FILE *f = fopen(t->path, "r");
    if (!f) {
        fprintf(stderr, "test_integration: cannot read %s (run from the repository's root)\n", t->path);
        return false;
    }
    char *text = NULL;
    size_t cap = 0;
    bool ok = true;
    for (size_t number = 1; ok && getline(&text, &cap, f) > 0; number++) {
        json_error_t e;
        json_t *line = json_loads(text, 0, &e);
        if (t->has_header && number == 1) {
            ok = json_is_object(json_object_get(line, "stored"));
            t->header = line;
            continue;
        }
        table_row row;
        table_row *grown = read_row(t, line, &row) ? realloc(t->rows, (t->count + 1) * sizeof *grown) : NULL;
        if (!grown) {
            json_decref(line);
            ok = false;
            break;
        }
        t->rows = grown;
        t->rows[t->count++] = row;
    }
    if (!ok)
        fprintf(stderr, "%s: a line is not a row of the table\n", t->path);
    free(text);
    fclose(f);
    return ok && t->count > 0;
}

static void run_create_row(void **state)
{
    const table_row *c = *state;
    json_t *body = json_object_get(c->line, "body");
    json_t *want = json_object_get(c->line, "stored");
    json_t *errors = json_array();
    integration out = {0};
    bool returned = integration_from_create(body, errors, &out);
    char msg[4096] = "";
    bool ok = outcome_matches(returned, errors, &out, c->errors, want, msg, sizeof msg);
    integration_clear(&out);
    json_decref(errors);
    if (!ok)
        fail_msg("create row \"%s\":\n%s", c->name, msg);
}

#define SQS_CFG "'configuration':{'url':'https://sqs.eu-west-1.amazonaws.com/123456789012/orders'," \
                "'aws_access_key_id':'AKIAIOSFODNN7EXAMPLE','aws_secret_access_key':'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'," \
                "'region':'eu-west-1'}"

/* A failed create leaves errors already in the array alone and appends after them. */
static void test_create_appends_to_existing_errors(void **state)
{
    (void)state;
    json_t *errors = json_array();
    json_array_append_new(errors, json_string("earlier"));
    json_t *body = sq("{'data':{'type':'integration'}}");
    integration out = {0};
    assert_false(integration_from_create(body, errors, &out));
    assert_int_equal(json_array_size(errors), 1 + 4);
    assert_string_equal(json_string_value(json_array_get(errors, 0)), "earlier");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "source")),
                        "data.integration_type");
    integration_clear(&out);
    json_decref(body);
    json_decref(errors);
}

/* The request document is not modified by validation (unknown keys are dropped from the copy). */
static void test_create_leaves_body_untouched(void **state)
{
    (void)state;
    json_t *body = sq("{'data':{'type':'integration','integration_type':'webhook','name':'N','configuration':"
                      "{'url':'https://example.com/h','extra':1},'observes':['order.paid'],'foo':1}}");
    json_t *copy = json_deep_copy(body);
    json_t *errors = json_array();
    integration out = {0};
    assert_true(integration_from_create(body, errors, &out));
    assert_true(json_equal(body, copy));
    assert_null(strstr(out.configuration, "extra"));
    integration_clear(&out);
    json_decref(errors);
    json_decref(copy);
    json_decref(body);
}

/* Titles quote the whole offending value: nothing is cut at a buffer size. */
static void test_long_values_are_not_truncated(void **state)
{
    (void)state;
    char value[3001];
    memset(value, 'x', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    json_t *body = sq("{'data':{'type':'integration','name':'N','configuration':{'url':'https://example.com'},"
                      "'observes':['order.paid']}}");
    assert_non_null(body);
    json_object_set_new(json_object_get(body, "data"), "integration_type", json_string(value));
    json_array_append_new(json_object_get(json_object_get(body, "data"), "observes"), json_string(value));
    json_t *errors = json_array();
    integration out = {0};
    bool returned = integration_from_create(body, errors, &out);
    char *want = NULL;
    assert_true(asprintf(&want, "No enum match for: \"%s\"", value) > 0);
    bool ok = !returned && json_array_size(errors) == 2 &&
              strcmp(json_string_value(json_object_get(json_array_get(errors, 0), "title")), want) == 0 &&
              strcmp(json_string_value(json_object_get(json_array_get(errors, 1), "title")), want) == 0 &&
              strcmp(json_string_value(json_object_get(json_array_get(errors, 1), "source")), "data.observes[1]") == 0;
    free(want);
    integration_clear(&out);
    json_decref(errors);
    json_decref(body);
    assert_true(ok);
}

/* ---- update: the rows of tests/data/update.jsonl --------------------------------------------- */

#define STORED_ID "8cb9e689-ede7-4f6d-b61a-6aa970d572dd"
#define STORED_ID_MARK "<stored id>" /* in a row's data.id: the id of the stored integration */
#define CREATED_MS INT64_C(1525080932202)

/* The stored integration of the update table, from its fields (the file's first line). */
static bool make_stored(integration *it, const json_t *fields)
{
    memset(it, 0, sizeof *it);
    strcpy(it->id, STORED_ID);
    const char *description = json_string_value(json_object_get(fields, "description"));
    it->name = strdup(json_string_value(json_object_get(fields, "name")));
    it->description = description ? strdup(description) : NULL;
    it->enabled = json_is_true(json_object_get(fields, "enabled"));
    it->configuration = json_dumps(json_object_get(fields, "configuration"), JSON_COMPACT);
    it->observes = json_dumps(json_object_get(fields, "observes"), JSON_COMPACT);
    it->created_at_ms = CREATED_MS;
    it->updated_at_ms = CREATED_MS + 1000;
    return integration_type_parse(json_string_value(json_object_get(fields, "integration_type")), &it->type) &&
           it->name && it->configuration && it->observes;
}

static void run_update_row(void **state)
{
    const table_row *c = *state;
    const json_t *stored_fields = json_object_get(update_table.header, "stored");
    integration stored, out = {0};
    bool stored_ok = make_stored(&stored, stored_fields);
    json_t *body = json_deep_copy(json_object_get(c->line, "body"));
    json_t *want = json_deep_copy(stored_fields);
    json_t *errors = json_array();
    json_t *data = json_object_get(body, "data");
    char msg[4096] = "";
    if (strcmp(json_string_value(json_object_get(data, "id")) ?: "", STORED_ID_MARK) == 0)
        json_object_set_new(data, "id", json_string(STORED_ID));
    bool ok = stored_ok && body && want && errors;
    if (ok) {
        apply_patch(want, json_object_get(c->line, "changes"));
        bool returned = integration_from_update(body, &stored, STORED_ID, errors, &out);
        ok = outcome_matches(returned, errors, &out, c->errors, want, msg, sizeof msg);
        if (ok && returned && (strcmp(out.id, STORED_ID) != 0 || out.created_at_ms != CREATED_MS)) {
            append(msg, sizeof msg, "  id or created_at not kept: id=%s created_at=%lld\n", out.id,
                   (long long)out.created_at_ms);
            ok = false;
        }
        json_t *stored_now = integration_fields(&stored);
        if (!json_equal(stored_now, (json_t *)stored_fields)) {
            append_json(msg, sizeof msg, "  the stored integration was modified: ", stored_now);
            ok = false;
        }
        json_decref(stored_now);
    } else {
        append(msg, sizeof msg, "  bad test row\n");
    }
    integration_clear(&out);
    integration_clear(&stored);
    json_decref(errors);
    json_decref(want);
    json_decref(body);
    if (!ok)
        fail_msg("update row \"%s\":\n%s", c->name, msg);
}

/* ---- rendering (spec §3) --------------------------------------------------------------------- */

#define UPDATED_MS INT64_C(1525168800000) /* 2018-05-01T10:00:00.000Z */
#define BASE_URL "http://127.0.0.1:8080"

static void make_integration(integration *it, integration_type type, const char *cfg, const char *description)
{
    memset(it, 0, sizeof *it);
    strcpy(it->id, STORED_ID);
    it->type = type;
    it->name = strdup("Order shipping notification");
    it->description = description ? strdup(description) : NULL;
    it->enabled = true;
    it->configuration = sq_text(cfg);
    it->observes = sq_text("['order.fulfilled']");
    it->created_at_ms = CREATED_MS;
    it->updated_at_ms = UPDATED_MS;
    assert_non_null(it->name);
    assert_non_null(it->configuration);
    assert_non_null(it->observes);
}

static void assert_json_equal(const json_t *got, const json_t *want)
{
    if (json_equal((json_t *)got, (json_t *)want))
        return;
    char msg[4096] = "";
    append_json(msg, sizeof msg, "expected: ", want);
    append_json(msg, sizeof msg, "actual:   ", got);
    fail_msg("%s", msg);
}

static void assert_keys_in_order(const json_t *obj, const char *const *keys, size_t n)
{
    assert_true(json_is_object(obj));
    size_t i = 0;
    for (void *iter = json_object_iter((json_t *)obj); iter; iter = json_object_iter_next((json_t *)obj, iter), i++) {
        assert_true(i < n);
        assert_string_equal(json_object_iter_key(iter), keys[i]);
    }
    assert_int_equal(i, n);
}

static char *stars_then(size_t n, const char *tail)
{
    char *s = malloc(n + strlen(tail) + 1);
    assert_non_null(s);
    memset(s, '*', n);
    strcpy(s + n, tail);
    return s;
}

static void test_render_webhook_document(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_WEBHOOK, "{'url':'https://example.com/hook','secret_key':'s3cr3t'}", NULL);
    json_t *doc = integration_render(&it, BASE_URL);
    json_t *want = sq("{'id':'" STORED_ID "','type':'integration','integration_type':'webhook',"
                      "'name':'Order shipping notification','description':null,'enabled':true,"
                      "'configuration':{'url':'https://example.com/hook','secret_key':'s3cr3t'},"
                      "'observes':['order.fulfilled'],"
                      "'links':{'self':'" BASE_URL "/v2/integrations/" STORED_ID "'},"
                      "'meta':{'timestamps':{'created_at':'2018-04-30T09:35:32.202Z','updated_at':'2018-05-01T10:00:00.000Z'}}}");
    assert_non_null(doc);
    assert_json_equal(doc, want);
    json_decref(want);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_key_order(void **state)
{
    (void)state;
    static const char *const keys[] = {"id", "type", "integration_type", "name", "description", "enabled",
                                       "configuration", "observes", "links", "meta"};
    integration it;
    make_integration(&it, INTEGRATION_WEBHOOK, "{'url':'https://example.com/hook'}", "D");
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    assert_keys_in_order(doc, keys, sizeof keys / sizeof keys[0]);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_description_and_no_secret_key(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_WEBHOOK, "{'url':'https://example.com/hook'}", "Send it.");
    it.enabled = false;
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "description")), "Send it.");
    assert_true(json_is_false(json_object_get(doc, "enabled")));
    json_t *want_cfg = sq("{'url':'https://example.com/hook'}");
    assert_json_equal(json_object_get(doc, "configuration"), want_cfg); /* secret_key absent, not null */
    json_decref(want_cfg);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_public_base_url(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_WEBHOOK, "{'url':'https://example.com/hook'}", NULL);
    json_t *doc = integration_render(&it, "https://api.example.com");
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "links"), "self")),
                        "https://api.example.com/v2/integrations/" STORED_ID);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_masks_aws_keys(void **state)
{
    (void)state;
    integration it;
    const char *cfg = "{'url':'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',"
                      "'aws_access_key_id':'AKIAIOSFODNN7EXAMPLE',"
                      "'aws_secret_access_key':'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY','region':'eu-west-1'}";
    make_integration(&it, INTEGRATION_AWS_SQS, cfg, NULL);
    char *original = strdup(it.configuration);
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    const json_t *c = json_object_get(doc, "configuration");
    char *id = stars_then(16, "MPLE"), *secret = stars_then(36, "EKEY");
    assert_string_equal(json_string_value(json_object_get(c, "aws_access_key_id")), id);
    assert_string_equal(json_string_value(json_object_get(c, "aws_secret_access_key")), secret);
    assert_string_equal(json_string_value(json_object_get(c, "url")),
                        "https://sqs.eu-west-1.amazonaws.com/123456789012/orders");
    assert_string_equal(json_string_value(json_object_get(c, "region")), "eu-west-1");
    assert_int_equal(json_object_size(c), 4);
    assert_string_equal(json_string_value(json_object_get(doc, "integration_type")), "aws_sqs");
    /* the stored values stay real (delivery needs them) */
    assert_string_equal(it.configuration, original);
    free(id);
    free(secret);
    free(original);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_masks_short_aws_keys(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_AWS_SQS,
                     "{'url':'https://sqs.example.com/1/q','aws_access_key_id':'abcd','aws_secret_access_key':'abc',"
                     "'region':'r'}",
                     NULL);
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    const json_t *c = json_object_get(doc, "configuration");
    assert_string_equal(json_string_value(json_object_get(c, "aws_access_key_id")), "****");
    assert_string_equal(json_string_value(json_object_get(c, "aws_secret_access_key")), "***");
    assert_string_equal(json_string_value(json_object_get(c, "region")), "r"); /* not a secret */
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_masks_stomp_password(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_STOMP,
                     "{'addresses':['stomp://broker.example.com'],'destination':'/queue/events','username':'guest',"
                     "'password':'secret'}",
                     NULL);
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    json_t *want = sq("{'addresses':['stomp://broker.example.com'],'destination':'/queue/events','username':'guest',"
                      "'password':'**cret'}");
    assert_json_equal(json_object_get(doc, "configuration"), want);
    assert_non_null(strstr(it.configuration, "\"password\":\"secret\""));
    json_decref(want);
    json_decref(doc);
    integration_clear(&it);
}

static void test_render_stomp_without_credentials(void **state)
{
    (void)state;
    integration it;
    make_integration(&it, INTEGRATION_STOMP, "{'addresses':['stomp://h'],'destination':'/q'}", NULL);
    json_t *doc = integration_render(&it, BASE_URL);
    assert_non_null(doc);
    json_t *want = sq("{'addresses':['stomp://h'],'destination':'/q'}");
    assert_json_equal(json_object_get(doc, "configuration"), want);
    json_decref(want);
    json_decref(doc);
    integration_clear(&it);
}

/* A create followed by render: the round trip the API does. */
static void test_create_then_render(void **state)
{
    (void)state;
    json_t *body = sq("{'data':{'type':'integration','integration_type':'aws_sqs','name':'Q','enabled':true,"
                      SQS_CFG ",'observes':['order.paid','orders_ext.created']}}");
    json_t *errors = json_array();
    integration it = {0};
    assert_true(integration_from_create(body, errors, &it));
    strcpy(it.id, STORED_ID);
    it.created_at_ms = it.updated_at_ms = 0;
    json_t *doc = integration_render(&it, BASE_URL);
    json_t *want = sq("{'id':'" STORED_ID "','type':'integration','integration_type':'aws_sqs','name':'Q',"
                      "'description':null,'enabled':true,'configuration':{"
                      "'url':'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',"
                      "'aws_access_key_id':'****************MPLE',"
                      "'aws_secret_access_key':'************************************EKEY','region':'eu-west-1'},"
                      "'observes':['order.paid','orders_ext.created'],"
                      "'links':{'self':'" BASE_URL "/v2/integrations/" STORED_ID "'},"
                      "'meta':{'timestamps':{'created_at':'1970-01-01T00:00:00.000Z',"
                      "'updated_at':'1970-01-01T00:00:00.000Z'}}}");
    assert_non_null(doc);
    assert_json_equal(doc, want);
    json_decref(want);
    json_decref(doc);
    integration_clear(&it);
    json_decref(errors);
    json_decref(body);
}

/* ---- secret_mask ----------------------------------------------------------------------------- */

static void test_secret_mask(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } rows[] = {
        {"", ""},
        {"a", "*"},
        {"ab", "**"},
        {"abcd", "****"},
        {"abcde", "*bcde"},
        {"abcdefgh", "****efgh"},
        {"AKIAIOSFODNN7EXAMPLE", "****************MPLE"},
        /* multi-byte UTF-8: characters are counted, not bytes */
        {"\xc3\xa9\xc3\xa9", "**"},                                      /* éé */
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "****"},                    /* éééé */
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "*\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, /* ééééé */
        {"ab\xe2\x82\xac" "d", "****"},                                  /* ab€d */
        {"\xe2\x82\xac" "1234", "*1234"},                                /* €1234 */
        {"pass\xe2\x82\xac\xe2\x82\xac", "**ss\xe2\x82\xac\xe2\x82\xac"}, /* pass€€ */
        {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
         "**\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"}, /* six 4-byte emoji */
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91\xe3\x82\xb9",
         "**\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91\xe3\x82\xb9"}, /* 日本語のパス -> **語のパス */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = secret_mask(rows[i].in);
        assert_non_null(got);
        if (strcmp(got, rows[i].out) != 0) {
            print_error("secret_mask(\"%s\") = \"%s\", expected \"%s\"\n", rows[i].in, got, rows[i].out);
            free(got);
            fail();
        }
        free(got);
    }
}

/* ---- attributes (spec §4.3) ----------------------------------------------------------------- */

static void test_attributes_document(void **state)
{
    (void)state;
    static const struct {
        const char *value, *type;
        bool required;
    } fields[] = {
        {"type", NULL, true},           {"integration_type", NULL, true}, {"name", "string", true},
        {"description", "string", false}, {"enabled", "boolean", false},   {"configuration", "object", true},
        {"observes", "array", true},
    };
    json_t *doc = integration_attributes();
    assert_non_null(doc);
    const json_t *data = json_object_get(doc, "data");
    assert_true(json_is_array(data));
    assert_int_equal(json_array_size(data), sizeof fields / sizeof fields[0]);
    for (size_t i = 0; i < json_array_size(data); i++) {
        const json_t *f = json_array_get(data, i);
        const char *label = json_string_value(json_object_get(f, "label"));
        assert_non_null(label);
        assert_true(label[0] != '\0');
        assert_string_equal(json_string_value(json_object_get(f, "value")), fields[i].value);
        assert_non_null(json_string_value(json_object_get(f, "type")));
        if (fields[i].type)
            assert_string_equal(json_string_value(json_object_get(f, "type")), fields[i].type);
        assert_true(json_is_boolean(json_object_get(f, "required")));
        assert_int_equal(json_is_true(json_object_get(f, "required")), fields[i].required);
    }
    json_t *name = sq("{'label':'Name','value':'name','type':'string','required':true}");
    assert_json_equal(json_array_get(data, 2), name);
    json_decref(name);

    json_t *type_options = sq("['integration']");
    assert_json_equal(json_object_get(json_array_get(data, 0), "options"), type_options);
    json_decref(type_options);
    json_t *options = sq("['webhook','aws_sqs','stomp']");
    assert_json_equal(json_object_get(json_array_get(data, 1), "options"), options);
    json_decref(options);
    assert_true(json_is_false(json_object_get(json_array_get(data, 4), "default")));

    json_t *meta = sq("{'entity':'integration','version':'2.0.0'}");
    assert_json_equal(json_object_get(doc, "meta"), meta);
    json_decref(meta);
    json_decref(doc);
}

/* ---- type names ------------------------------------------------------------------------------ */

static void test_type_names(void **state)
{
    (void)state;
    static const char *const names[INTEGRATION_TYPE_COUNT] = {
        [INTEGRATION_WEBHOOK] = "webhook", [INTEGRATION_AWS_SQS] = "aws_sqs", [INTEGRATION_STOMP] = "stomp"};
    for (int t = 0; t < INTEGRATION_TYPE_COUNT; t++) {
        integration_type parsed = INTEGRATION_TYPE_COUNT;
        assert_string_equal(integration_type_name((integration_type)t), names[t]);
        assert_true(integration_type_parse(names[t], &parsed));
        assert_int_equal(parsed, t);
    }
    integration_type parsed;
    assert_false(integration_type_parse("WEBHOOK", &parsed));
    assert_false(integration_type_parse("", &parsed));
    assert_false(integration_type_parse("sqs", &parsed));
    assert_false(integration_type_parse("webhook ", &parsed));
}

static void test_clear_is_safe_on_zeroed_and_repeated(void **state)
{
    (void)state;
    integration it = {0};
    integration_clear(&it);
    make_integration(&it, INTEGRATION_WEBHOOK, "{'url':'https://example.com'}", "d");
    integration_clear(&it);
    assert_null(it.name);
    assert_null(it.configuration);
    integration_clear(&it);
}

int main(void)
{
    if (!load_table(&create_table) || !load_table(&update_table))
        return 1;
    size_t create_count = create_table.count + 3;
    struct CMUnitTest *create_tests = calloc(create_count, sizeof *create_tests);
    struct CMUnitTest *update_tests = calloc(update_table.count, sizeof *update_tests);
    if (!create_tests || !update_tests)
        return 1;
    for (size_t i = 0; i < create_table.count; i++)
        create_tests[i] = (struct CMUnitTest){create_table.rows[i].name, run_create_row, NULL, NULL,
                                              &create_table.rows[i]};
    create_tests[create_table.count] = (struct CMUnitTest)cmocka_unit_test(test_create_appends_to_existing_errors);
    create_tests[create_table.count + 1] = (struct CMUnitTest)cmocka_unit_test(test_create_leaves_body_untouched);
    create_tests[create_table.count + 2] = (struct CMUnitTest)cmocka_unit_test(test_long_values_are_not_truncated);
    for (size_t i = 0; i < update_table.count; i++)
        update_tests[i] = (struct CMUnitTest){update_table.rows[i].name, run_update_row, NULL, NULL,
                                              &update_table.rows[i]};

    const struct CMUnitTest other_tests[] = {
        cmocka_unit_test(test_render_webhook_document),
        cmocka_unit_test(test_render_key_order),
        cmocka_unit_test(test_render_description_and_no_secret_key),
        cmocka_unit_test(test_render_public_base_url),
        cmocka_unit_test(test_render_masks_aws_keys),
        cmocka_unit_test(test_render_masks_short_aws_keys),
        cmocka_unit_test(test_render_masks_stomp_password),
        cmocka_unit_test(test_render_stomp_without_credentials),
        cmocka_unit_test(test_create_then_render),
        cmocka_unit_test(test_secret_mask),
        cmocka_unit_test(test_attributes_document),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_clear_is_safe_on_zeroed_and_repeated),
    };

    int failed = _cmocka_run_group_tests("integration_from_create", create_tests, create_count, NULL, NULL);
    failed += _cmocka_run_group_tests("integration_from_update", update_tests, update_table.count, NULL, NULL);
    free(create_tests);
    free(update_tests);
    free_table(&create_table);
    free_table(&update_table);
    failed += cmocka_run_group_tests_name("integration render, mask, attributes", other_tests, NULL, NULL);
    return failed == 0 ? 0 : 1;
}
