/* UTF-8 sequences: the one check behind every writer of JSON text. Pure. */
#include "utf8.h"

size_t utf8_sequence(const unsigned char *s, size_t n)
{
    size_t need;
    unsigned min;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4, min = 0x10000;
    else
        return 0;
    if (n < need)
        return 0;
    unsigned cp = s[0] & (0xFF >> (need + 1));
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}
