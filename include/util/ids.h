/* Random identifiers: UUID v4 (libuuid) and opaque tokens. */
#ifndef INTEGRATIONSD_IDS_H
#define INTEGRATIONSD_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define UUID_STR_LEN 37  /* 36 chars + NUL */
#define TOKEN_STR_LEN 65 /* 64 hex chars + NUL */

/* A new random version 4 UUID, lowercase: resource and request ids. */
void id_new(char out[UUID_STR_LEN]);
/* true when s[0..len) is a canonical lowercase-or-uppercase UUID string. */
bool id_is_uuid(const char *s, size_t len);
/* 32 random bytes as lowercase hex. Returns false if the system has no randomness to give. */
bool token_new(char out[TOKEN_STR_LEN]);

#endif
