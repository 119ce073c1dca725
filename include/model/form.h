/* application/x-www-form-urlencoded bodies and percent-decoding. Pure. */
#ifndef INTEGRATIONSD_FORM_H
#define INTEGRATIONSD_FORM_H

#include <jansson.h>
#include <stddef.h>

/* 0-15 for a hexadecimal digit, -1 otherwise (percent-decoding). */
int hex_digit_value(char c);

/* Decodes "a=1&b=x+y" into {"a":"1","b":"x y"} (the first of repeated keys wins).
 * NULL when a %-escape is malformed or a value is not UTF-8. */
json_t *form_parse(const char *body, size_t len);

#endif
