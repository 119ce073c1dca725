/* Owns the timer thread and its heap of (due time, callback). It only calls them; what they do
 * (mostly waking a deferred answer) is their owners'. */
#include "timers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "worker_thread.h"

typedef struct timer {
    int64_t due_ms;
    void (*fire)(void *arg);
    void *arg;
} timer;

struct timers {
    worker_thread thread; /* first (see worker_thread_new); its lock guards the heap */
    timer *heap;          /* a binary min-heap on due_ms */
    size_t count, cap;
};

int64_t timers_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sift_up(timer *h, size_t i)
{
    while (i > 0 && h[(i - 1) / 2].due_ms > h[i].due_ms) {
        timer tmp = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static void sift_down(timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].due_ms < h[m].due_ms)
            m = l;
        if (r < n && h[r].due_ms < h[m].due_ms)
            m = r;
        if (m == i)
            return;
        timer tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

/* Takes the earliest timer off the heap (the lock held, count > 0). */
static timer pop(timers *t)
{
    timer first = t->heap[0];
    t->heap[0] = t->heap[--t->count];
    sift_down(t->heap, t->count, 0);
    return first;
}

static void *timers_main(void *arg)
{
    timers *t = arg;
    pthread_mutex_lock(&t->thread.mu);
    while (!t->thread.stopping) {
        if (t->count == 0) {
            pthread_cond_wait(&t->thread.wake, &t->thread.mu);
            continue;
        }
        int64_t wait_ms = t->heap[0].due_ms - timers_now();
        if (wait_ms > 0) {
            worker_thread_wait_ms(&t->thread, wait_ms);
            continue; /* a new earlier timer, a stop, or the time has come: look again */
        }
        timer due = pop(t);
        pthread_mutex_unlock(&t->thread.mu);
        due.fire(due.arg);
        pthread_mutex_lock(&t->thread.mu);
    }
    /* stopping: every answer still waiting is given now */
    while (t->count > 0) {
        timer due = pop(t);
        pthread_mutex_unlock(&t->thread.mu);
        due.fire(due.arg);
        pthread_mutex_lock(&t->thread.mu);
    }
    pthread_mutex_unlock(&t->thread.mu);
    return NULL;
}

timers *timers_new(void)
{
    return worker_thread_run(worker_thread_new(sizeof(timers)), timers_main);
}

bool timers_add(timers *t, int64_t due_ms, void (*fire)(void *arg), void *arg)
{
    pthread_mutex_lock(&t->thread.mu);
    bool ok = t->count < t->cap;
    if (!ok) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        timer *grown = realloc(t->heap, cap * sizeof *grown);
        if ((ok = grown != NULL)) {
            t->heap = grown;
            t->cap = cap;
        }
    }
    if (ok) {
        t->heap[t->count] = (timer){due_ms, fire, arg};
        sift_up(t->heap, t->count++);
        if (t->heap[0].due_ms == due_ms) /* the earliest now: the thread sleeps until it */
            pthread_cond_signal(&t->thread.wake);
    }
    pthread_mutex_unlock(&t->thread.mu);
    return ok;
}

void timers_free(timers *t)
{
    if (!t)
        return;
    worker_thread_stop(&t->thread); /* the thread wakes what is left before it returns */
    free(t->heap);
    free(t);
}
