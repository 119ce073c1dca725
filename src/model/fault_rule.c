/* Owns the fault rule's rules: validation of a rules document, the path glob, the shown form.
 * Pure: where rules are kept and when they apply is src/api/faults.c's. */
#include "fault_rule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "validation.h"

static const char *const methods[] = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};

static void fail(json_t *errors, size_t i, const char *field, const char *detail)
{
    char source[64];
    snprintf(source, sizeof source, "data[%zu]%s%s", i, field[0] ? "." : "", field);
    errors_add(errors, ERR_BAD_REQUEST, detail, source);
}

/* A whole number in [min, max] at rule[key] (absent or null: `fallback`). */
static bool whole(json_t *errors, size_t i, const json_t *rule, const char *key, long min, long max, long fallback,
                  long *out)
{
    const json_t *v = json_object_get(rule, key);
    *out = fallback;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s must be a whole number from %ld to %ld.", key, min, max);
        fail(errors, i, key, detail);
        return false;
    }
    *out = (long)json_integer_value(v);
    return true;
}

static bool read_rule(const json_t *rule, size_t i, json_t *errors, fault_rule *r)
{
    size_t before = json_array_size(errors);
    memset(r, 0, sizeof *r);
    if (!json_is_object(rule)) {
        fail(errors, i, "", "A rule is an object.");
        return false;
    }
    const json_t *method = json_object_get(rule, "method");
    snprintf(r->method, sizeof r->method, "*");
    if (method && !json_is_null(method)) {
        bool known = false;
        const char *m = json_string_value(method);
        for (size_t k = 0; m && k < sizeof methods / sizeof methods[0]; k++) {
            if (strcasecmp(m, methods[k]) == 0) {
                snprintf(r->method, sizeof r->method, "%s", methods[k]);
                known = true;
            }
        }
        if (!known)
            fail(errors, i, "method", "method is one of *, GET, POST, PUT, PATCH, DELETE, HEAD.");
    }
    const char *path = json_string_value(json_object_get(rule, "path"));
    if (!path || path[0] != '/' || strlen(path) >= FAULT_PATH_MAX)
        fail(errors, i, "path", "path is required: a path from / (at most 255 characters), * for any run of characters.");
    else
        snprintf(r->path, sizeof r->path, "%s", path);
    long status, times;
    whole(errors, i, rule, "status", 400, 599, 0, &status);
    whole(errors, i, rule, "delay_ms", 0, FAULT_DELAY_MAX_MS, 0, &r->delay_ms);
    whole(errors, i, rule, "times", 1, 1000000000, -1, &times);
    r->status = (int)status;
    r->times = times;
    const json_t *p = json_object_get(rule, "probability");
    r->probability = 1;
    if (p && !json_is_null(p)) {
        if (!json_is_number(p) || json_number_value(p) < 0 || json_number_value(p) > 1 || isnan(json_number_value(p)))
            fail(errors, i, "probability", "probability is a number from 0 to 1.");
        else
            r->probability = json_number_value(p);
    }
    if (json_array_size(errors) == before && r->status == 0 && r->delay_ms == 0)
        fail(errors, i, "", "A rule forces a status, a delay_ms, or both.");
    id_new(r->id);
    return json_array_size(errors) == before;
}

bool fault_rules_parse(const json_t *doc, fault_rule out[FAULT_RULES_MAX], size_t *count, json_t *errors)
{
    const json_t *data = json_is_object(doc) ? json_object_get(doc, "data") : NULL;
    if (!json_is_array(data)) {
        errors_add(errors, ERR_BAD_REQUEST, "The body is {\"data\":[rule, …]}.", "data");
        return false;
    }
    if (json_array_size(data) > FAULT_RULES_MAX) {
        char detail[64];
        snprintf(detail, sizeof detail, "At most %d rules.", FAULT_RULES_MAX);
        errors_add(errors, ERR_BAD_REQUEST, detail, "data");
        return false;
    }
    fault_rule rules[FAULT_RULES_MAX];
    bool ok = true;
    for (size_t i = 0; i < json_array_size(data); i++)
        ok = read_rule(json_array_get(data, i), i, errors, &rules[i]) && ok;
    if (!ok)
        return false;
    memcpy(out, rules, json_array_size(data) * sizeof *rules);
    *count = json_array_size(data);
    return true;
}

/* '*' matches any run of characters (none included); everything else itself. */
static bool glob(const char *pattern, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern == *s) {
            pattern++;
            s++;
        } else if (star) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

bool fault_rule_matches(const fault_rule *r, const char *method, const char *path)
{
    return (strcmp(r->method, "*") == 0 || strcmp(r->method, method) == 0) && glob(r->path, path);
}

json_t *fault_rule_json(const fault_rule *r)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:I, s:f, s:o}", "id", r->id, "method", r->method, "path", r->path,
                     "status", r->status ? json_integer(r->status) : json_null(), "delay_ms", (json_int_t)r->delay_ms,
                     "probability", r->probability, "times", r->times < 0 ? json_null() : json_integer(r->times));
}
