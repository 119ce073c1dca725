/* Command line and environment -> configuration. Opens nothing (a file flag is only checked for readability). */
#ifndef INTEGRATIONSD_CONFIG_H
#define INTEGRATIONSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RETRY_SCHEDULE_MAX 32

#define INTEGRATIONSD_VERSION "0.1.0"

typedef struct config {
    const char *bind;            /* IPv4 or IPv6 literal */
    long port;                   /* 0 = pick a free port */
    const char *db_path;         /* file path or ":memory:" */
    const char *public_url;      /* NULL = built from the request's Host */
    const char *clients;         /* "id:secret,id:secret"; NULL = open mode */
    long token_ttl;              /* seconds */
    long max_body;               /* bytes */
    long max_integrations;       /* per store */
    long max_text_length;        /* characters of a name, description, configuration string */
    long max_credential_length;  /* characters of a client_id or a client_secret */
    long max_stores;             /* open mode: stores (one a new client_id) a server holds */
    long max_connections;        /* open at once; 0 = from the process's file limit */
    long header_timeout;         /* seconds for a request's headers, however they trickle */
    long body_timeout;           /* seconds for its body, from the end of its headers */
    long idle_timeout;           /* seconds a keep-alive connection may sit idle */
    long max_idle_connections;   /* idle keep-alive connections kept at once */
    /* delivery (spec §7) */
    double retry_schedule[RETRY_SCHEDULE_MAX]; /* seconds before attempt 1, 2, …; [0] is usually 0 */
    size_t retry_count;          /* attempts a job gets */
    double delivery_timeout;     /* seconds */
    long delivery_concurrency;   /* attempts under way at once */
    bool sign_webhooks;          /* Standard Webhooks headers */
    bool no_emulator;            /* the emulator routes answer 404 */
    const char *seed;            /* --seed file; NULL = none */
    bool log_json;               /* --log-format json */
    bool quiet;                  /* no access log */
    const char *stomp_ca_file;   /* PEM file of extra CAs for stomp+ssl */
    double retention_days;       /* finished jobs, logs, records, events kept; 0 = forever */
    bool healthcheck;            /* ask /health of the running server and exit 0/1 */
} config;

typedef enum {
    CONFIG_RUN = 0,        /* serve */
    CONFIG_EXIT_OK = 1,    /* --help / --version printed */
    CONFIG_EXIT_USAGE = 2  /* bad flag or value; message printed */
} config_result;

/* Fills cfg from defaults, then INTEGRATIONSD_* variables of envp, then argv (flags win).
 * Messages go to out (--help, --version) or err (one line per problem). */
config_result config_load(config *cfg, int argc, char **argv, char **envp, FILE *out, FILE *err);

#endif
