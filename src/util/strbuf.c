/* A growable text buffer and JSON string escaping for answers written by hand. An
 * allocation failure marks the buffer failed instead of stopping every caller. */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

bool strbuf_reserve(strbuf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void strbuf_append(strbuf *b, const char *s, size_t n)
{
    if (!strbuf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s)
{
    strbuf_append(b, s, strlen(s));
}

/* Bytes that cannot be copied as they are: controls, '"', '\\', and the first byte of every
 * multi-byte character (checked to be UTF-8). */
static const unsigned char special[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

void strbuf_json_escape(strbuf *b, const char *s)
{
    const char *run = s; /* copied as it is, once a special byte or the end is reached */
    for (;; s++) {
        unsigned char c = (unsigned char)*s;
        if (!special[c])
            continue;
        if (c == 0)
            break;
        if (c >= 0x80) { /* JSON text is UTF-8: anything else cannot be sent */
            size_t n = utf8_sequence((const unsigned char *)s, strnlen(s, 4));
            if (n == 0) {
                b->failed = true;
                return;
            }
            s += n - 1;
            continue;
        }
        strbuf_append(b, run, (size_t)(s - run));
        char esc[8];
        switch (c) {
        case '"': strbuf_append(b, "\\\"", 2); break;
        case '\\': strbuf_append(b, "\\\\", 2); break;
        case '\b': strbuf_append(b, "\\b", 2); break;
        case '\f': strbuf_append(b, "\\f", 2); break;
        case '\n': strbuf_append(b, "\\n", 2); break;
        case '\r': strbuf_append(b, "\\r", 2); break;
        case '\t': strbuf_append(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            strbuf_append(b, esc, 6);
        }
        run = s + 1;
    }
    strbuf_append(b, run, (size_t)(s - run));
}

void strbuf_json_string(strbuf *b, const char *s)
{
    strbuf_append(b, "\"", 1);
    strbuf_json_escape(b, s);
    strbuf_append(b, "\"", 1);
}

char *strbuf_take(strbuf *b)
{
    char *text = b->failed ? NULL : b->data;
    if (b->failed)
        free(b->data);
    *b = (strbuf){0};
    return text;
}

void strbuf_free(strbuf *b)
{
    free(b->data);
    *b = (strbuf){0};
}

void strbuf_put_json(strbuf *b, const json_t *v, size_t flags)
{
    char *text = v ? json_dumps(v, flags | JSON_COMPACT) : NULL;
    if (text)
        strbuf_puts(b, text);
    else
        b->failed = true;
    free(text);
}
