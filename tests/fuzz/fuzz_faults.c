/* PUT /emulator/v1/faults: the rules document (fault_rules_parse), read as JSON the way the server
 * reads a body. Rules read are within their ranges, shown as JSON that reads back to the same
 * rules, and match their own path; a refusal has errors with a source each and leaves the rules
 * untouched. The input is also matched, as a request path, against every rule read. */
#include <math.h>

#include "fault_rule.h"
#include "fuzz.h"

static const char *const methods[] = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};

static void check_rule(const fault_rule *r, const char *request_path)
{
    bool known = false;
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++)
        known = known || strcmp(r->method, methods[k]) == 0;
    FUZZ_ASSERT(known);
    FUZZ_ASSERT(r->path[0] == '/' && strlen(r->path) < FAULT_PATH_MAX);
    FUZZ_ASSERT(r->status == 0 || (r->status >= 400 && r->status <= 599));
    FUZZ_ASSERT(r->delay_ms >= 0 && r->delay_ms <= FAULT_DELAY_MAX_MS);
    FUZZ_ASSERT(r->status || r->delay_ms);
    FUZZ_ASSERT(r->probability >= 0 && r->probability <= 1 && !isnan(r->probability));
    FUZZ_ASSERT(r->times == -1 || (r->times >= 1 && r->times <= 1000000000));
    FUZZ_ASSERT(id_is_uuid(r->id, strlen(r->id)));
    /* '*' matches any run, itself included: a rule catches its own path */
    FUZZ_ASSERT(fault_rule_matches(r, strcmp(r->method, "*") == 0 ? "GET" : r->method, r->path));
    (void)fault_rule_matches(r, "GET", request_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_text(data, size > FAULT_PATH_MAX * 4 ? FAULT_PATH_MAX * 4 : size);
    json_t *doc = fuzz_json(data, size), *errors = json_array();
    FUZZ_ASSERT(errors);
    fault_rule rules[FAULT_RULES_MAX], untouched[FAULT_RULES_MAX];
    memset(rules, 0xA5, sizeof rules);
    memcpy(untouched, rules, sizeof rules);
    size_t count = 12345;
    if (doc && fault_rules_parse(doc, rules, &count, errors)) {
        FUZZ_ASSERT(json_array_size(errors) == 0 && count <= FAULT_RULES_MAX);
        json_t *shown = json_array();
        for (size_t i = 0; i < count; i++) {
            check_rule(&rules[i], path);
            json_t *j = fault_rule_json(&rules[i]);
            FUZZ_ASSERT(j);
            json_array_append_new(shown, j);
        }
        /* what GET shows, PUT again, gives the same rules (with new ids) */
        json_t *again_doc = json_pack("{s:o}", "data", shown);
        fault_rule again[FAULT_RULES_MAX];
        size_t again_count = 0;
        FUZZ_ASSERT(again_doc && fault_rules_parse(again_doc, again, &again_count, errors));
        FUZZ_ASSERT(again_count == count);
        for (size_t i = 0; i < count; i++) {
            const fault_rule *a = &rules[i], *b = &again[i];
            FUZZ_ASSERT(strcmp(a->method, b->method) == 0 && strcmp(a->path, b->path) == 0);
            FUZZ_ASSERT(a->status == b->status && a->delay_ms == b->delay_ms && a->times == b->times);
            FUZZ_ASSERT(a->probability == b->probability);
        }
        json_decref(again_doc);
    } else if (doc) {
        fuzz_check_errors(errors);
        FUZZ_ASSERT(count == 12345 && memcmp(rules, untouched, sizeof rules) == 0);
    }
    json_decref(errors);
    json_decref(doc);
    free(path);
    return 0;
}
