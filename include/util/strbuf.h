/* A growable text buffer for responses written by hand on hot paths. */
#ifndef INTEGRATIONSD_STRBUF_H
#define INTEGRATIONSD_STRBUF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
    char *data; /* NUL-terminated while ok */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: the text is incomplete */
} strbuf;

void strbuf_append(strbuf *b, const char *s, size_t n);
/* Room for `extra` more bytes (and the NUL) without growing again; false when it cannot be had. */
bool strbuf_reserve(strbuf *b, size_t extra);
void strbuf_puts(strbuf *b, const char *s);
/* Appends a string literal (its length known at compile time). */
#define strbuf_lit(b, literal) strbuf_append((b), "" literal, sizeof(literal) - 1)
/* Appends s as a JSON string literal, escaped as jansson's compact dump escapes valid UTF-8
 * (the listing test compares them). Text that is not UTF-8 cannot be JSON: it marks the buffer
 * failed, where jansson would refuse the whole document. */
void strbuf_json_string(strbuf *b, const char *s);
/* The same without the quotes, to build one string from several parts. */
void strbuf_json_escape(strbuf *b, const char *s);
/* Appends the compact JSON text of v as jansson writes it with `flags` (JSON_COMPACT is added);
 * a value that cannot be written marks the buffer failed. */
void strbuf_put_json(strbuf *b, const json_t *v, size_t flags);
/* Hands the text over (the caller frees it); NULL when an allocation failed. */
char *strbuf_take(strbuf *b);
void strbuf_free(strbuf *b);

#endif
