/* application/x-www-form-urlencoded bodies: fields and percent-decoding. Pure. */
#include "form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into out (which holds at least len+1 bytes). Returns the decoded length or -1. */
static long decode(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = len - i >= 3 ? hex_digit_value(s[i + 1]) : -1;
            int lo = len - i >= 3 ? hex_digit_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) /* malformed, or a NUL byte */
                return -1;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '\0') { /* a raw NUL byte: refused like %00 */
            return -1;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return (long)o;
}

json_t *form_parse(const char *body, size_t len)
{
    json_t *form = json_object();
    char *buf = malloc(len + 1);
    if (!buf || !form)
        goto fail;
    size_t start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && body[end] != '&')
            end++;
        size_t eq = start;
        while (eq < end && body[eq] != '=')
            eq++;
        if (end > start) {
            long klen = decode(body + start, eq - start, buf);
            if (klen < 0)
                goto fail;
            char *key = strndup(buf, (size_t)klen);
            size_t vstart = eq < end ? eq + 1 : end;
            long vlen = decode(body + vstart, end - vstart, buf);
            json_t *value = vlen < 0 ? NULL : json_stringn(buf, (size_t)vlen);
            bool ok = key && value;
            if (ok && !json_object_get(form, key))
                json_object_set(form, key, value);
            json_decref(value);
            free(key);
            if (!ok)
                goto fail;
        }
        start = end + 1;
    }
    free(buf);
    return form;
fail:
    free(buf);
    json_decref(form);
    return NULL;
}
