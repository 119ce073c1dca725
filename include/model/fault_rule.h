/* The emulator's fault rules (per store): which requests they catch, what they force, how they
 * read from a PUT /emulator/v1/faults document and how they are shown. Pure. */
#ifndef INTEGRATIONSD_FAULT_RULE_H
#define INTEGRATIONSD_FAULT_RULE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ids.h"

#define FAULT_RULES_MAX 32
#define FAULT_PATH_MAX 256
#define FAULT_DELAY_MAX_MS 60000

typedef struct fault_rule {
    char id[UUID_STR_LEN];
    char method[8];             /* upper case; "*" = any */
    char path[FAULT_PATH_MAX];  /* a glob: '*' is any run of characters */
    int status;                 /* 400-599; 0 = delay only */
    long delay_ms;              /* 0-FAULT_DELAY_MAX_MS */
    double probability;         /* 0-1 */
    long times;                 /* requests left to decide; -1 = unlimited */
} fault_rule;

/* Reads {"data":[rule, …]} into out (at most FAULT_RULES_MAX; each gets a new id). false with
 * every problem in errors (sources such as "data[1].status"); out is then untouched. */
bool fault_rules_parse(const json_t *doc, fault_rule out[FAULT_RULES_MAX], size_t *count, json_t *errors);

/* Whether the rule catches a request of that method and path (the query string left out). */
bool fault_rule_matches(const fault_rule *r, const char *method, const char *path);

/* A rule as the API shows it: {"id","method","path","status","delay_ms","probability","times"}. */
json_t *fault_rule_json(const fault_rule *r);

#endif
