/* The sinks: receivers built into the emulator, so that a test needs no server of its own. Any
 * request to /emulator/v1/sink/{name} is recorded and answered (200, or as its query string says);
 * /emulator/v1/sinks/{name}/requests lists what a sink recorded, newest first, and can wait for
 * the first record. Owns the sinks' memory, bounded: SINK_MAX sinks (the one written to least
 * lately gives way to a new name), each the last SINK_REQUESTS_MAX requests within SINK_BYTES_MAX,
 * a body cut at SINK_BODY_MAX. Nothing is stored in the database: a restart empties them. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "payload.h"
#include "timestamp.h"

#define SINK_MAX 16
#define SINK_REQUESTS_MAX 1000
#define SINK_BYTES_MAX (4 * 1024 * 1024)
#define SINK_BODY_MAX (64 * 1024)
#define SINK_NAME_MAX 64
#define DELAY_MAX_MS 60000

/* A reader waiting for a sink's first record; it belongs to the sink's list and to its timer. */
typedef struct sink_waiter {
    struct sink_waiter *next;
    struct sinks *registry;
    http_wait *w;
    struct sink *sink; /* while in the list */
    int refs;          /* the list's and the timer's */
    bool woken;
} sink_waiter;

typedef struct sink {
    char name[SINK_NAME_MAX + 1];
    char *records[SINK_REQUESTS_MAX]; /* each one request as JSON text; a ring, oldest at `first` */
    size_t first, count, bytes;
    unsigned long received; /* since the sink was made or cleared: for fail_first */
    uint64_t used;          /* when last written to, on the registry's clock */
    sink_waiter *waiters;
} sink;

struct sinks {
    pthread_mutex_t mu;
    sink *slots[SINK_MAX];
    uint64_t clock;
};

