/* Flags and INTEGRATIONSD_* variables into a config. Opens nothing: a file flag is only
 * checked for readability; messages go to the streams given. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "address.h"

typedef enum {
    OPT_PATH,
    OPT_FILE,
    OPT_INTEGER,
    OPT_SECONDS,
    OPT_SCHEDULE,
    OPT_SWITCH,
    OPT_ADDRESS,
    OPT_URL,
    OPT_CLIENTS,
    OPT_LOG_FORMAT,
    OPT_DAYS
} option_kind;

typedef struct option_def {
    const char *name; /* flag without "--"; env var is INTEGRATIONSD_ + NAME with '-' -> '_' */
    option_kind kind;
    size_t offset;    /* of the field in config */
    long min, max;    /* OPT_INTEGER */
    const char *arg;
    const char *help;
} option_def;

#define FIELD(f) offsetof(config, f)

/* One row a flag: its definition, then its line of --help. */
static const option_def options[] = {
    /* where it listens, what it stores, who may call it */
    {"bind", OPT_ADDRESS, FIELD(bind), 0, 0, "ADDR",
     "IP address to listen on (default 127.0.0.1)"},
    {"port", OPT_INTEGER, FIELD(port), 0, 65535, "N",
     "TCP port; 0 picks a free one (default 8080)"},
    {"db", OPT_PATH, FIELD(db_path), 0, 0, "PATH",
     "SQLite database file, or :memory: (default ./integrationsd.db)"},
    {"public-url", OPT_URL, FIELD(public_url), 0, 0, "URL",
     "base URL for links (default: from the Host header)"},
    {"clients", OPT_CLIENTS, FIELD(clients), 0, 0, "ID:SECRET[,...]",
     "only these clients get tokens (default: open mode)"},
    {"token-ttl", OPT_INTEGER, FIELD(token_ttl), 1, 315360000, "SECONDS",
     "access token lifetime (default 3600)"},
    /* limits of a request and of a store: each refusal is a JSON error that names its flag */
    {"max-body", OPT_INTEGER, FIELD(max_body), 1, 1073741824, "BYTES",
     "largest request body (default 1048576)"},
    {"max-integrations", OPT_INTEGER, FIELD(max_integrations), 1, 1000000, "N",
     "integrations per store (default 100)"},
    {"max-text-length", OPT_INTEGER, FIELD(max_text_length), 1, 1048576, "CHARS",
     "longest name, description or configuration string but URLs (default 1024)"},
    {"max-credential-length", OPT_INTEGER, FIELD(max_credential_length), 1, 65536, "CHARS",
     "longest client_id or client_secret (default 255)"},
    {"max-stores", OPT_INTEGER, FIELD(max_stores), 1, 100000000, "N",
     "open mode: stores the server holds, one a new client_id (default 10000)"},
    /* connections: no client can hold the others out */
    {"max-connections", OPT_INTEGER, FIELD(max_connections), 0, 1000000, "N",
     "connections open at once; 0 = from the open-file limit (default 0: up to 65536)"},
    {"header-timeout", OPT_INTEGER, FIELD(header_timeout), 1, 3600, "SECONDS",
     "a request's headers must arrive within this, however slowly they trickle (default 10)"},
    {"body-timeout", OPT_INTEGER, FIELD(body_timeout), 1, 3600, "SECONDS",
     "a request's body must arrive within this after its headers (default 60)"},
    {"idle-timeout", OPT_INTEGER, FIELD(idle_timeout), 1, 3600, "SECONDS",
     "an idle keep-alive connection is closed after this (default 30); sooner when connections run short"},
    {"max-idle-connections", OPT_INTEGER, FIELD(max_idle_connections), 1, 1000000, "N",
     "idle keep-alive connections kept at once, the oldest closed past it (default 1024)"},
    /* delivery */
    {"retry-schedule", OPT_SCHEDULE, FIELD(retry_schedule), 0, 0, "LIST",
     "seconds before each attempt (default 0,5,30,120,600,1800)"},
    {"delivery-timeout", OPT_SECONDS, FIELD(delivery_timeout), 0, 3600, "SECONDS",
     "per attempt (default 10)"},
    {"delivery-concurrency", OPT_INTEGER, FIELD(delivery_concurrency), 1, 256, "N",
     "attempts under way at once (default 8)"},
    {"sign-webhooks", OPT_SWITCH, FIELD(sign_webhooks), 0, 0, "",
     "add Standard Webhooks signature headers"},
    {"stomp-ca-file", OPT_FILE, FIELD(stomp_ca_file), 0, 0, "PATH",
     "PEM file of CAs trusted for stomp+ssl"},
    {"retention", OPT_DAYS, FIELD(retention_days), 0, 36500, "DAYS",
     "keep finished jobs, their logs, delivery records and events this long; 0 keeps them (default 7)"},
    /* the emulator and the console */
    {"seed", OPT_FILE, FIELD(seed), 0, 0, "PATH",
     "JSON document applied at every start: stores, clients, integrations (what exists is left)"},
    {"no-emulator", OPT_SWITCH, FIELD(no_emulator), 0, 0, "",
     "answer /emulator/* as unknown routes (404): a server shared beyond one team"},
    {"log-format", OPT_LOG_FORMAT, FIELD(log_json), 0, 0, "text|json",
     "the console's line a request and a delivery attempt: text (default) or JSON lines"},
    {"quiet", OPT_SWITCH, FIELD(quiet), 0, 0, "",
     "no line a request or a delivery attempt"},
    {"healthcheck", OPT_SWITCH, FIELD(healthcheck), 0, 0, "",
     "ask /health of the server at --bind/--port, exit 0 (healthy) or 1"},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

static bool valid_clients(const char *s)
{
    /* id:secret pairs separated by commas; neither part empty, the id without ':'. */
    if (*s == '\0')
        return false; /* an empty list would be a server that nobody can use */
    while (*s) {
        size_t pair = strcspn(s, ",");
        const char *colon = memchr(s, ':', pair);
        if (!colon || colon == s || colon == s + pair - 1)
            return false;
        s += pair;
        if (*s == ',' && *++s == '\0')
            return false;
    }
    return true;
}

static bool parse_integer(const char *s, long min, long max, long *out)
{
    if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1])))
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A decimal number of seconds within [min, max] (min excluded when exclusive). */
static bool parse_seconds(const char *s, double min, double max, bool exclusive, double *out)
{
    if (!((*s >= '0' && *s <= '9') || *s == '.'))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < min || v > max || (exclusive && v == min))
        return false;
    *out = v;
    return true;
}

