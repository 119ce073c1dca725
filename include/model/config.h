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
