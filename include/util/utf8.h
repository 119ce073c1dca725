/* UTF-8 checks shared by the writers of JSON text. Pure. */
#ifndef INTEGRATIONSD_UTF8_H
#define INTEGRATIONSD_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes available), or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t utf8_sequence(const unsigned char *s, size_t n);

#endif
