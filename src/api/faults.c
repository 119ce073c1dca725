/* The emulator's forced answers and delays on the real routes, for front-end work on error and
 * loading states: per request (`Prefer: code=…, delay=…`) and per store (fault rules, for clients
 * that cannot set headers, such as the official SDK). Installed as the HTTP layer's intercept
 * unless --no-emulator. Owns the rules, in memory: a restart or a reset of the store drops them.
 * Never touches the store's data; a delay holds no thread (http_defer_for). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api.h"
#include "errors.h"
#include "fault_rule.h"
#include "prefer.h"

#define BUCKETS 256

typedef struct store_rules {
    struct store_rules *next;
    char store_id[UUID_STR_LEN];
    fault_rule rules[FAULT_RULES_MAX];
    size_t count;
} store_rules;

struct faults {
    pthread_mutex_t mu;
    store_rules *buckets[BUCKETS];
    atomic_size_t stores; /* with at least one rule: 0 keeps the check off every request */
    uint64_t random;      /* xorshift state, under mu: a rule's probability */
};

faults *faults_new(void)
{
    faults *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    if (getrandom(&f->random, sizeof f->random, 0) != sizeof f->random || f->random == 0)
        f->random = 0x9e3779b97f4a7c15u;
    return f;
}

void faults_free(faults *f)
{
    if (!f)
        return;
    for (size_t b = 0; b < BUCKETS; b++) {
        for (store_rules *s = f->buckets[b], *next; s; s = next) {
            next = s->next;
            free(s);
        }
    }
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static store_rules **bucket_of(faults *f, const char *store_id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = store_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return &f->buckets[h % BUCKETS];
}

/* The store's entry (the lock held); NULL when it has none. */
static store_rules *find(faults *f, const char *store_id)
{
    for (store_rules *s = *bucket_of(f, store_id); s; s = s->next)
        if (strcmp(s->store_id, store_id) == 0)
            return s;
    return NULL;
}

/* Drops the store's entry (the lock held). */
static void drop(faults *f, const char *store_id)
{
    for (store_rules **p = bucket_of(f, store_id); *p; p = &(*p)->next) {
        if (strcmp((*p)->store_id, store_id) == 0) {
            store_rules *gone = *p;
            *p = gone->next;
            free(gone);
            atomic_fetch_sub(&f->stores, 1);
            return;
        }
    }
}

void faults_clear(faults *f, const char *store_id)
{
    pthread_mutex_lock(&f->mu);
    drop(f, store_id);
    pthread_mutex_unlock(&f->mu);
}

/* A draw in [0, 1) (the lock held). */
static double draw(faults *f)
{
    f->random ^= f->random << 13;
    f->random ^= f->random >> 7;
    f->random ^= f->random << 17;
    return (double)(f->random >> 11) / 9007199254740992.0;
}

/* What a rule decided for one request. */
typedef struct decision {
    int status;       /* 0: not forced */
    long delay_ms;
    char detail[96];  /* of a forced answer */
} decision;

/* The first rule of the store that catches the request decides it: its probability is drawn, and
 * its `times` counts down whatever the draw (the rule goes at 0). false when no rule applies. */
static bool decide(faults *f, const char *store_id, const char *method, const char *path, decision *d)
{
    bool decided = false;
    pthread_mutex_lock(&f->mu);
    store_rules *s = find(f, store_id);
    for (size_t i = 0; s && i < s->count; i++) {
        fault_rule *r = &s->rules[i];
        if (!fault_rule_matches(r, method, path))
            continue;
        decided = r->probability >= 1 || draw(f) < r->probability;
        if (decided) {
            d->status = r->status;
            d->delay_ms = r->delay_ms;
            snprintf(d->detail, sizeof d->detail, "Forced by fault rule %s", r->id);
        }
        if (r->times > 0 && --r->times == 0) {
            memmove(r, r + 1, (s->count - i - 1) * sizeof *r);
            if (--s->count == 0)
                drop(f, store_id);
        }
        break;
    }
    pthread_mutex_unlock(&f->mu);
    return decided;
}

/* ---- the intercept ---------------------------------------------------------------------------- */

/* The routes of the real service a Prefer header may act on: those under /v2/, and the token route. */
static bool preferable(const http_request *req, route_handler *handler)
{
    return handler == api_token || strncmp(req->path, "/v2/", 4) == 0;
}

static void forced_answer(http_response *res, int status, const char *detail)
{
    json_t *errors = json_array();
    errors_add_forced(errors, status, detail);
    http_errors(res, errors);
}

/* A request held back by a delay, and what comes after it. */
typedef struct delayed {
    route_handler *handler;
    void *app;
    decision d; /* d.status 0: the request is done as usual */
} delayed;

static void delayed_answer(void *ctx, const http_request *req, http_response *res)
{
    delayed d = *(delayed *)ctx;
    free(ctx);
    if (d.d.status)
        forced_answer(res, d.d.status, d.d.detail);
    else
        d.handler(d.app, req, res);
}

/* Carries out a decision: now, or after its delay. */
static void apply(void *ctx, route_handler *handler, const http_request *req, http_response *res, const decision *d)
{
    if (d->delay_ms == 0) {
        if (d->status)
            forced_answer(res, d->status, d->detail);
        else
            handler(ctx, req, res);
        return;
    }
    delayed *later = malloc(sizeof *later);
    if (!later) {
        api_build_error(res);
        return;
    }
    *later = (delayed){handler, ctx, *d};
    http_defer_for(req, res, d->delay_ms, delayed_answer, free, later);
}

void api_intercept(void *ctx, route_handler *handler, const http_request *req, http_response *res)
{
    app *a = ctx;
    if (!preferable(req, handler)) {
        handler(ctx, req, res);
        return;
    }
    const char *header = http_header(req, "Prefer");
    decision d = {0};
    if (header) {
        prefer p;
        char why[160];
        if (!prefer_parse(header, &p, why, sizeof why)) {
            json_t *errors = json_array();
            errors_add(errors, ERR_BAD_REQUEST, why, "Prefer");
            http_errors(res, errors);
            return;
        }
        if (p.code || p.delay_ms) { /* before anything else, authentication included */
            d.status = p.code;
            d.delay_ms = p.delay_ms;
            snprintf(d.detail, sizeof d.detail, "Forced by Prefer: code=%d", p.code);
            apply(ctx, handler, req, res, &d);
            return;
        }
    }
    /* the store's rules, for requests with a valid token of the store (not the token route) */
    char store_id[UUID_STR_LEN];
    if (atomic_load(&a->faults->stores) > 0 && handler != api_token && api_store_of_token(a, req, store_id) &&
        decide(a->faults, store_id, strcmp(req->method, "HEAD") == 0 ? "HEAD" : req->method, req->path, &d)) {
        apply(ctx, handler, req, res, &d);
        return;
    }
    handler(ctx, req, res);
}

/* ---- /emulator/v1/faults ---------------------------------------------------------------------- */

/* The store's rules as {"data":[…]} (the lock taken here). */
static json_t *rules_document(faults *f, const char *store_id)
{
    json_t *list = json_array();
    pthread_mutex_lock(&f->mu);
    store_rules *s = find(f, store_id);
    for (size_t i = 0; s && i < s->count; i++)
        json_array_append_new(list, fault_rule_json(&s->rules[i]));
    pthread_mutex_unlock(&f->mu);
    return json_pack("{s:o}", "data", list);
}

void api_faults_put(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    json_t *body = NULL, *errors = json_array();
    store_rules *fresh = calloc(1, sizeof *fresh);
    if (!fresh || !errors) {
        api_build_error(res);
        goto out;
    }
    if (!api_authenticate(a, req, res, store_id) || !(body = api_parse_json(req, res)))
        goto out;
    if (!fault_rules_parse(body, fresh->rules, &fresh->count, errors)) { /* nothing half-applied */
        http_errors(res, json_incref(errors));
        goto out;
    }
    memcpy(fresh->store_id, store_id, sizeof store_id);
    pthread_mutex_lock(&a->faults->mu);
    drop(a->faults, store_id); /* a PUT replaces the whole list */
    if (fresh->count > 0) {
        store_rules **b = bucket_of(a->faults, store_id);
        fresh->next = *b;
        *b = fresh;
        fresh = NULL;
        atomic_fetch_add(&a->faults->stores, 1);
    }
    pthread_mutex_unlock(&a->faults->mu);
    http_json(res, 200, rules_document(a->faults, store_id));
out:
    free(fresh);
    json_decref(errors);
    json_decref(body);
}

void api_faults_get(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    if (api_authenticate(a, req, res, store_id))
        http_json(res, 200, rules_document(a->faults, store_id));
}

void api_faults_delete(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return;
    faults_clear(a->faults, store_id);
    http_no_content(res);
}