/* "0,5,30" -> {0, 5, 30}: 1 to RETRY_SCHEDULE_MAX non-negative decimals, each at most a day. */
static bool parse_schedule(const char *s, config *cfg)
{
    size_t n = 0;
    while (n < RETRY_SCHEDULE_MAX) {
        char item[32];
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof item)
            return false;
        memcpy(item, s, len);
        item[len] = '\0';
        if (!parse_seconds(item, 0, 86400, false, &cfg->retry_schedule[n++]))
            return false;
        if (s[len] == '\0') {
            cfg->retry_count = n;
            return true;
        }
        s += len + 1;
    }
    return false;
}

static bool parse_switch(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(s, no[i]) == 0)
            return !(*out = false);
    return false;
}

/* Validates value and stores it; prints one line to err and returns false when it is bad. */
static bool set_option(config *cfg, const option_def *o, const char *value, const char *origin, FILE *err)
{
    void *field = (char *)cfg + o->offset;
    bool ok = true;
    const char *expected = "";
    switch (o->kind) {
    case OPT_PATH:
        ok = value[0] != '\0';
        expected = "a non-empty path";
        break;
    case OPT_FILE:
        ok = value[0] != '\0' && access(value, R_OK) == 0;
        expected = "a readable file";
        break;
    case OPT_INTEGER:
        ok = parse_integer(value, o->min, o->max, (long *)field);
        expected = "an integer in range";
        break;
    case OPT_SECONDS:
        ok = parse_seconds(value, (double)o->min, (double)o->max, true, (double *)field);
        expected = "a number of seconds above 0 and at most 3600";
        break;
    case OPT_SCHEDULE:
        ok = parse_schedule(value, cfg);
        expected = "1 to 32 comma-separated numbers of seconds, e.g. 0,5,30";
        break;
    case OPT_SWITCH:
        ok = parse_switch(value, (bool *)field);
        expected = "1, true, yes, on, 0, false, no or off";
        break;
    case OPT_ADDRESS: {
        unsigned char buf[sizeof(struct in6_addr)];
        ok = inet_pton(AF_INET, value, buf) == 1 || inet_pton(AF_INET6, value, buf) == 1;
        expected = "an IPv4 or IPv6 address such as 127.0.0.1 or ::1";
        break;
    }
    case OPT_URL:
        ok = http_url_is_valid(value);
        expected = "an http:// or https:// URL";
        break;
    case OPT_CLIENTS:
        ok = valid_clients(value);
        expected = "ID:SECRET pairs separated by commas";
        break;
    case OPT_LOG_FORMAT:
        ok = strcmp(value, "text") == 0 || strcmp(value, "json") == 0;
        *(bool *)field = ok && strcmp(value, "json") == 0;
        expected = "text or json";
        break;
    case OPT_DAYS: /* decimals allowed: 0.0001 is under 9 s (for tests) */
        ok = parse_seconds(value, (double)o->min, (double)o->max, false, (double *)field);
        expected = "a number of days from 0 to 36500 (decimals allowed)";
        break;
    }
    if (!ok) {
        if (o->kind == OPT_INTEGER)
            fprintf(err, "integrationsd: invalid value for %s: \"%s\" (expected an integer from %ld to %ld)\n",
                    origin, value, o->min, o->max);
        else
            fprintf(err, "integrationsd: invalid value for %s: \"%s\" (expected %s)\n", origin, value, expected);
        return false;
    }
    if (o->kind == OPT_PATH || o->kind == OPT_FILE || o->kind == OPT_ADDRESS || o->kind == OPT_URL || o->kind == OPT_CLIENTS)
        *(const char **)field = value;
    return true;
}

