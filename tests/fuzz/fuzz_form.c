/* POST /oauth/access_token: the token request body, a form (form_parse) or, when it starts with
 * '{', a JSON object, read as src/api/auth.c reads it. A form read is an object of strings that
 * the server can read whole (no NUL inside), and percent-encoded again it reads the same. */
#include <ctype.h>

#include "form.h"
#include "fuzz.h"

/* Every byte but the unreserved ones as %XX. */
static char *encode(const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(3 * len + 1), *o = out;
    FUZZ_ASSERT(out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

static void check_form(const json_t *form)
{
    FUZZ_ASSERT(json_is_object(form));
    size_t cap = 1, len = 0;
    char *again = calloc(1, cap);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)form, key, v) {
        FUZZ_ASSERT(json_is_string(v));
        /* the server reads fields with json_string_value: a NUL inside would cut them short */
        FUZZ_ASSERT(json_string_length(v) == strlen(json_string_value(v)));
        char *k = encode(key, strlen(key)), *e = encode(json_string_value(v), json_string_length(v));
        size_t add = strlen(k) + strlen(e) + 2;
        again = realloc(again, cap = len + add + 1);
        FUZZ_ASSERT(again);
        len += (size_t)snprintf(again + len, cap - len, "%s%s=%s", len ? "&" : "", k, e);
        free(k);
        free(e);
    }
    json_t *reread = form_parse(again, len);
    FUZZ_ASSERT(reread && json_equal(reread, (json_t *)form));
    json_decref(reread);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_BODY)
        return 0;
    const char *body = (const char *)data;
    size_t i = 0;
    while (i < size && isspace(data[i]))
        i++;
    if (i < size && body[i] == '{') { /* auth.c: a JSON token request */
        json_t *doc = fuzz_json(data, size);
        if (doc) {
            const char *fields[] = {"grant_type", "client_id", "client_secret"};
            for (size_t f = 0; f < 3; f++) {
                const char *s = json_string_value(json_object_get(doc, fields[f]));
                FUZZ_ASSERT(!s || fuzz_is_utf8(s));
            }
            json_decref(doc);
        }
    }
    /* the form parser is given the whole body with its length, as auth.c does */
    json_t *form = form_parse(body, size);
    if (form)
        check_form(form);
    json_decref(form);
    return 0;
}
