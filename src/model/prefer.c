/* Owns the reading of the `Prefer` header: the two preferences the emulator honours and their
 * ranges. Pure: the forcing and the waiting are the API's and the HTTP layer's. */
#include "prefer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "payload.h"

/* A whole decimal number in [min, max] written in s[0..n) (optionally in double quotes). */
static bool number_in(const char *s, size_t n, long min, long max, long *out)
{
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    if (n == 0 || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* At most 32 bytes of a refused value, for the sentence that quotes it: that sentence becomes the
 * detail of a JSON error, so the text is kept UTF-8 (a character cut short or a byte that is not
 * UTF-8 replaced). A newly allocated string; NULL when out of memory. */
static char *quoted(const char *value, size_t n)
{
    return utf8_clean(value, n, 32);
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

bool prefer_parse(const char *header, prefer *out, char *why, size_t why_size)
{
    *out = (prefer){0};
    bool seen_code = false, seen_delay = false;
    for (const char *p = header; *p;) {
        size_t len = strcspn(p, ",");
        const char *item = p;
        p += len + (p[len] == ',');
        size_t n = strcspn(item, ";"); /* parameters are ignored */
        if (n > len)
            n = len;
        const char *eq = memchr(item, '=', n);
        const char *name = item, *value = eq ? eq + 1 : item + n;
        size_t name_len = eq ? (size_t)(eq - item) : n, value_len = eq ? n - name_len - 1 : 0;
        trim(&name, &name_len);
        trim(&value, &value_len);
        long v;
        if (name_len == 4 && strncasecmp(name, "code", 4) == 0 && !seen_code) {
            seen_code = true;
            if (!number_in(value, value_len, 400, 599, &v)) {
                char *shown = quoted(value, value_len);
                snprintf(why, why_size, "Prefer: code must be an HTTP status from 400 to 599, not \"%s\".",
                         shown ? shown : "");
                free(shown);
                return false;
            }
            out->code = (int)v;
        } else if (name_len == 5 && strncasecmp(name, "delay", 5) == 0 && !seen_delay) {
            seen_delay = true;
            if (!number_in(value, value_len, 0, PREFER_DELAY_MAX_MS, &v)) {
                char *shown = quoted(value, value_len);
                snprintf(why, why_size, "Prefer: delay must be milliseconds from 0 to %d, not \"%s\".",
                         PREFER_DELAY_MAX_MS, shown ? shown : "");
                free(shown);
                return false;
            }
            out->delay_ms = v;
        }
    }
    return true;
}
