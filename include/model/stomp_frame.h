/* STOMP 1.2 frames: encoding and incremental parsing (spec §7.3). Pure: no I/O. */
#ifndef INTEGRATIONSD_STOMP_FRAME_H
#define INTEGRATIONSD_STOMP_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#define STOMP_MAX_HEADERS 32
#define STOMP_MAX_FRAME (1024 * 1024) /* larger frames from a peer are refused */

typedef struct stomp_header {
    char *name;  /* unescaped */
    char *value; /* unescaped */
} stomp_header;

typedef struct stomp_frame {
    char *command;
    stomp_header headers[STOMP_MAX_HEADERS];
    size_t header_count;
    char *body; /* NUL-terminated copy; body_len excludes that NUL */
    size_t body_len;
} stomp_frame;

/* Encodes a frame: headers is {name, value, name, value, …} with header_count pairs. Header
 * names and values are escaped (\\ \n \r \c), except in CONNECT and CONNECTED frames where
 * STOMP 1.2 forbids it. Returns a newly allocated buffer of *out_len bytes ending in NUL. */
char *stomp_frame_encode(const char *command, const char *const *headers, size_t header_count, const char *body,
                         size_t body_len, size_t *out_len);

typedef enum {
    STOMP_PARSE_FRAME,    /* *out holds a frame; *consumed bytes were used (heart-beat EOLs included) */
    STOMP_PARSE_MORE,     /* an incomplete frame: read more; *consumed counts leading EOLs skipped */
    STOMP_PARSE_MALFORMED /* not STOMP (or over STOMP_MAX_FRAME); give up on the connection */
} stomp_parse_result;

/* Parses the first frame of buf[0..len). Bare EOLs between frames (heart-beats) are skipped. */
stomp_parse_result stomp_frame_parse(const char *buf, size_t len, stomp_frame *out, size_t *consumed);

/* The first value of a header, NULL when absent (STOMP 1.2: the first occurrence wins). */
const char *stomp_frame_header(const stomp_frame *f, const char *name);

void stomp_frame_clear(stomp_frame *f);

#endif
