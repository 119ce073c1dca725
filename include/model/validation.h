/* Validation errors (400) in the words of spec §4.1: one function per kind of failure, each
 * appending one error object with title, detail and source to `errors`. Pure. */
#ifndef INTEGRATIONSD_VALIDATION_H
#define INTEGRATIONSD_VALIDATION_H

#include <jansson.h>

/* The `data` object of a request document {"data":{…}}; NULL after reporting
 * "Missing required property: data" when the body is not an object holding one. */
const json_t *require_data_object(const json_t *body, json_t *errors);

/* "string", "number", "boolean", "array", "object" or "null". */
const char *validation_type_name(const json_t *v);

/* The string obj[key]; NULL after reporting it missing (absent or null) or not a string. */
const char *require_string(json_t *errors, const json_t *obj, const char *key, const char *source);
/* Reports data.type missing, not a string, or other than `expected`. */
void require_data_type(json_t *errors, const json_t *data, const char *expected);

void fail_with(json_t *errors, const char *source, const char *detail, const char *title_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Missing required property: <key> */
void fail_missing(json_t *errors, const char *source, const char *key);
/* Invalid type: <got> (expected <want>) */
void fail_type(json_t *errors, const char *source, const json_t *got, const char *want);
/* No enum match for: "<value>" */
void fail_enum(json_t *errors, const char *source, const char *value);
/* String is too short (0 chars), minimum 1 */
void fail_short_string(json_t *errors, const char *source);
/* String is too long (<length> chars), maximum <maximum>; the detail names the flag that sets it */
void fail_long_string(json_t *errors, const char *source, size_t length, size_t maximum, const char *flag);
/* The characters (code points) of a UTF-8 string; jansson has checked its encoding. */
size_t validation_char_count(const char *s);
/* Invalid format: <what> */
void fail_format(json_t *errors, const char *source, const char *what);

#endif
