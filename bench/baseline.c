/* bench/baseline.c: the "speed of light" that bench/run.sh measures integrationsd against.
 *
 * The least a server on integrationsd's own stack (libmicrohttpd, jansson, SQLite, libuuid) can
 * do for the same requests: no auth, no validation, no masking, no links, no pagination meta, no
 * events, no jobs; one fixed store. Each API request is exactly one SQLite statement:
 *
 *   POST /v2/integrations        parse the body, take "data", add "id" (UUID v4), one INSERT
 *                                (autocommit), 201 {"data":<doc>}
 *   GET  /v2/integrations        one SELECT of a page (page[limit] 25, max 100; page[offset] 0),
 *                                200 {"data":[<doc>,...]} pasted from the stored texts
 *   GET  /v2/integrations/{id}   one SELECT, 200 {"data":<doc>} or 404
 *   GET  /health                 200 {"status":"ok"} (no database)
 *   POST <any other path>        webhook receiver for the delivery benchmark: read, count, 200 {}
 *   GET  /count                  {"count":N,"bytes":B}: bodies (and their bytes) received so far
 *
 * HTTP: libmicrohttpd configured as integrationsd is: epoll, a thread pool of one thread per CPU
 * (2..16), at most 1000 connections.
 * SQLite: one WAL database (synchronous=NORMAL), one connection shared by every thread
 * (SQLITE_OPEN_FULLMUTEX), prepared statements reused, each guarded by its own mutex.
 *
 * Flags: --port N (0 = a free port), --db PATH, --bind ADDR (IPv4, default 127.0.0.1).
 * Prints "listening on http://ADDR:PORT" once serving; SIGTERM or SIGINT stops it (exit 0). */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#define MAX_BODY (1024 * 1024)
#define STORE_ID "00000000-0000-4000-8000-000000000001"
#define PREFIX "/v2/integrations"

struct stmt { sqlite3_stmt *s; pthread_mutex_t mu; };
static sqlite3 *db;
static struct stmt ins, list, one;
static atomic_ulong hooks, hook_bytes; /* bodies (and bytes) received by the webhook receiver */

/* One request: its body, accumulated across access-handler calls. */
struct req { char *body; size_t len; int too_big; };

/* A growing byte buffer (for the list answer). */
struct buf { char *p; size_t len, cap; };
static int put(struct buf *b, const void *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* Answers: `body` is malloc'ed and handed to libmicrohttpd, or a constant string. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, void *body, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}
static enum MHD_Result fixed(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, (void *)text, strlen(text), MHD_RESPMEM_PERSISTENT);
}
#define ERR(code, title) "{\"errors\":[{\"status\":" #code ",\"title\":\"" title "\"}]}"

