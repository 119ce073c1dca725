/* The libmicrohttpd glue: reads bodies within the size limit, runs the handler of the
 * matched route, sends JSON answers with CORS and request ids, and parks a deferred answer
 * (http_defer) without a thread. Knows nothing of integrations; never calls the store. */
#include "http.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "form.h"
#include "access_log.h"
#include "ids.h"
#include "deadlines.h"
#include "request_head.h"
#include "timers.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_options opt;
    int listen_fd;
    bool v6;
    unsigned port;
    atomic_int in_flight; /* requests whose headers have arrived and whose answer is not sent */
    atomic_int deferred;  /* of those, the ones set aside until http_wake */
    deadlines *deadlines; /* of every connection */
    pthread_mutex_t timers_mu;
    timers *timers;       /* started by the first http_defer_for */
    bool stopping;        /* under timers_mu: a delay asked for from now on is not waited */
};

/* How long shutdown waits for the requests in flight: API requests take milliseconds; a client
 * that stalls mid-request (or vanished without closing) must not hold the shutdown for long. */
#define DRAIN_LIMIT_MS 3000

/* Per-request state kept by libmicrohttpd between the calls of one request; also the handle of a
 * deferred answer. */
struct http_wait {
    char *body;
    size_t len;
    size_t cap;
    bool too_large;
    http_server *server;
    route_handler *handler; /* of the matched route, for the intercept */
    int64_t started_us;   /* when the headers were in: the access log's duration */
    char store_id[UUID_STR_LEN]; /* the caller's store once known (http_note_store), for the log */
    http_request req;     /* as the handler saw it, for the continuation */
    http_handler resume;  /* the continuation of a deferred answer, and its state */
    void (*discard)(void *ctx);
    void *resume_ctx;
    /* shared with the thread that calls http_wake */
    pthread_mutex_t mu;
    bool suspended;       /* set aside with MHD_suspend_connection */
    bool woken;           /* http_wake came */
};
typedef struct http_wait request_state;

static const char default_allow_headers[] =
    "authorization, content-type, accept, x-moltin-request-id, x-moltin-currency, x-moltin-customer-token, "
    "x-moltin-language, x-moltin-locale, x-moltin-channel, x-moltin-sdk-language, x-moltin-sdk-version, "
    "x-moltin-application, "
    "x-moltin-settings-calculation-method, ep-channel, ep-context-tag";

const char *http_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Drops the body set so far: a handler may replace an answer (e.g. an error after a partial one). */
typedef struct visit_values {
    http_visitor *visit;
    void *ctx;
} visit_values;

static enum MHD_Result visit_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    visit_values *v = cls;
    v->visit(key, value ? value : "", v->ctx);
    return MHD_YES;
}

void http_each_header(const http_request *req, http_visitor *visit, void *ctx)
{
    visit_values v = {visit, ctx};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, visit_value, &v);
}

void http_each_query(const http_request *req, http_visitor *visit, void *ctx)
{
    visit_values v = {visit, ctx};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, visit_value, &v);
}

static void set_body(http_response *res, int status, json_t *json, char *text)
{
    json_decref(res->json);
    free(res->text);
    res->status = status;
    res->json = json;
    res->text = text;
    res->text_type = NULL;
    res->fixed.data = NULL;
}

void http_static_body(http_response *res, const http_static *body)
{
    set_body(res, 200, NULL, NULL);
    res->fixed = *body;
}

void http_json(http_response *res, int status, json_t *json)
{
    set_body(res, status, json, NULL);
    if (!json) /* a document that could not be built is never an empty success */
        http_error(res, ERR_RESPONSE, NULL);
}

void http_text(http_response *res, int status, char *text, const char *content_type)
{
    http_json_text(res, status, text);
    if (text)
        res->text_type = content_type;
}

void http_no_content(http_response *res)
{
    set_body(res, 204, NULL, NULL);
}

