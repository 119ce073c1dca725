/* Wall-clock milliseconds and their ISO 8601 text, without gmtime's lock. Pure but for the
 * clock. */
#include "timestamp.h"

#include <string.h>
#include <time.h>

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The civil date of a day count since 1970-01-01 (H. Hinnant's days-to-civil: no tables, no
 * time zone, no lock; gmtime_r takes the time-zone lock on every call). */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);                        /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11], March first */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

static void digits(char *out, unsigned value, int width)
{
    for (int i = width - 1; i >= 0; i--, value /= 10)
        out[i] = (char)('0' + value % 10);
}

void timestamp_format(int64_t ms, char out[TIMESTAMP_LEN])
{
    /* four-digit years: 0000-01-01 .. 9999-12-31 */
    const int64_t first = INT64_C(-62167219200000), last = INT64_C(253402300799999);
    ms = ms < first ? first : ms > last ? last : ms;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    unsigned in_day = (unsigned)(secs - days * 86400), millis = (unsigned)(ms - secs * 1000);
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    memcpy(out, "0000-00-00T00:00:00.000Z", TIMESTAMP_LEN);
    digits(out, (unsigned)year, 4);
    digits(out + 5, (unsigned)month, 2);
    digits(out + 8, (unsigned)day, 2);
    digits(out + 11, in_day / 3600, 2);
    digits(out + 14, in_day / 60 % 60, 2);
    digits(out + 17, in_day % 60, 2);
    digits(out + 20, millis, 3);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days-from-civil). */
static int64_t days_from_civil(int year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned yoe = (unsigned)(year - era * 400);                              /* [0, 399] */
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                     /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number; false when one is not a digit. */
static bool number(const char *s, int n, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

bool timestamp_parse(const char *t, int64_t *ms)
{
    unsigned year, month, day, hour, minute, second, millis = 0;
    size_t len = strlen(t);
    if ((len != 24 && len != 20) || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
        t[len - 1] != 'Z' || (len == 24 && t[19] != '.'))
        return false;
    if (!number(t, 4, &year) || !number(t + 5, 2, &month) || !number(t + 8, 2, &day) || !number(t + 11, 2, &hour) ||
        !number(t + 14, 2, &minute) || !number(t + 17, 2, &second) || (len == 24 && !number(t + 20, 3, &millis)))
        return false;
    static const unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || (month == 2 && day == 29 && !leap) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    int64_t days = days_from_civil((int)year, month, day);
    *ms = ((days * 24 + hour) * 60 + minute) * INT64_C(60000) + second * 1000 + millis;
    return true;
}
