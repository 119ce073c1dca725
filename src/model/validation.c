/* Validation errors in the words of spec §4.1, one function per kind of failure. */
#include "validation.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"


const char *validation_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    default: return "null";
    }
}

void fail_with(json_t *errors, const char *source, const char *detail, const char *title_fmt, ...)
{
    char *title = NULL;
    va_list ap;
    va_start(ap, title_fmt);
    int n = vasprintf(&title, title_fmt, ap);
    va_end(ap);
    errors_add_titled(errors, ERR_INVALID, n < 0 ? NULL : title, detail, source);
    free(n < 0 ? NULL : title);
}

void fail_missing(json_t *errors, const char *source, const char *key)
{
    char detail[256];
    snprintf(detail, sizeof detail, "The property %s is required.", source);
    fail_with(errors, source, detail, "Missing required property: %s", key);
}

void fail_type(json_t *errors, const char *source, const json_t *got, const char *want)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s must be of type %s, not %s.", source, want, validation_type_name(got));
    fail_with(errors, source, detail, "Invalid type: %s (expected %s)", validation_type_name(got), want);
}

void fail_enum(json_t *errors, const char *source, const char *value)
{
    json_t *s = json_string(value);
    char *quoted = json_dumps(s, JSON_ENCODE_ANY);
    char detail[256];
    snprintf(detail, sizeof detail, "%s is not one of the accepted values.", source);
    fail_with(errors, source, detail, "No enum match for: %s", quoted ? quoted : "\"\"");
    free(quoted);
    json_decref(s);
}

void fail_short_string(json_t *errors, const char *source)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s must be at least 1 character long.", source);
    fail_with(errors, source, detail, "String is too short (0 chars), minimum 1");
}

void fail_long_string(json_t *errors, const char *source, size_t length, size_t maximum, const char *flag)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s must be at most %zu characters long (%s).", source, maximum, flag);
    fail_with(errors, source, detail, "String is too long (%zu chars), maximum %zu", length, maximum);
}

size_t validation_char_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80; /* every byte but a continuation starts a character */
    return n;
}

void fail_format(json_t *errors, const char *source, const char *what)
{
    char detail[256];
    snprintf(detail, sizeof detail, "%s is not a valid %s.", source, what);
    fail_with(errors, source, detail, "Invalid format: %s", what);
}

const json_t *require_data_object(const json_t *body, json_t *errors)
{
    const json_t *data = json_is_object(body) ? json_object_get(body, "data") : NULL;
    if (!json_is_object(data)) {
        errors_add(errors, ERR_MISSING_DATA, NULL, "data");
        return NULL;
    }
    return data;
}

const char *require_string(json_t *errors, const json_t *obj, const char *key, const char *source)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        fail_missing(errors, source, key);
        return NULL;
    }
    if (!json_is_string(v)) {
        fail_type(errors, source, v, "string");
        return NULL;
    }
    return json_string_value(v);
}

void require_data_type(json_t *errors, const json_t *data, const char *expected)
{
    const char *type = require_string(errors, data, "type", "data.type");
    if (type && strcmp(type, expected) != 0)
        fail_enum(errors, "data.type", type);
}