void http_json_text(http_response *res, int status, char *text)
{
    set_body(res, status, NULL, text);
    if (!text)
        http_error(res, ERR_RESPONSE, NULL);
}

void http_error(http_response *res, error_code code, const char *detail)
{
    http_json(res, error_status(code), error_document(code, detail));
}

void http_errors(http_response *res, json_t *errors)
{
    json_t *first = json_array_get(errors, 0);
    json_int_t status = json_integer_value(json_object_get(first, "status"));
    http_json(res, status ? (int)status : 500, errors_document(errors));
}

/* Adds what every response carries: request id and CORS. */
static void add_common_headers(struct MHD_Connection *conn, struct MHD_Response *r, char request_id[UUID_STR_LEN])
{
    id_new(request_id);
    MHD_add_response_header(r, "X-Moltin-Request-Id", request_id);
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin ? origin : "*");
    if (origin)
        MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "X-Moltin-Request-Id");
}

/* What a file built into the server is sent with. The page's own script and style are files of
 * this server too: nothing from elsewhere may run in it, and it may not be framed. */
static void add_static_headers(struct MHD_Response *r, const char *content_type)
{
    if (!r)
        return;
    MHD_add_response_header(r, "Content-Type", content_type);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (strncmp(content_type, "text/html", 9) == 0)
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void http_note_store(const http_request *req, const char *store_id)
{
    snprintf(req->wait->store_id, sizeof req->wait->store_id, "%s", store_id);
}

/* Queues the answer of st's request (the access log gets its line). */
static enum MHD_Result send_response(request_state *st, http_response *res, const char *allow)
{
    struct MHD_Connection *conn = st->req.conn;
    struct MHD_Response *r;
    if (res->fixed.data) {
        r = MHD_create_response_from_buffer(res->fixed.size, (void *)res->fixed.data, MHD_RESPMEM_PERSISTENT);
        add_static_headers(r, res->fixed.content_type);
    } else if (res->json || res->text) {
        char *text = res->text ? res->text : json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        res->text = NULL; /* handed to libmicrohttpd below */
        if (text) {
            r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
            if (!r)
                free(text);
        } else {
            res->status = 500;
            r = MHD_create_response_from_buffer(strlen(error_unbuilt_document), (void *)error_unbuilt_document,
                                                MHD_RESPMEM_PERSISTENT);
        }
        if (r)
            MHD_add_response_header(r, "Content-Type", res->text_type ? res->text_type : "application/json; charset=utf-8");
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!r) {
        json_decref(res->json);
        res->json = NULL;
        return MHD_NO;
    }
    char request_id[UUID_STR_LEN];
    add_common_headers(conn, r, request_id);
    if (allow)
        MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    access_log_request(st->req.method, st->req.path, res->status, (double)(monotonic_us() - st->started_us) / 1000,
                       request_id, st->store_id[0] ? st->store_id : NULL);
    MHD_destroy_response(r);
    json_decref(res->json);
    res->json = NULL;
    return ok;
}

static enum MHD_Result send_preflight(request_state *st)
{
    struct MHD_Connection *conn = st->req.conn;
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    char request_id[UUID_STR_LEN];
    add_common_headers(conn, r, request_id);
    const char *req_headers = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", req_headers ? req_headers : default_allow_headers);
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    access_log_request(st->req.method, st->req.path, MHD_HTTP_NO_CONTENT,
                       (double)(monotonic_us() - st->started_us) / 1000, request_id, NULL);
    return ok;
}

static enum MHD_Result send_too_large(request_state *st, size_t max_body)
{
    char detail[128];
    snprintf(detail, sizeof detail, "The request body is larger than the limit of %zu bytes.", max_body);
    http_response res = {0};
    http_error(&res, ERR_PAYLOAD_TOO_LARGE, detail);
    return send_response(st, &res, NULL);
}

/* Appends a chunk of the body, or switches to discarding once the limit is passed. */
static void take_body(request_state *st, const char *data, size_t size, size_t max_body)
{
    if (st->too_large)
        return;
    if (size > max_body - st->len) {
        st->too_large = true;
        free(st->body);
        st->body = NULL;
        st->len = st->cap = 0;
        return;
    }
    if (st->len + size + 1 > st->cap) {
        size_t cap = st->cap ? st->cap : 1024;
        while (cap < st->len + size + 1)
            cap *= 2;
        char *grown = realloc(st->body, cap);
        if (!grown) {
            st->too_large = true; /* cannot hold it: answer as an oversized body */
            return;
        }
        st->body = grown;
        st->cap = cap;
    }
    memcpy(st->body + st->len, data, size);
    st->len += size;
    st->body[st->len] = '\0';
}

http_wait *http_defer(const http_request *req, http_response *res, http_handler resume, void (*discard)(void *ctx),
                      void *ctx)
{
    http_wait *w = req->wait;
    w->resume = resume;
    w->discard = discard;
    w->resume_ctx = ctx;
    res->deferred = true;
    return w;
}

void http_timer(const http_request *req, int64_t delay_ms, void (*fire)(void *arg), void *arg)
{
    http_server *s = req->wait->server;
    pthread_mutex_lock(&s->timers_mu);
    if (!s->timers && !s->stopping)
        s->timers = timers_new();
    bool set = s->timers && !s->stopping && timers_add(s->timers, timers_now() + delay_ms, fire, arg);
    pthread_mutex_unlock(&s->timers_mu);
    if (!set) /* shutting down, or no timer to be had: now rather than never */
        fire(arg);
}

static void wake_timer(void *arg)
{
    http_wake(arg);
}

void http_defer_for(const http_request *req, http_response *res, int64_t delay_ms, http_handler resume,
                    void (*discard)(void *ctx), void *ctx)
{
    http_timer(req, delay_ms, wake_timer, http_defer(req, res, resume, discard, ctx));
}

void http_wake(http_wait *w)
{
    /* Resuming a connection that is not suspended is undefined: the lock orders this against
     * the suspension, which may not have happened yet. */
    pthread_mutex_lock(&w->mu);
    w->woken = true;
    if (w->suspended)
        MHD_resume_connection(w->req.conn);
    pthread_mutex_unlock(&w->mu);
}

/* Runs a handler (or a continuation) and sends its answer, or sets the connection aside until
 * the answer can be given. */
static enum MHD_Result run_handler(http_server *s, request_state *st, http_handler fn, void *ctx)
{
    for (;;) {
        http_response res = {0};
        fn(ctx, &st->req, &res);
        if (!res.deferred) {
            if (res.status == 0)
                http_error(&res, ERR_UNANSWERED, NULL);
            return send_response(st, &res, NULL);
        }
        pthread_mutex_lock(&st->mu);
        if (!st->woken) {
            MHD_suspend_connection(st->req.conn);
            st->suspended = true;
            atomic_fetch_add(&s->deferred, 1);
            pthread_mutex_unlock(&st->mu);
            return MHD_YES;
        }
        /* woken before it could be set aside: answer at once */
        st->woken = false;
        fn = st->resume;
        ctx = st->resume_ctx;
        pthread_mutex_unlock(&st->mu);
    }
}

/* Called again once a deferred answer is woken: runs its continuation. */
static enum MHD_Result resume_deferred(http_server *s, request_state *st)
{
    pthread_mutex_lock(&st->mu);
    st->suspended = false;
    st->woken = false;
    http_handler fn = st->resume;
    void *ctx = st->resume_ctx;
    pthread_mutex_unlock(&st->mu);
    atomic_fetch_sub(&s->deferred, 1);
    return run_handler(s, st, fn, ctx);
}

/* The application's intercept, given the route's handler to run (or not). */
static void intercepted(void *ctx, const http_request *req, http_response *res)
{
    request_state *st = ctx;
    st->server->opt.intercept(st->server->opt.app, st->handler, req, res);
}

static enum MHD_Result dispatch(http_server *s, struct MHD_Connection *conn, const char *url, const char *method,
                                request_state *st)
{
    if (st->too_large)
        return send_too_large(st, s->opt.max_body);
    if (strcmp(method, "OPTIONS") == 0)
        return send_preflight(st);

    st->req = (http_request){
        .conn = conn, .method = method, .path = url, .body = st->body, .body_len = st->len, .wait = st};
    http_response res = {0};
    const route *found = NULL;
    char allow[ROUTE_ALLOW_LEN];
    char detail[256];
    /* HEAD is answered as GET; libmicrohttpd leaves the body out */
    const char *route_method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    switch (router_match(s->opt.routes, s->opt.route_count, route_method, url, &found, &st->req.params, allow)) {
    case ROUTE_FOUND:
        st->handler = found->handler;
        return s->opt.intercept ? run_handler(s, st, intercepted, st) : run_handler(s, st, found->handler, s->opt.app);
    case ROUTE_NO_METHOD:
        snprintf(detail, sizeof detail, "Method %.16s is not allowed for %.200s", method, url);
        http_error(&res, ERR_METHOD_NOT_ALLOWED, detail);
        return send_response(st, &res, allow);
    case ROUTE_NO_PATH:
    default:
        snprintf(detail, sizeof detail, "No route for %.16s %.200s", method, url);
        http_error(&res, ERR_NO_ROUTE, detail);
        return send_response(st, &res, NULL);
    }
}

/* The deadline clock of a connection (on_connection), NULL when it has none. */
static conn_clock *clock_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? deadlines_open(s->deadlines, info->connect_fd) : NULL;
    } else {
        deadlines_close(s->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

static bool announces_too_much(struct MHD_Connection *conn, size_t max_body)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    return cl && strtoull(cl, NULL, 10) > max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_server *s = cls;
    request_state *st = *con_cls;
    if (!st) {
        /* First call: headers only. Answering here makes libmicrohttpd close the connection
         * once the answer is sent: a good request is answered on a later call, a head that must
         * not reach a route (request_head.h) or a body announced too large is answered now. */
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        st->server = s;
        st->started_us = monotonic_us();
        st->req = (http_request){.conn = conn, .method = method, .path = url, .wait = st}; /* for an early answer */
        pthread_mutex_init(&st->mu, NULL);
        *con_cls = st;
        atomic_fetch_add(&s->in_flight, 1);
        deadlines_reading(s->deadlines, clock_of(conn));
        head_fault fault;
        if (!request_head_check(conn, version, url, &fault)) {
            http_response res = {0};
            http_error(&res, fault.code, fault.detail);
            return send_response(st, &res, NULL);
        }
        /* a body announced too large is not read at all: 413 now, and the connection closes */
        if (announces_too_much(conn, s->opt.max_body))
            return send_too_large(st, s->opt.max_body);
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_body(st, upload_data, *upload_data_size, s->opt.max_body);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->suspended)
        return resume_deferred(s, st);
    deadlines_answering(s->deadlines, clock_of(conn));
    return dispatch(s, conn, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    http_server *s = cls;
    request_state *st = *con_cls;
    deadlines_idle(s->deadlines, clock_of(conn));
    if (st) {
        /* A client that left while its answer was deferred: once woken, libmicrohttpd closes the
         * connection without asking for the answer. The lock waits for the waker to let go. */
        pthread_mutex_lock(&st->mu);
        bool unanswered = st->suspended;
        pthread_mutex_unlock(&st->mu);
        if (unanswered) {
            st->discard(st->resume_ctx);
            atomic_fetch_sub(&s->deferred, 1);
        }
        pthread_mutex_destroy(&st->mu);
        free(st->body);
        free(st);
        *con_cls = NULL;
        atomic_fetch_sub(&s->in_flight, 1);
    }
}

/* Percent-decodes in place like libmicrohttpd's own decoder, but keeps "%00" as it is: a
 * decoded NUL would silently cut the path or value short ("/v2/integrations/<id>%00x" must not
 * reach <id>). Returns the new length. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *out = s;
    for (const char *in = s; *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_digit_value(in[1])) >= 0 && (lo = hex_digit_value(in[2])) >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

static void log_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("integrationsd: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* A listening TCP socket on bind:port; -1 after printing why. *bound gets the real port. */
static int listen_on(const char *bind_addr, unsigned port, bool *v6, unsigned *bound)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind_addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof *in4;
        *v6 = false;
    } else if (inet_pton(AF_INET6, bind_addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
        *v6 = true;
    } else {
        fprintf(stderr, "integrationsd: cannot bind to %s: not an IP address\n", bind_addr);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        fprintf(stderr, "integrationsd: cannot listen on %s port %u: %s\n", bind_addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bound = ntohs(*v6 ? in6->sin6_port : in4->sin_port);
    return fd;
}

http_server *http_bind(const http_options *opt)
{
    http_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->opt = *opt;
    pthread_mutex_init(&s->timers_mu, NULL);
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->deferred, 0);
    s->listen_fd = listen_on(opt->bind, opt->port, &s->v6, &s->port);
    if (s->listen_fd < 0) {
        free(s);
        return NULL;
    }
    return s;
}

bool http_serve(http_server *s)
{
    /* ITC: lets shutdown wake the threads to stop accepting (MHD_quiesce_daemon) */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    unsigned max_connections = s->opt.max_connections ? s->opt.max_connections : 1000u;
    s->deadlines = deadlines_start(s->opt.header_timeout_ms ? s->opt.header_timeout_ms : 10000,
                                   s->opt.body_timeout_ms ? s->opt.body_timeout_ms : 60000,
                                   s->opt.idle_timeout_ms ? s->opt.idle_timeout_ms : 30000, max_connections,
                                   s->opt.max_idle_connections ? s->opt.max_idle_connections : 1024);
    if (!s->deadlines) {
        fprintf(stderr, "integrationsd: cannot start the connection deadline thread\n");
        return false;
    }
    if (s->v6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_EXTERNAL_LOGGER, log_mhd_error, NULL, /* must come first */
                                 MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
                                 MHD_OPTION_THREAD_POOL_SIZE, s->opt.threads,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                                 MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                 /* room for a head past URL_LIMIT and HEADERS_LIMIT (request_head.h) */
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEAD_MEMORY,
                                 MHD_OPTION_CONNECTION_LIMIT, max_connections,
                                 MHD_OPTION_END);
    if (!s->daemon)
        fprintf(stderr, "integrationsd: cannot start the HTTP server\n");
    return s->daemon != NULL;
}

unsigned http_port(const http_server *s)
{
    return s->port;
}

void http_stop(http_server *s)
{
    if (!s)
        return;
    if (!s->daemon) {
        deadlines_stop(s->deadlines);
        close(s->listen_fd);
        free(s);
        return;
    }
    /* Stop accepting, let the requests in flight finish (idle keep-alive connections are not
     * waited for), then close everything. A deferred answer is always waited for: libmicrohttpd
     * cannot be stopped with a connection set aside, and what it waits for (a commit) comes. */
    MHD_socket listener = MHD_quiesce_daemon(s->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    /* delayed answers are given now: a delay must not hold the shutdown */
    pthread_mutex_lock(&s->timers_mu);
    s->stopping = true;
    timers *t = s->timers;
    s->timers = NULL;
    pthread_mutex_unlock(&s->timers_mu);
    timers_free(t);
    for (int waited = 0; (atomic_load(&s->in_flight) > 0 && waited < DRAIN_LIMIT_MS) || atomic_load(&s->deferred) > 0;
         waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(s->daemon);
    deadlines_stop(s->deadlines);
    pthread_mutex_destroy(&s->timers_mu);
    free(s);
}
