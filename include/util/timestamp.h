/* Wall-clock time in milliseconds and its ISO 8601 rendering (spec §1). */
#ifndef INTEGRATIONSD_TIMESTAMP_H
#define INTEGRATIONSD_TIMESTAMP_H

#include <stdbool.h>
#include <stdint.h>

#define TIMESTAMP_LEN 25 /* "2018-04-30T09:35:32.202Z" + NUL */

int64_t now_ms(void);
/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (TIMESTAMP_LEN bytes). */
void timestamp_format(int64_t ms, char out[TIMESTAMP_LEN]);
/* Reads "YYYY-MM-DDTHH:MM:SS.mmmZ" (the milliseconds may be left out) into unix ms; false when the
 * text is not that or not a real date and time. */
bool timestamp_parse(const char *text, int64_t *ms);

#endif
