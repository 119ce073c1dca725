/* When a failed job is tried next: the retry schedule. Pure. */
#include "retry.h"

int64_t retry_next_attempt(const double *schedule, size_t attempts, int attempt, bool succeeded, int64_t ended_ms)
{
    if (succeeded || attempt < 1 || (size_t)attempt >= attempts)
        return -1;
    return ended_ms + (int64_t)(schedule[attempt] * 1000.0 + 0.5);
}
