/* STOMP 1.2 transport (spec §7.3): CONNECT, SEND with a receipt, wait for RECEIPT. Plain TCP or
 * TLS (OpenSSL, certificate and host-name verification). Sockets are non-blocking and every wait
 * is a poll bounded by the attempt's deadline, in short slices so that shutdown interrupts it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "openssl_lib.h"
#include "stomp_frame.h"
#include "timestamp.h"
#include "transport.h"
#include "wire.h"

#define POLL_SLICE_MS 200
#define READ_CHUNK 4096

struct stomp_tls {
    pthread_mutex_t mu;
    char *ca_file;   /* NULL = system trust store only */
    SSL_CTX *ctx;    /* made on the first stomp+ssl connection */
    bool failed;     /* the CA file could not be loaded: every TLS attempt says so */
};

stomp_tls *stomp_tls_new(const char *ca_file)
{
    stomp_tls *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    if (ca_file && !(t->ca_file = strdup(ca_file))) {
        stomp_tls_free(t);
        return NULL;
    }
    return t;
}

void stomp_tls_free(stomp_tls *t)
{
    if (!t)
        return;
    if (t->ctx) /* made only once OpenSSL was loaded */
        openssl()->SSL_CTX_free(t->ctx);
    free(t->ca_file);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static void tls_error(char *err, size_t n, const char *what);

/* The client context, made on first use: loading the trust store costs milliseconds and
 * megabytes that a server without stomp+ssl integrations never needs. NULL with err set. */
static SSL_CTX *tls_context(stomp_tls *t, char *err, size_t n)
{
    const openssl_fns *o = openssl();
    if (!o) {
        snprintf(err, n, "TLS is not available: OpenSSL cannot be loaded");
        return NULL;
    }
    pthread_mutex_lock(&t->mu);
    if (!t->ctx && !t->failed) {
        SSL_CTX *ctx = o->SSL_CTX_new(o->TLS_client_method());
        if (ctx) {
            o->SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
            o->SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
            o->SSL_CTX_set_default_verify_paths(ctx);
        }
        if (ctx && t->ca_file && o->SSL_CTX_load_verify_locations(ctx, t->ca_file, NULL) != 1) {
            fprintf(stderr, "integrationsd: cannot load CA certificates from %s\n", t->ca_file);
            o->SSL_CTX_free(ctx);
            ctx = NULL;
            t->failed = true;
        }
        t->ctx = ctx;
    }
    SSL_CTX *ctx = t->ctx;
    pthread_mutex_unlock(&t->mu);
    if (!ctx) {
        if (t->failed)
            snprintf(err, n, "cannot load CA certificates from %.200s", t->ca_file);
        else
            tls_error(err, n, "TLS setup failed");
    }
    return ctx;
}

/* One connection to one broker address, and what the attempt has learnt so far. */
typedef struct stomp_conn {
    int fd;
    SSL *ssl;
    int64_t deadline_ms;
    bool timed_out; /* the attempt's deadline passed */
    const atomic_bool *stopping;
    char buf[STOMP_MAX_FRAME + READ_CHUNK];
    size_t len;
} stomp_conn;

typedef enum { IO_OK, IO_FAILED, IO_STOPPED } io_status;

/* Waits until fd is readable/writable, the deadline passes or shutdown begins. */
static io_status wait_fd(stomp_conn *c, short events, char *err, size_t n)
{
    for (;;) {
        if (atomic_load(c->stopping))
            return IO_STOPPED;
        int64_t left = c->deadline_ms - now_ms();
        if (left <= 0) {
            c->timed_out = true;
            snprintf(err, n, "timed out");
            return IO_FAILED;
        }
        struct pollfd p = {.fd = c->fd, .events = events};
        int rc = poll(&p, 1, left < POLL_SLICE_MS ? (int)left : POLL_SLICE_MS);
        if (rc > 0)
            return IO_OK;
        if (rc < 0 && errno != EINTR) {
            snprintf(err, n, "poll: %s", strerror(errno));
            return IO_FAILED;
        }
    }
}

/* The TLS functions below run only on a TLS connection: OpenSSL is loaded (tls_context). */
static void tls_error(char *err, size_t n, const char *what)
{
    const openssl_fns *o = openssl();
    unsigned long e = o->ERR_get_error();
    char reason[256] = "";
    if (e)
        o->ERR_error_string_n(e, reason, sizeof reason);
    snprintf(err, n, "%s%s%s", what, reason[0] ? ": " : "", reason);
    o->ERR_clear_error();
}

/* Runs an OpenSSL call to completion over the non-blocking socket. op returns SSL's result. */
typedef int (*ssl_op)(SSL *ssl, void *arg);

static io_status run_ssl(stomp_conn *c, ssl_op op, void *arg, int *result, char *err, size_t n)
{
    for (;;) {
        int rc = op(c->ssl, arg);
        if (rc > 0) {
            *result = rc;
            return IO_OK;
        }
        int e = openssl()->SSL_get_error(c->ssl, rc);
        io_status st;
        if (e == SSL_ERROR_WANT_READ)
            st = wait_fd(c, POLLIN, err, n);
        else if (e == SSL_ERROR_WANT_WRITE)
            st = wait_fd(c, POLLOUT, err, n);
        else if (e == SSL_ERROR_ZERO_RETURN) {
            *result = 0;
            return IO_OK;
        } else {
            long verify = openssl()->SSL_get_verify_result(c->ssl);
            if (verify != X509_V_OK)
                snprintf(err, n, "TLS certificate verification failed: %s",
                         openssl()->X509_verify_cert_error_string(verify));
            else
                tls_error(err, n, e == SSL_ERROR_SYSCALL ? "TLS connection closed" : "TLS error");
            return IO_FAILED;
        }
        if (st != IO_OK)
            return st;
    }
}

static int do_handshake(SSL *ssl, void *arg)
{
    (void)arg;
    return openssl()->SSL_connect(ssl);
}

typedef struct io_buf {
    void *data;
    size_t len;
} io_buf;

static int do_read(SSL *ssl, void *arg)
{
    io_buf *b = arg;
    return openssl()->SSL_read(ssl, b->data, (int)b->len);
}

static int do_write(SSL *ssl, void *arg)
{
    io_buf *b = arg;
    return openssl()->SSL_write(ssl, b->data, (int)b->len);
}

/* One read or write of up to len bytes, over TLS or the plain socket, waiting (bounded) while the
 * socket is not ready: *done bytes moved (0 on a read: the peer closed). */
static io_status conn_io(stomp_conn *c, bool writing, void *data, size_t len, size_t *done, char *err, size_t n)
{
    if (c->ssl) {
        io_buf b = {data, len};
        int r;
        io_status st = run_ssl(c, writing ? do_write : do_read, &b, &r, err, n);
        *done = st == IO_OK ? (size_t)r : 0;
        return st;
    }
    for (;;) {
        ssize_t r = writing ? send(c->fd, data, len, MSG_NOSIGNAL) : recv(c->fd, data, len, 0);
        if (r >= 0) {
            *done = (size_t)r;
            return IO_OK;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            snprintf(err, n, "%s: %s", writing ? "send" : "recv", strerror(errno));
            return IO_FAILED;
        }
        io_status st = wait_fd(c, writing ? POLLOUT : POLLIN, err, n);
        if (st != IO_OK)
            return st;
    }
}

static io_status conn_write(stomp_conn *c, const char *data, size_t len, char *err, size_t n)
{
    while (len > 0) {
        size_t w;
        io_status st = conn_io(c, true, (void *)data, len, &w, err, n);
        if (st != IO_OK)
            return st;
        data += w;
        len -= w;
    }
    return IO_OK;
}

/* Reads until one whole frame is buffered, then parses it into f. */
static io_status conn_read_frame(stomp_conn *c, stomp_frame *f, char *err, size_t n)
{
    for (;;) {
        size_t used;
        stomp_parse_result pr = stomp_frame_parse(c->buf, c->len, f, &used);
        if (pr == STOMP_PARSE_MALFORMED) {
            snprintf(err, n, "the broker sent something that is not a STOMP frame");
            return IO_FAILED;
        }
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
        if (pr == STOMP_PARSE_FRAME)
            return IO_OK;
        if (c->len == sizeof c->buf) {
            snprintf(err, n, "the broker sent a frame larger than %d bytes", STOMP_MAX_FRAME);
            return IO_FAILED;
        }
        size_t room = sizeof c->buf - c->len, got;
        io_status st = conn_io(c, false, c->buf + c->len, room < READ_CHUNK ? room : READ_CHUNK, &got, err, n);
        if (st != IO_OK)
            return st;
        if (got == 0) {
            snprintf(err, n, "the broker closed the connection");
            return IO_FAILED;
        }
        c->len += got;
    }
}

static bool is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* TCP connect (non-blocking, bounded), then the TLS handshake for stomp+ssl. */
static io_status conn_open(stomp_conn *c, const stomp_address *a, stomp_tls *tls, char *err, size_t n)
{
    char port[8];
    snprintf(port, sizeof port, "%u", a->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(a->host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, n, "cannot resolve %.100s: %s", a->host, gai_strerror(gai));
        return IO_FAILED;
    }
    io_status st = IO_FAILED;
    snprintf(err, n, "no address for %.100s", a->host);
    for (struct addrinfo *ai = res; ai && st != IO_OK; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0)
            continue;
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            st = IO_OK;
            break;
        }
        if (errno == EINPROGRESS && (st = wait_fd(c, POLLOUT, err, n)) == IO_OK) {
            int so_error = 0;
            socklen_t len = sizeof so_error;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            if (so_error == 0)
                break;
            errno = so_error;
            st = IO_FAILED;
        }
        if (st == IO_FAILED && errno)
            snprintf(err, n, "%s", strerror(errno));
        close(c->fd);
        c->fd = -1;
        if (st == IO_STOPPED)
            break;
    }
    freeaddrinfo(res);
    if (st != IO_OK || !a->tls)
        return st;

    SSL_CTX *ctx = tls_context(tls, err, n);
    if (!ctx)
        return IO_FAILED;
    const openssl_fns *o = openssl();
    c->ssl = o->SSL_new(ctx);
    if (!c->ssl || o->SSL_set_fd(c->ssl, c->fd) != 1) {
        tls_error(err, n, "TLS setup failed");
        return IO_FAILED;
    }
    if (is_ip_literal(a->host)) {
        o->X509_VERIFY_PARAM_set1_ip_asc(o->SSL_get0_param(c->ssl), a->host);
    } else {
        o->SSL_ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)a->host); /* SNI */
        o->SSL_set1_host(c->ssl, a->host);
    }
    int ignored;
    return run_ssl(c, do_handshake, NULL, &ignored, err, n);
}

