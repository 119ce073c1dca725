/* Owns the start and the stop of a background thread; what the thread does is its owner's. */
#include "worker_thread.h"

#include <stdlib.h>

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
