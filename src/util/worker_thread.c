/* Owns the start and the stop of a background thread; what the thread does is its owner's. */
#include "worker_thread.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

void worker_thread_init(worker_thread *t)
{
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->wake, NULL);
    t->started = false;
    t->stopping = false;
}

bool worker_thread_start(worker_thread *t, void *(*main)(void *), void *arg)
{
    if (!t->started)
        t->started = pthread_create(&t->id, NULL, main, arg) == 0;
    return t->started;
}

bool worker_thread_wait_ms(worker_thread *t, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until); /* the clock pthread_cond_timedwait reads by default */
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    return pthread_cond_timedwait(&t->wake, &t->mu, &until) != ETIMEDOUT;
}

void worker_thread_stop(worker_thread *t)
{
    pthread_mutex_lock(&t->mu);
    t->stopping = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->mu);
    if (t->started)
        pthread_join(t->id, NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->mu);
}

void *worker_thread_new(size_t owner_size)
{
    worker_thread *t = calloc(1, owner_size);
    if (t)
        worker_thread_init(t);
    return t;
}

void worker_thread_free(void *owner)
{
    if (!owner)
        return;
    worker_thread_stop(owner);
    free(owner);
}

void *worker_thread_run(void *owner, void *(*main)(void *))
{
    if (owner && !worker_thread_start(owner, main, owner)) {
        worker_thread_free(owner);
        return NULL;
    }
    return owner;
}
