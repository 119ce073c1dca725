/* The emulator's `Prefer` request header (RFC 7240): `code=NNN` forces the answer's status,
 * `delay=MS` holds the answer back. Other preferences, and parameters after ';', are ignored.
 * Pure. */
#ifndef INTEGRATIONSD_PREFER_H
#define INTEGRATIONSD_PREFER_H

#include <stdbool.h>
#include <stddef.h>

#define PREFER_DELAY_MAX_MS 60000

typedef struct prefer {
    int code;      /* 400-599; 0 = none */
    long delay_ms; /* 0-PREFER_DELAY_MAX_MS; 0 = none */
} prefer;

/* Reads the header's value into *out. false with a sentence for the client in why when a value
 * of code or delay is not one the emulator takes. The first occurrence of a preference wins. */
bool prefer_parse(const char *header, prefer *out, char *why, size_t why_size);

#endif
