/* integrationsd: flags -> configuration, storage, HTTP server, signals, clean shutdown. */
#include <pthread.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "delivery.h"
#include "healthcheck.h"
#include "http.h"
#include "integration.h"

static unsigned worker_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
}

/* Connections the server takes at once: answers that wait (delays, long polls, commits) hold a
 * connection each, not a thread. The soft limit of open files is raised to the hard one first
 * (a shell's default of 1024 would cap a thousand waiting requests); a margin stays for the
 * database, the delivery workers and the logs. */
#define CONNECTIONS_MAX 4096
#define FILES_KEPT_BACK 128

static unsigned connection_limit(void)
{
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0)
        return 1000;
    if (files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max > 65536 ? 65536 : files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
        getrlimit(RLIMIT_NOFILE, &files);
    }
    rlim_t usable = files.rlim_cur > 2 * FILES_KEPT_BACK ? files.rlim_cur - FILES_KEPT_BACK : files.rlim_cur / 2;
    return usable > CONNECTIONS_MAX ? CONNECTIONS_MAX : (unsigned)usable;
}

static void format_base_url(char *out, size_t n, const char *bind, unsigned port)
{
    bool v6 = strchr(bind, ':') != NULL;
    snprintf(out, n, "http://%s%s%s:%u", v6 ? "[" : "", bind, v6 ? "]" : "", port);
}

int main(int argc, char **argv, char **envp)
{
    config cfg;
    switch (config_load(&cfg, argc, argv, envp, stdout, stderr)) {
    case CONFIG_EXIT_OK:
        return 0;
    case CONFIG_EXIT_USAGE:
        return 2;
    case CONFIG_RUN:
        break;
    }
    if (cfg.healthcheck)
        return healthcheck_run(&cfg);

    /* Signals are taken synchronously by the main thread: block them before any thread starts. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    http_server *server = NULL;
    delivery *runner = NULL;
    app a = {.cfg = &cfg};
    integration_set_text_max((size_t)cfg.max_text_length);
    a.db = db_open(cfg.db_path);
    if (!a.db || !api_open(&a))
        goto out;
    db_token_purge(a.db, (int64_t)time(NULL));
    if (!db_prune_start(a.db, (int64_t)(cfg.retention_days * 86400000.0)))
        goto out;
    if (!auth_configure_clients(&a))
        goto out;
    if (cfg.seed && !api_seed_load(&a, cfg.seed)) {
        status = 2; /* a bad seed file: nothing of it was applied */
        goto out;
    }
    if (!auth_revoke_unconfigured(&a))
        goto out;
    if (cfg.public_url) {
        size_t len = strlen(cfg.public_url); /* at most URL_MAX_LEN: checked by config_load */
        while (len > 0 && cfg.public_url[len - 1] == '/')
            len--;
        snprintf(a.public_url, sizeof a.public_url, "%.*s", (int)len, cfg.public_url);
    }

    http_options opt = {
        .bind = cfg.bind,
        .port = (unsigned)cfg.port,
        .max_body = (size_t)cfg.max_body,
        .threads = worker_threads(),
        .max_connections = cfg.max_connections ? (unsigned)cfg.max_connections : connection_limit(),
        .header_timeout_ms = cfg.header_timeout * 1000,
        .body_timeout_ms = cfg.body_timeout * 1000,
        .idle_timeout_ms = cfg.idle_timeout * 1000,
        .max_idle_connections = (unsigned)cfg.max_idle_connections,
        .routes = api_routes,
        .route_count = api_route_count - (cfg.no_emulator ? api_emulator_route_count : 0),
        .intercept = cfg.no_emulator ? NULL : api_intercept,
        .app = &a,
    };
    /* Bind first: the real port (with --port 0) is in every base URL, and the delivery workers
     * must be running, with those URLs, before the first request can raise an event. */
    server = http_bind(&opt);
    if (!server)
        goto out;
    format_base_url(a.default_base_url, sizeof a.default_base_url, cfg.bind, http_port(server));

    delivery_settings ds = {
        .schedule = cfg.retry_schedule,
        .attempts = cfg.retry_count,
        .timeout = cfg.delivery_timeout,
        .sign_webhooks = cfg.sign_webhooks,
        .public_base_url = a.public_url[0] ? a.public_url : a.default_base_url,
        .stomp_ca_file = cfg.stomp_ca_file,
    };
    runner = delivery_start(a.db, &ds, (unsigned)cfg.delivery_concurrency);
    if (!runner || !http_serve(server))
        goto out;

    if (a.clients)
        printf("mode: configured (%zu client%s)\n", a.client_count, a.client_count == 1 ? "" : "s");
    else
        printf("mode: open (any client_id/client_secret pair gets a token; first use creates its store)\n");
    printf("listening on %s\n", a.default_base_url);
    fflush(stdout);
    if (!cfg.quiet) /* after the line that tells the port: a line a request from now on */
        access_log_start(cfg.log_json);

    int sig;
    sigwait(&stop_signals, &sig);
    printf("stopping on signal %d\n", sig);
    fflush(stdout);
    status = 0;
out:
    http_stop(server);    /* first: no new events */
    delivery_stop(runner); /* attempts under way are cut short and logged; their jobs stay pending */
    access_log_stop();     /* the last lines, after the last attempt's */
    auth_free_clients(&a);
    api_seed_free(&a);
    api_close(&a);
    db_close(a.db);
    return status;
}