/* {"data":<doc>} around a document text. */
static enum MHD_Result wrap(struct MHD_Connection *c, unsigned status, const char *doc, size_t n)
{
    char *body = malloc(n + 10);
    if (!body) return MHD_NO;
    memcpy(body, "{\"data\":", 8);
    memcpy(body + 8, doc, n);
    body[8 + n] = '}';
    return reply(c, status, body, n + 9, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result create(struct MHD_Connection *c, const struct req *r)
{
    json_t *root = json_loadb(r->body ? r->body : "", r->len, 0, NULL);
    json_t *data = json_object_get(root, "data");
    if (!json_is_object(data)) {
        json_decref(root);
        return fixed(c, 400, ERR(400, "Request body must be JSON with a data object"));
    }
    uuid_t u;
    char id[37];
    uuid_generate_random(u);
    uuid_unparse_lower(u, id);
    json_object_set_new(data, "id", json_string(id));
    char *doc = json_dumps(data, JSON_COMPACT);
    json_decref(root);
    if (!doc) return MHD_NO;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);

    pthread_mutex_lock(&ins.mu);
    sqlite3_bind_text(ins.s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins.s, 2, STORE_ID, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins.s, 3, doc, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins.s, 4, (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    int rc = sqlite3_step(ins.s);
    sqlite3_reset(ins.s);
    pthread_mutex_unlock(&ins.mu);

    enum MHD_Result ret = rc == SQLITE_DONE ? wrap(c, 201, doc, strlen(doc))
                                            : fixed(c, 500, ERR(500, "Insert failed"));
    free(doc);
    return ret;
}

/* page[limit] / page[offset]: absent = dflt; a bad number = -1. */
static long page_arg(struct MHD_Connection *c, const char *key, long dflt, long max)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
    if (!v) return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return (*v && !*end && n >= 0) ? (n > max ? max : n) : -1;
}

static enum MHD_Result list_page(struct MHD_Connection *c)
{
    long limit = page_arg(c, "page[limit]", 25, 100), offset = page_arg(c, "page[offset]", 0, 1L << 40);
    if (limit < 1 || offset < 0) return fixed(c, 400, ERR(400, "Bad Request"));
    struct buf b = {0};
    int bad = put(&b, "{\"data\":[", 9);

    pthread_mutex_lock(&list.mu);
    sqlite3_bind_text(list.s, 1, STORE_ID, -1, SQLITE_STATIC);
    sqlite3_bind_int64(list.s, 2, limit);
    sqlite3_bind_int64(list.s, 3, offset);
    int rc, n = 0;
    while ((rc = sqlite3_step(list.s)) == SQLITE_ROW) { /* paste each stored text as it is */
        if (n++) bad |= put(&b, ",", 1);
        bad |= put(&b, sqlite3_column_text(list.s, 0), (size_t)sqlite3_column_bytes(list.s, 0));
    }
    sqlite3_reset(list.s);
    pthread_mutex_unlock(&list.mu);

    bad |= put(&b, "]}", 2);
    if (bad || rc != SQLITE_DONE) {
        free(b.p);
        return fixed(c, 500, ERR(500, "Select failed"));
    }
    return reply(c, 200, b.p, b.len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result get_one(struct MHD_Connection *c, const char *id)
{
    enum MHD_Result ret;
    pthread_mutex_lock(&one.mu);
    sqlite3_bind_text(one.s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(one.s) == SQLITE_ROW)
        ret = wrap(c, 200, (const char *)sqlite3_column_text(one.s, 0), (size_t)sqlite3_column_bytes(one.s, 0));
    else
        ret = fixed(c, 404, ERR(404, "Integration not found"));
    sqlite3_reset(one.s);
    pthread_mutex_unlock(&one.mu);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **ctx)
{
    (void)cls, (void)version;
    struct req *r = *ctx;
    if (!r) { /* first call: headers only. Answering now would close a keep-alive connection. */
        *ctx = calloc(1, sizeof *r);
        return *ctx ? MHD_YES : MHD_NO;
    }
    if (*upload_size) { /* a piece of the body */
        if (r->len + *upload_size > MAX_BODY) {
            r->too_big = 1;
        } else if (!r->too_big) {
            char *p = realloc(r->body, r->len + *upload_size);
            if (!p) return MHD_NO;
            memcpy(p + r->len, upload, *upload_size);
            r->body = p, r->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    /* the whole request is in */
    if (r->too_big) return fixed(c, 413, ERR(413, "Payload Too Large"));
    if (!strcmp(method, "POST")) {
        if (!strcmp(url, PREFIX)) return create(c, r);
        atomic_fetch_add(&hook_bytes, r->len); /* the webhook receiver */
        atomic_fetch_add(&hooks, 1);
        return fixed(c, 200, "{}");
    }
    if (!strcmp(method, "GET")) {
        if (!strcmp(url, PREFIX)) return list_page(c);
        if (!strncmp(url, PREFIX "/", sizeof PREFIX) && url[sizeof PREFIX])
            return get_one(c, url + sizeof PREFIX);
        if (!strcmp(url, "/health")) return fixed(c, 200, "{\"status\":\"ok\"}");
        if (!strcmp(url, "/count")) {
            char *body = malloc(64);
            if (!body) return MHD_NO;
            int n = snprintf(body, 64, "{\"count\":%lu,\"bytes\":%lu}", atomic_load(&hooks),
                             atomic_load(&hook_bytes));
            return reply(c, 200, body, (size_t)n, MHD_RESPMEM_MUST_FREE);
        }
    }
    return fixed(c, 404, ERR(404, "Not Found"));
}

static void done(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    struct req *r = *ctx;
    if (r) free(r->body);
    free(r);
    *ctx = NULL;
}

static int prepare(struct stmt *st, const char *sql)
{
    pthread_mutex_init(&st->mu, NULL);
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL);
}

int main(int argc, char **argv)
{
    const char *path = "baseline.db", *bind = "127.0.0.1";
    long port = 8080;
    int i = 1;
    for (; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--db")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--bind")) bind = argv[i + 1];
        else break;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (i != argc || port < 0 || port > 65535 || inet_pton(AF_INET, bind, &sa.sin_addr) != 1) {
        fprintf(stderr, "usage: %s [--port N] [--db PATH] [--bind IPV4]\n", argv[0]);
        return 2;
    }

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE IF NOT EXISTS integrations (id TEXT PRIMARY KEY, store_id TEXT NOT NULL,"
                         " doc TEXT NOT NULL, created_at INTEGER NOT NULL);"
                         "CREATE INDEX IF NOT EXISTS by_store ON integrations(store_id, created_at, id);",
                     NULL, NULL, NULL) ||
        prepare(&ins, "INSERT INTO integrations (id, store_id, doc, created_at) VALUES (?, ?, ?, ?)") ||
        prepare(&list, "SELECT doc FROM integrations WHERE store_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?") ||
        prepare(&one, "SELECT doc FROM integrations WHERE id = ?")) {
        fprintf(stderr, "baseline: %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }

    /* SIGTERM/SIGINT are blocked in every thread (libmicrohttpd's inherit this mask) and taken
     * synchronously by sigwait() below. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cpus < 2 ? 2 : cpus > 16 ? 16 : (unsigned)cpus;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (!info) {
        fprintf(stderr, "baseline: cannot listen on %s:%ld\n", bind, port);
        return 1;
    }
    printf("listening on http://%s:%u\n", bind, (unsigned)info->port);
    fflush(stdout);

    int sig;
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    sqlite3_finalize(ins.s);
    sqlite3_finalize(list.s);
    sqlite3_finalize(one.s);
    sqlite3_close(db);
    return 0;
}
