/* Owns the connection deadlines (deadlines.h) and the thread that enforces them. Touches a
 * connection only through its socket (a 408 and a shutdown, which libmicrohttpd then sees as the
 * client leaving), and only while the connection is known open: libmicrohttpd reports a close
 * (deadlines_close, under the same lock) before it closes the socket. */
#include "deadlines.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "errors.h"
#include "worker_thread.h"

/* The states with a deadline come first: each has its list (STATE_LISTS of them). */
typedef enum clock_state { FRESH, READING, IDLE, STATE_LISTS, ANSWERING = STATE_LISTS, SHUT } clock_state;

struct conn_clock {
    conn_clock *prev, *next; /* in lists[state] while state < STATE_LISTS */
    int fd;
    clock_state state;
    int64_t deadline_ms;
};

typedef struct clock_list {
    conn_clock *head, *tail; /* head: the earliest deadline */
} clock_list;

struct deadlines {
    worker_thread thread; /* first (see worker_thread_new); its lock guards all below */
    clock_list lists[STATE_LISTS];
    int64_t limit_ms[STATE_LISTS];
    unsigned open;        /* connections open */
    unsigned idle;        /* of those, in lists[IDLE] */
    unsigned crowded;     /* from this many open, idle connections are closed at once */
    unsigned max_idle;    /* past this many idle, the oldest is closed */
};

/* How often the thread looks. */
#define SWEEP_MS 200

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void unlink_clock(deadlines *d, conn_clock *c)
{
    if (c->state >= STATE_LISTS)
        return;
    d->idle -= c->state == IDLE;
    clock_list *l = &d->lists[c->state];
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
}

/* Moves c to state; a listed state's deadline starts now (the lists stay in deadline order). */
static void move(deadlines *d, conn_clock *c, clock_state state)
{
    if (c->state == SHUT)
        return; /* shut down already: only its close is left */
    unlink_clock(d, c);
    c->state = state;
    if (state >= STATE_LISTS)
        return;
    clock_list *l = &d->lists[state];
    d->idle += state == IDLE;
    c->deadline_ms = now_ms() + d->limit_ms[state];
    c->prev = l->tail;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

/* The answer of a request that did not arrive in time, written straight to the socket: nothing
 * else writes to it before a request is whole. Best effort: a full socket buffer drops it. */
static void send_timeout(int fd, clock_state state)
{
    char body[256], head[512];
    json_t *doc = error_document(ERR_REQUEST_TIMEOUT, state == FRESH ? "The request headers did not arrive in time "
                                                                       "(--header-timeout)."
                                                                     : "The request body did not arrive in time "
                                                                       "(--body-timeout).");
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    snprintf(body, sizeof body, "%s", text ? text : "");
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     strlen(body), body);
    if (n > 0 && (size_t)n < sizeof head)
        (void)!send(fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(text);
    json_decref(doc);
}

static void shut(deadlines *d, conn_clock *c)
{
    if (c->state == FRESH || c->state == READING)
        send_timeout(c->fd, c->state);
    unlink_clock(d, c);
    c->state = SHUT;
    d->open--; /* counted as gone now: its close comes when libmicrohttpd sees it */
    shutdown(c->fd, SHUT_RDWR);
}

/* Shuts down what is past its deadline, and idle connections while crowded. Lock held. */
static void sweep(deadlines *d)
{
    int64_t now = now_ms();
    for (int s = 0; s < STATE_LISTS; s++)
        while (d->lists[s].head && d->lists[s].head->deadline_ms <= now)
            shut(d, d->lists[s].head);
    while (d->open >= d->crowded && d->lists[IDLE].head)
        shut(d, d->lists[IDLE].head);
}

static void *sweeper_main(void *arg)
{
    deadlines *d = arg;
    pthread_mutex_lock(&d->thread.mu);
    while (!d->thread.stopping) {
        sweep(d);
        worker_thread_wait_ms(&d->thread, SWEEP_MS);
    }
    pthread_mutex_unlock(&d->thread.mu);
    return NULL;
}

deadlines *deadlines_start(int64_t header_ms, int64_t body_ms, int64_t idle_ms, unsigned max_connections,
                           unsigned max_idle)
{
    deadlines *d = worker_thread_new(sizeof *d);
    if (d) {
        d->limit_ms[FRESH] = header_ms;
        d->limit_ms[READING] = body_ms;
        d->limit_ms[IDLE] = idle_ms;
        /* idle connections make room once 9 in 10 connections are open */
        d->crowded = max_connections - max_connections / 10;
        d->max_idle = max_idle;
    }
    return worker_thread_run(d, sweeper_main);
}

void deadlines_stop(deadlines *d)
{
    worker_thread_free(d);
}

conn_clock *deadlines_open(deadlines *d, int fd)
{
    conn_clock *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->state = ANSWERING; /* in no list yet */
    pthread_mutex_lock(&d->thread.mu);
    move(d, c, FRESH);
    d->open++;
    if (d->open >= d->crowded && d->lists[IDLE].head)
        pthread_cond_signal(&d->thread.wake); /* make room now rather than at the next sweep */
    pthread_mutex_unlock(&d->thread.mu);
    return c;
}

static void change(deadlines *d, conn_clock *c, clock_state state)
{
    if (!c)
        return;
    pthread_mutex_lock(&d->thread.mu);
    move(d, c, state);
    pthread_mutex_unlock(&d->thread.mu);
}

void deadlines_reading(deadlines *d, conn_clock *c)
{
    change(d, c, READING);
}

void deadlines_answering(deadlines *d, conn_clock *c)
{
    change(d, c, ANSWERING);
}

void deadlines_idle(deadlines *d, conn_clock *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&d->thread.mu);
    move(d, c, IDLE);
    while (d->idle > d->max_idle)
        shut(d, d->lists[IDLE].head);
    pthread_mutex_unlock(&d->thread.mu);
}

void deadlines_close(deadlines *d, conn_clock *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&d->thread.mu);
    if (c->state != SHUT) /* a shut one was counted out by shut() */
        d->open--;
    unlink_clock(d, c);
    pthread_mutex_unlock(&d->thread.mu);
    free(c);
}
