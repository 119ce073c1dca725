/* A thread of its own with the lock and condition it waits on, and the stop that every such
 * thread needs: set `stopping` under the lock, wake the thread, join it. */
#ifndef INTEGRATIONSD_WORKER_THREAD_H
#define INTEGRATIONSD_WORKER_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct worker_thread {
    pthread_t id;
    pthread_mutex_t mu;   /* guards stopping and the owner's own shared fields */
    pthread_cond_t wake;  /* signalled when the thread has something to do, or must stop */
    bool started;
    bool stopping;
} worker_thread;

void worker_thread_init(worker_thread *t);
/* Starts main(arg) (once); false when the thread cannot be created. Call with t->mu held or
 * before the thread is shared. */
bool worker_thread_start(worker_thread *t, void *(*main)(void *), void *arg);
/* Waits (t->mu held) until woken or ms have passed; false when the time passed. */
bool worker_thread_wait_ms(worker_thread *t, int64_t ms);
/* Tells the thread to stop, waits for it to return, and releases the lock and the condition. */
void worker_thread_stop(worker_thread *t);

/* An owner: a struct whose first member is its worker_thread. worker_thread_new allocates one
 * zeroed with its thread initialised (NULL when memory runs out); worker_thread_run starts
 * main(owner) on it and returns the owner, or frees it and returns NULL (NULL in, NULL out);
 * worker_thread_free stops the thread and frees the owner (NULL does nothing). What else the
 * owner holds is freed by the owner, after worker_thread_stop or before worker_thread_free. */
void *worker_thread_new(size_t owner_size);
void *worker_thread_run(void *owner, void *(*main)(void *));
void worker_thread_free(void *owner);

#endif
