/* What every libFuzzer harness of tests/fuzz/ shares: the input as text or as a JSON document read
 * the way the server reads a request body, the checks of an error array, and an assertion that
 * stops the run with the failed condition (libFuzzer then keeps the input as a crash). */
#ifndef INTEGRATIONSD_FUZZ_H
#define INTEGRATIONSD_FUZZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* The server's default --max-body: a larger body is answered 413 before any parser sees it. */
#define FUZZ_MAX_BODY 1048576

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* data[0..size) as a NUL-terminated string (a NUL inside ends it early, as for a C caller). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_ASSERT(s);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The body as src/api/common.c api_parse_json reads it (any JSON value); NULL when not JSON or
 * larger than the server takes. */
static inline json_t *fuzz_json(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_BODY)
        return NULL;
    json_error_t err;
    return json_loadb(size ? (const char *)data : "", size, JSON_DECODE_ANY, &err);
}

static inline bool fuzz_is_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_sequence((const unsigned char *)s + i, n - i);
        if (!seq)
            return false;
        i += seq;
    }
    return true;
}

/* A failed validation: at least one error, each {status 400, title, detail, source}, the whole
 * array writable as the JSON answer. */
static inline void fuzz_check_errors(const json_t *errors)
{
    FUZZ_ASSERT(json_is_array(errors) && json_array_size(errors) > 0);
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e) {
        FUZZ_ASSERT(json_is_object(e));
        FUZZ_ASSERT(json_integer_value(json_object_get(e, "status")) == 400);
        const char *title = json_string_value(json_object_get(e, "title"));
        const char *detail = json_string_value(json_object_get(e, "detail"));
        const char *source = json_string_value(json_object_get(e, "source"));
        FUZZ_ASSERT(title && title[0]);
        FUZZ_ASSERT(detail && detail[0]);
        FUZZ_ASSERT(source && source[0]);
    }
    char *text = json_dumps(errors, JSON_COMPACT);
    FUZZ_ASSERT(text);
    free(text);
}

#endif