sinks *sinks_new(void)
{
    sinks *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

static void clear_records(sink *k)
{
    for (size_t i = 0; i < k->count; i++)
        free(k->records[(k->first + i) % SINK_REQUESTS_MAX]);
    k->first = k->count = k->bytes = 0;
    k->received = 0;
}

/* Drops a reference of a waiter (the lock held); frees it with the last. */
static void waiter_unref(sink_waiter *x)
{
    if (--x->refs == 0)
        free(x);
}

/* Takes every waiter off the sink (the lock held): the caller wakes them once it is released. */
static sink_waiter *take_waiters(sink *k)
{
    sink_waiter *list = k->waiters;
    k->waiters = NULL;
    for (sink_waiter *x = list; x; x = x->next) {
        x->woken = true;
        x->sink = NULL;
    }
    return list;
}

/* Wakes a list from take_waiters, the lock released; then drops the list's references. */
static void wake_all(sinks *s, sink_waiter *list)
{
    for (sink_waiter *x = list; x; x = x->next)
        http_wake(x->w);
    pthread_mutex_lock(&s->mu);
    for (sink_waiter *x = list, *next; x; x = next) {
        next = x->next;
        waiter_unref(x);
    }
    pthread_mutex_unlock(&s->mu);
}

void sinks_free(sinks *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < SINK_MAX; i++) {
        if (!s->slots[i])
            continue;
        clear_records(s->slots[i]);
        free(s->slots[i]); /* no waiter is left: the server has stopped, every timer has fired */
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* The sink of that name (the lock held); made when `make`, in place of the one written to least
 * lately when every slot is taken (its waiters, into *evicted, are woken by the caller). */
static sink *find(sinks *s, const char *name, bool make, sink_waiter **evicted)
{
    size_t free_slot = SINK_MAX, oldest = SINK_MAX;
    for (size_t i = 0; i < SINK_MAX; i++) {
        sink *k = s->slots[i];
        if (!k) {
            free_slot = free_slot == SINK_MAX ? i : free_slot;
            continue;
        }
        if (strcmp(k->name, name) == 0)
            return k;
        if (oldest == SINK_MAX || k->used < s->slots[oldest]->used)
            oldest = i;
    }
    if (!make)
        return NULL;
    size_t slot = free_slot;
    if (slot == SINK_MAX) {
        slot = oldest;
        sink *gone = s->slots[slot];
        *evicted = take_waiters(gone);
        clear_records(gone);
        free(gone);
        s->slots[slot] = NULL;
    }
    sink *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    snprintf(k->name, sizeof k->name, "%s", name);
    k->used = ++s->clock;
    s->slots[slot] = k;
    return k;
}

/* Keeps a record (the lock held), dropping the oldest ones past the bounds. */
static void keep(sinks *s, sink *k, char *record)
{
    size_t len = strlen(record);
    while (k->count > 0 && (k->count == SINK_REQUESTS_MAX || k->bytes + len > SINK_BYTES_MAX)) {
        char *oldest = k->records[k->first];
        k->bytes -= strlen(oldest);
        free(oldest);
        k->first = (k->first + 1) % SINK_REQUESTS_MAX;
        k->count--;
    }
    k->records[(k->first + k->count) % SINK_REQUESTS_MAX] = record;
    k->count++;
    k->bytes += len;
    k->received++;
    k->used = ++s->clock;
}

/* ---- the sink itself: /emulator/v1/sink/{name} ----------------------------------------------- */

/* The sink's name from the path into out; false after adding the error when it is not one. */
static bool read_name(const route_param *p, char out[SINK_NAME_MAX + 1], json_t *errors)
{
    bool ok = p->len > 0 && p->len <= SINK_NAME_MAX;
    for (size_t i = 0; ok && i < p->len; i++) {
        char c = p->ptr[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
             c == '-';
    }
    if (!ok) {
        errors_add(errors, ERR_BAD_REQUEST, "A sink's name is 1 to 64 of A-Z a-z 0-9 . _ -", "name");
        return false;
    }
    memcpy(out, p->ptr, p->len);
    out[p->len] = '\0';
    return true;
}

static void add_string(const char *name, const char *value, void *ctx)
{
    json_object_set_new(ctx, name, json_string(value));
}

/* The request as the sink keeps it: a JSON object's text; NULL when out of memory. */
static char *record_of(const http_request *req)
{
    size_t len = req->body_len > SINK_BODY_MAX ? SINK_BODY_MAX : req->body_len;
    char *body = utf8_clean(req->body ? req->body : "", len, SINK_BODY_MAX);
    char received_at[TIMESTAMP_LEN];
    timestamp_format(now_ms(), received_at);
    json_t *query = json_object(), *headers = json_object();
    if (query && headers) {
        http_each_query(req, add_string, query);
        http_each_header(req, add_string, headers);
    }
    json_t *record = body ? json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "method", req->method, "path", req->path,
                                      "query", query, "headers", headers, "body", body, "received_at", received_at)
                          : NULL;
    if (!body) {
        json_decref(query);
        json_decref(headers);
    }
    if (record && req->body_len > SINK_BODY_MAX)
        json_object_set_new(record, "truncated", json_true());
    char *text = record ? json_dumps(record, JSON_COMPACT) : NULL;
    json_decref(record);
    free(body);
    return text;
}

/* The sink's answer, given now or after delay_ms. */
typedef struct sink_answer {
    int status;
    char *body;
    bool json; /* the body is a JSON document: sent as application/json, else as text/plain */
} sink_answer;

static void give_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    sink_answer *a = ctx;
    http_text(res, a->status, a->body, a->json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");
    free(a);
}

static bool is_json(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_DECODE_ANY, &e);
    json_decref(doc);
    return doc != NULL;
}

static void drop_answer(void *ctx)
{
    sink_answer *a = ctx;
    free(a->body);
    free(a);
}

void api_sink_receive(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char name[SINK_NAME_MAX + 1];
    long status = 0, fail_first = -1, delay_ms = 0;
    json_t *errors = json_array();
    read_name(&req->params.v[0], name, errors);
    api_query_number(req, "status", 200, 599, &status, errors);
    api_query_number(req, "fail_first", 0, 1000000, &fail_first, errors);
    api_query_number(req, "delay_ms", 0, DELAY_MAX_MS, &delay_ms, errors);
    if (json_array_size(errors) > 0) {
        http_errors(res, errors);
        return;
    }
    json_decref(errors);
    const char *body = http_query(req, "body");
    sink_answer *answer = malloc(sizeof *answer);
    char *record = record_of(req);
    if (answer) {
        answer->body = strdup(body ? body : "{\"received\":true}");
        answer->json = !body || is_json(body);
    }
    if (!answer || !answer->body || !record) {
        free(record);
        if (answer)
            drop_answer(answer);
        api_build_error(res);
        return;
    }
    sink_waiter *evicted = NULL, *woken = NULL;
    pthread_mutex_lock(&a->sinks->mu);
    sink *k = find(a->sinks, name, true, &evicted);
    unsigned long before = k ? k->received : 0;
    if (k) {
        keep(a->sinks, k, record);
        woken = take_waiters(k);
    }
    pthread_mutex_unlock(&a->sinks->mu);
    if (!k)
        free(record);
    wake_all(a->sinks, evicted);
    wake_all(a->sinks, woken);
    /* fail_first: the first N requests (since the sink was made or cleared) get `status` */
    if (fail_first >= 0)
        answer->status = (long)before < fail_first ? (int)(status ? status : 503) : 200;
    else
        answer->status = status ? (int)status : 200;
    if (delay_ms > 0)
        http_defer_for(req, res, delay_ms, give_answer, drop_answer, answer);
    else
        give_answer(answer, req, res);
}

/* ---- what a sink recorded: /emulator/v1/sinks/{name}/requests -------------------------------- */

/* A page of the list, to write once the sink has something or the wait is over. */
typedef struct sink_page {
    sinks *sinks;
    char name[SINK_NAME_MAX + 1];
    page p;
    char url[BASE_URL_MAX + 128];
} sink_page;

static void answer_page(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    sink_page *sp = ctx;
    list_page items = {0};
    api_list_begin(&items, 0);
    long total = 0;
    pthread_mutex_lock(&sp->sinks->mu);
    sink_waiter *none = NULL;
    sink *k = find(sp->sinks, sp->name, false, &none);
    if (k) {
        total = (long)k->count;
        for (long i = sp->p.offset; i < total && i < sp->p.offset + sp->p.limit; i++) { /* newest first */
            page_list_separator(&items.out, &items.count);
            strbuf_puts(&items.out, k->records[(k->first + k->count - 1 - (size_t)i) % SINK_REQUESTS_MAX]);
        }
    }
    pthread_mutex_unlock(&sp->sinks->mu);
    char *text;
    size_t len;
    if (api_list_end(&items, DB_OK, &sp->p, total, sp->url, res, &text, &len))
        http_json_text(res, 200, text);
    free(sp);
}

/* The wait is over with nothing recorded: the reader gets the empty list. The registry outlives
 * every timer: the server stops (firing them all) before the sinks are freed. */
static void waiter_timeout(void *arg)
{
    sink_waiter *x = arg;
    sinks *s = x->registry;
    http_wait *w = x->w;
    pthread_mutex_lock(&s->mu);
    bool wake = !x->woken;
    if (wake) { /* still in its sink's list: out of it */
        x->woken = true;
        for (sink_waiter **p = &x->sink->waiters; *p; p = &(*p)->next) {
            if (*p == x) {
                *p = x->next;
                break;
            }
        }
        x->sink = NULL;
    }
    x->refs -= wake ? 2 : 1; /* the timer's reference, and the list's when it left the list here */
    if (x->refs == 0)
        free(x);
    pthread_mutex_unlock(&s->mu);
    if (wake)
        http_wake(w);
}

/* Reads the sink name and the list's parameters; false with the answer in res. */
static bool read_list_request(app *a, const http_request *req, http_response *res, sink_page *sp, long *wait_s)
{
    if (!api_any_token(a, req, res))
        return false;
    json_t *errors = json_array();
    read_name(&req->params.v[0], sp->name, errors);
    api_query_number(req, "wait", 0, API_WAIT_MAX_S, wait_s, errors);
    if (json_array_size(errors) > 0) {
        http_errors(res, errors);
        return false;
    }
    json_decref(errors);
    if (!api_page(req, res, &sp->p))
        return false;
    char base[BASE_URL_MAX];
    api_base_url(a, req, base);
    snprintf(sp->url, sizeof sp->url, "%s/emulator/v1/sinks/%s/requests", base, sp->name);
    return true;
}

void api_sink_requests(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    sink_page *sp = calloc(1, sizeof *sp);
    long wait_s = 0;
    if (!sp) {
        api_build_error(res);
        return;
    }
    sp->sinks = a->sinks;
    if (!read_list_request(a, req, res, sp, &wait_s)) {
        free(sp);
        return;
    }
    if (wait_s == 0) {
        answer_page(sp, req, res);
        return;
    }
    sink_waiter *x = calloc(1, sizeof *x);
    if (!x) {
        free(sp);
        api_build_error(res);
        return;
    }
    x->w = http_defer(req, res, answer_page, free, sp);
    sink_waiter *evicted = NULL;
    pthread_mutex_lock(&a->sinks->mu);
    sink *k = find(a->sinks, sp->name, true, &evicted);
    bool now = !k || k->count > 0;
    if (!now) {
        x->registry = a->sinks;
        x->sink = k;
        x->refs = 2;
        x->next = k->waiters;
        k->waiters = x;
    }
    pthread_mutex_unlock(&a->sinks->mu);
    wake_all(a->sinks, evicted);
    if (now) { /* a record is there already (or no sink could be made): answer at once */
        http_wait *w = x->w;
        free(x);
        http_wake(w);
        return;
    }
    http_timer(req, wait_s * 1000, waiter_timeout, x);
}

void api_sink_clear(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char name[SINK_NAME_MAX + 1];
    if (!api_any_token(a, req, res))
        return;
    json_t *errors = json_array();
    if (!read_name(&req->params.v[0], name, errors)) {
        http_errors(res, errors);
        return;
    }
    json_decref(errors);
    sink_waiter *none = NULL;
    pthread_mutex_lock(&a->sinks->mu);
    sink *k = find(a->sinks, name, false, &none);
    if (k)
        clear_records(k);
    pthread_mutex_unlock(&a->sinks->mu);
    http_no_content(res);
}