static void env_name(const option_def *o, char *out, size_t n)
{
    size_t i = (size_t)snprintf(out, n, "INTEGRATIONSD_");
    for (const char *p = o->name; *p && i + 1 < n; p++)
        out[i++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    out[i] = '\0';
}

static const char *env_lookup(char **envp, const char *name)
{
    size_t len = strlen(name);
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

static void print_help(FILE *out)
{
    fprintf(out, "Usage: integrationsd [options]\n"
                 "A local clone of the Elastic Path Commerce Cloud Integrations API.\n\nOptions:\n");
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        char flag[64], env[64];
        snprintf(flag, sizeof flag, "--%s%s%s", options[i].name, options[i].arg[0] ? " " : "", options[i].arg);
        env_name(&options[i], env, sizeof env);
        fprintf(out, "  %-36s %s [%s]\n", flag, options[i].help, env);
    }
    fprintf(out, "  %-36s %s\n  %-36s %s\n", "--help", "show this help", "--version", "show the version");
}

config_result config_load(config *cfg, int argc, char **argv, char **envp, FILE *out, FILE *err)
{
    *cfg = (config){
        .bind = "127.0.0.1",
        .port = 8080,
        .db_path = "./integrationsd.db",
        .token_ttl = 3600,
        .max_body = 1048576,
        .max_integrations = 100,
        .max_text_length = 1024,
        .max_credential_length = 255,
        .max_stores = 10000,
        .max_connections = 0,
        .header_timeout = 10,
        .body_timeout = 60,
        .idle_timeout = 30,
        .max_idle_connections = 1024,
        .retry_schedule = {0, 5, 30, 120, 600, 1800},
        .retry_count = 6,
        .delivery_timeout = 10,
        .delivery_concurrency = 8,
        .retention_days = 7,
    };
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        char name[64];
        env_name(&options[i], name, sizeof name);
        const char *v = env_lookup(envp, name);
        if (v && !set_option(cfg, &options[i], v, name, err))
            return CONFIG_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(out);
            return CONFIG_EXIT_OK;
        }
        if (strcmp(arg, "--version") == 0) {
            fprintf(out, "integrationsd %s\n", INTEGRATIONSD_VERSION);
            return CONFIG_EXIT_OK;
        }
        const option_def *o = NULL;
        const char *value = NULL;
        if (strncmp(arg, "--", 2) == 0) {
            size_t len = strcspn(arg + 2, "=");
            for (size_t k = 0; k < OPTION_COUNT && !o; k++)
                if (strlen(options[k].name) == len && strncmp(arg + 2, options[k].name, len) == 0)
                    o = &options[k];
            if (o && arg[2 + len] == '=')
                value = arg + 3 + len;
        }
        if (!o) {
            fprintf(err, "integrationsd: unknown option \"%s\" (see --help)\n", arg);
            return CONFIG_EXIT_USAGE;
        }
        if (!value && o->kind == OPT_SWITCH)
            value = "true";
        if (!value) {
            if (i + 1 >= argc) {
                fprintf(err, "integrationsd: option --%s needs a value (%s)\n", o->name, o->arg);
                return CONFIG_EXIT_USAGE;
            }
            value = argv[++i];
        }
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", o->name);
        if (!set_option(cfg, o, value, origin, err))
            return CONFIG_EXIT_USAGE;
    }
    return CONFIG_RUN;
}
