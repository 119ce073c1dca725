/* What a STOMP broker sends (src/delivery/stomp.c reads it with stomp_frame_parse): the bytes as
 * one stream of frames, parsed frame after frame as the connection does. A frame is well-formed
 * (an upper-case command, at most STOMP_MAX_HEADERS headers, a body ending in NUL inside what was
 * consumed), parses the same from exactly its own bytes, every shorter prefix asks for more, and
 * an escaped frame encoded again parses to the same frame. */
#include "fuzz.h"
#include "stomp_frame.h"

static void check_same(const stomp_frame *a, const stomp_frame *b)
{
    FUZZ_ASSERT(strcmp(a->command, b->command) == 0);
    FUZZ_ASSERT(a->header_count == b->header_count);
    for (size_t i = 0; i < a->header_count; i++) {
        FUZZ_ASSERT(strcmp(a->headers[i].name, b->headers[i].name) == 0);
        FUZZ_ASSERT(strcmp(a->headers[i].value, b->headers[i].value) == 0);
    }
    FUZZ_ASSERT(a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0);
}

static void check_frame(const char *buf, size_t used, const stomp_frame *f)
{
    FUZZ_ASSERT(used >= 1 && buf[used - 1] == '\0');
    FUZZ_ASSERT(f->command && f->command[0] && strlen(f->command) <= 64);
    for (const char *c = f->command; *c; c++)
        FUZZ_ASSERT(*c >= 'A' && *c <= 'Z');
    FUZZ_ASSERT(f->header_count <= STOMP_MAX_HEADERS);
    for (size_t i = 0; i < f->header_count; i++)
        FUZZ_ASSERT(f->headers[i].name && f->headers[i].value);
    FUZZ_ASSERT(f->body && f->body[f->body_len] == '\0' && f->body_len < used);
    if (f->header_count)
        FUZZ_ASSERT(stomp_frame_header(f, f->headers[0].name) == f->headers[0].value);

    /* exactly its own bytes: the same frame */
    stomp_frame again;
    size_t again_used;
    FUZZ_ASSERT(stomp_frame_parse(buf, used, &again, &again_used) == STOMP_PARSE_FRAME);
    FUZZ_ASSERT(again_used == used);
    check_same(f, &again);
    stomp_frame_clear(&again);

    /* a frame cut short asks for more (a few cuts: all of them would be quadratic) */
    size_t cuts[] = {used - 1, used / 2, used / 3, 1};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        size_t cut_used;
        FUZZ_ASSERT(stomp_frame_parse(buf, cuts[c], &again, &cut_used) == STOMP_PARSE_MORE);
        FUZZ_ASSERT(cut_used <= cuts[c]);
        FUZZ_ASSERT(!again.command && !again.body && again.header_count == 0);
    }

    /* encoded again (escaped frames: CONNECT and CONNECTED carry their headers as they are) */
    if (strcmp(f->command, "CONNECT") == 0 || strcmp(f->command, "CONNECTED") == 0)
        return;
    const char *h[2 * STOMP_MAX_HEADERS];
    for (size_t i = 0; i < f->header_count; i++) {
        h[2 * i] = f->headers[i].name;
        h[2 * i + 1] = f->headers[i].value;
    }
    size_t len;
    char *encoded = stomp_frame_encode(f->command, h, f->header_count, f->body, f->body_len, &len);
    FUZZ_ASSERT(encoded);
    FUZZ_ASSERT(stomp_frame_parse(encoded, len, &again, &again_used) == STOMP_PARSE_FRAME);
    FUZZ_ASSERT(again_used == len);
    check_same(f, &again);
    stomp_frame_clear(&again);
    free(encoded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes: ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    FUZZ_ASSERT(buf);
    if (size)
        memcpy(buf, data, size);
    size_t at = 0;
    for (;;) {
        stomp_frame f;
        size_t used;
        stomp_parse_result r = stomp_frame_parse(buf + at, size - at, &f, &used);
        FUZZ_ASSERT(used <= size - at);
        if (r != STOMP_PARSE_FRAME) {
            FUZZ_ASSERT(!f.command && !f.body && f.header_count == 0);
            break;
        }
        check_frame(buf + at, used, &f);
        stomp_frame_clear(&f);
        at += used;
    }
    free(buf);
    return 0;
}