static void conn_close(stomp_conn *c)
{
    if (c->ssl) {
        openssl()->SSL_shutdown(c->ssl); /* best effort, non-blocking */
        openssl()->SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

/* A frame's headers as an object (the first occurrence of a name wins, as STOMP 1.2 reads them). */
static json_t *frame_headers(const char *const *pairs, size_t count)
{
    json_t *headers = json_object();
    for (size_t i = 0; headers && i < count; i++)
        if (!json_object_get(headers, pairs[2 * i]))
            json_object_set_new(headers, pairs[2 * i], json_string(pairs[2 * i + 1]));
    return headers;
}

/* The broker's answer to the SEND, for the delivery record. */
static void keep_answer(const stomp_frame *f, attempt_result *r)
{
    json_t *headers = json_object();
    for (size_t i = 0; headers && i < f->header_count; i++)
        if (!json_object_get(headers, f->headers[i].name))
            json_object_set_new(headers, f->headers[i].name, json_string(f->headers[i].value));
    json_object_set_new(headers, "command", json_string(f->command)); /* RECEIPT or ERROR */
    free(r->wire_response);
    r->wire_response = wire_response(-1, headers, f->body, f->body_len);
}

/* An ERROR frame fails the attempt: its message header is the detail, its body the log body. */
static void take_error_frame(const stomp_frame *f, attempt_result *r)
{
    keep_answer(f, r);
    const char *message = stomp_frame_header(f, "message");
    snprintf(r->error_detail, sizeof r->error_detail, "%s", message ? message : "The broker sent an ERROR frame");
    free(r->body);
    r->body = utf8_clean(f->body, f->body_len, RESPONSE_BODY_MAX);
}

/* CONNECT, SEND, RECEIPT on an open connection. IO_OK with r->succeeded or r->error_detail set. */
static io_status converse(stomp_conn *c, const delivery_job *job, const char *address, const char *message,
                          attempt_result *r)
{
    char *err = r->error_detail;
    size_t n = sizeof r->error_detail;
    const char *login = job_config(job, "username"), *passcode = job_config(job, "password");
    /* host "/" is the default virtual host of RabbitMQ; ActiveMQ ignores the header */
    const char *connect_headers[10] = {"accept-version", "1.2", "host", "/", "heart-beat", "0,0"};
    size_t k = 6;
    if (login) {
        connect_headers[k++] = "login";
        connect_headers[k++] = login;
    }
    if (passcode) {
        connect_headers[k++] = "passcode";
        connect_headers[k++] = passcode;
    }
    size_t connect_count = k / 2;
    char receipt[UUID_STR_LEN + 16], length[24];
    snprintf(receipt, sizeof receipt, "%s-%d", job->id, job->attempt);
    snprintf(length, sizeof length, "%zu", strlen(message));
    const char *send_headers[] = {"destination", job_config(job, "destination"), "content-type", "application/json",
                                  "content-length", length, "persistent", "true", "receipt", receipt};
    size_t connect_len, send_len;
    char *connect = stomp_frame_encode("CONNECT", connect_headers, connect_count, NULL, 0, &connect_len);
    char *send = stomp_frame_encode("SEND", send_headers, 5, message, strlen(message), &send_len);
    stomp_frame f = {0};
    io_status st = IO_FAILED;
    if (!connect || !send) {
        snprintf(err, n, "Out of memory before sending");
        goto out;
    }
    if ((st = conn_write(c, connect, connect_len, err, n)) != IO_OK || (st = conn_read_frame(c, &f, err, n)) != IO_OK)
        goto out;
    if (strcmp(f.command, "ERROR") == 0) {
        take_error_frame(&f, r);
        goto out;
    }
    if (strcmp(f.command, "CONNECTED") != 0) {
        snprintf(err, n, "expected CONNECTED, the broker sent %.32s", f.command);
        goto out;
    }
    stomp_frame_clear(&f);
    free(r->wire_request); /* the SEND as it goes to this broker */
    r->wire_request = wire_request("SEND", address, frame_headers(send_headers, 5), message, strlen(message));
    if ((st = conn_write(c, send, send_len, err, n)) != IO_OK)
        goto out;
    for (;;) { /* frames other than our RECEIPT or an ERROR (e.g. other receipts) are skipped */
        stomp_frame_clear(&f);
        if ((st = conn_read_frame(c, &f, err, n)) != IO_OK)
            goto out;
        const char *id = stomp_frame_header(&f, "receipt-id");
        if (strcmp(f.command, "ERROR") == 0) {
            take_error_frame(&f, r);
            break;
        }
        if (strcmp(f.command, "RECEIPT") == 0 && id && strcmp(id, receipt) == 0) {
            keep_answer(&f, r);
            r->succeeded = true;
            static const char disconnect[] = "DISCONNECT\n\n";
            conn_write(c, disconnect, sizeof disconnect, err, n); /* with its NUL; best effort */
            err[0] = '\0';
            break;
        }
    }
out:
    stomp_frame_clear(&f);
    free(connect);
    free(send);
    return st;
}

bool stomp_deliver(transport_ctx *t, const delivery_job *job, attempt_result *r)
{
    const delivery_settings *s = t->s;
    int64_t started = now_ms();
    char *message = cloudevent_body(job, s->public_base_url);
    stomp_conn *c = calloc(1, sizeof *c);
    bool completed = true;
    if (!message || !c) {
        snprintf(r->error_detail, sizeof r->error_detail, "Out of memory before sending");
        goto out;
    }
    c->fd = -1;
    c->stopping = t->stopping;
    c->deadline_ms = started + (int64_t)(s->timeout * 1000);
    const json_t *addresses = json_object_get(job->configuration, "addresses");
    char failures[sizeof r->error_detail] = "";
    size_t i;
    const json_t *item;
    json_array_foreach(addresses, i, item) {
        stomp_address a;
        char err[256] = "";
        if (!stomp_address_parse(json_string_value(item), &a))
            continue;
        io_status st = conn_open(c, &a, t->tls, err, sizeof err);
        if (st == IO_OK) {
            /* connected: the broker's answer decides; no failover past a live broker */
            st = converse(c, job, json_string_value(item), message, r);
            size_t used = strlen(r->error_detail);
            if (st == IO_FAILED)
                snprintf(r->error_detail + used, sizeof r->error_detail - used, " (%s)", json_string_value(item));
        }
        conn_close(c);
        if (st == IO_STOPPED)
            completed = false;
        if (st != IO_FAILED || r->error_detail[0])
            break;
        size_t used = strlen(failures);
        snprintf(failures + used, sizeof failures - used, "%s%s: %s", used ? "; " : "", json_string_value(item), err);
    }
    if (completed && c->timed_out && !r->succeeded) /* the same words as every transport's timeout (spec §7) */
        snprintf(r->error_detail, sizeof r->error_detail, "Request timed out after %gs", s->timeout);
    else if (completed && !r->succeeded && !r->error_detail[0])
        snprintf(r->error_detail, sizeof r->error_detail, "Could not connect to any STOMP address: %.440s", failures);
out:
    r->processing_time = (double)(now_ms() - started) / 1000.0;
    free(c);
    free(message);
    return completed;
}
