/* Unit tests of include/model/config.h: defaults, INTEGRATIONSD_* variables, flags (spec §9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

typedef struct run {
    config cfg;
    config_result rc;
    char *out, *err;
    size_t out_len, err_len;
} run;

/* argv and envp are NULL-terminated; argv[0] is the program name. */
static void load(run *r, char **argv, char **envp)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(r, 0, sizeof *r);
    FILE *out = open_memstream(&r->out, &r->out_len);
    FILE *err = open_memstream(&r->err, &r->err_len);
    assert_non_null(out);
    assert_non_null(err);
    r->rc = config_load(&r->cfg, argc, argv, envp, out, err);
    fclose(out);
    fclose(err);
}

static void done(run *r)
{
    free(r->out);
    free(r->err);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A usage error: CONFIG_EXIT_USAGE, nothing on out, exactly one line on err naming `mention`. */
static void expect_usage(char **argv, char **envp, const char *mention)
{
    run r;
    load(&r, argv, envp);
    if (r.rc != CONFIG_EXIT_USAGE || r.out_len != 0 || count_lines(r.err) != 1 || r.err[r.err_len - 1] != '\n' ||
        (mention && !strstr(r.err, mention))) {
        print_error("argv[1]=\"%s\": rc=%d out=\"%s\" err=\"%s\" (expected one line mentioning \"%s\")\n",
                    argv[1] ? argv[1] : "", (int)r.rc, r.out, r.err, mention ? mention : "");
        done(&r);
        fail();
    }
    done(&r);
}

static char *no_env[] = {NULL};

static void test_defaults(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", NULL};
    char *envp[] = {"HOME=/root", "PORT=1", "INTEGRATIONSD=1", NULL}; /* unrelated variables */
    run r;
    load(&r, argv, envp);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_string_equal(r.cfg.bind, "127.0.0.1");
    assert_int_equal(r.cfg.port, 8080);
    assert_string_equal(r.cfg.db_path, "./integrationsd.db");
    assert_null(r.cfg.public_url);
    assert_null(r.cfg.clients);
    assert_int_equal(r.cfg.token_ttl, 3600);
    assert_int_equal(r.cfg.max_body, 1048576);
    assert_int_equal(r.cfg.max_integrations, 100);
    /* spec §7: first attempt at once, then 5 s, 30 s, 2 min, 10 min, 30 min; 10 s timeout */
    assert_int_equal(r.cfg.retry_count, 6);
    static const double schedule[] = {0, 5, 30, 120, 600, 1800};
    for (size_t i = 0; i < 6; i++)
        assert_true(r.cfg.retry_schedule[i] == schedule[i]);
    assert_true(r.cfg.delivery_timeout == 10);
    assert_false(r.cfg.sign_webhooks);
    assert_int_equal(r.out_len, 0);
    assert_int_equal(r.err_len, 0);
    done(&r);
}

static void test_env_sets_values(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", NULL};
    char *envp[] = {"INTEGRATIONSD_PORT=9000",
                    "INTEGRATIONSD_BIND=::1",
                    "INTEGRATIONSD_DB=:memory:",
                    "INTEGRATIONSD_PUBLIC_URL=https://api.example.com",
                    "INTEGRATIONSD_CLIENTS=a:b,c:d",
                    "INTEGRATIONSD_TOKEN_TTL=60",
                    "INTEGRATIONSD_MAX_BODY=2048",
                    "INTEGRATIONSD_MAX_INTEGRATIONS=3",
                    "INTEGRATIONSD_RETRY_SCHEDULE=0,0.1,0.25",
                    "INTEGRATIONSD_DELIVERY_TIMEOUT=0.5",
                    "INTEGRATIONSD_SIGN_WEBHOOKS=1",
                    NULL};
    run r;
    load(&r, argv, envp);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.port, 9000);
    assert_string_equal(r.cfg.bind, "::1");
    assert_string_equal(r.cfg.db_path, ":memory:");
    assert_string_equal(r.cfg.public_url, "https://api.example.com");
    assert_string_equal(r.cfg.clients, "a:b,c:d");
    assert_int_equal(r.cfg.token_ttl, 60);
    assert_int_equal(r.cfg.max_body, 2048);
    assert_int_equal(r.cfg.max_integrations, 3);
    assert_int_equal(r.cfg.retry_count, 3);
    assert_true(r.cfg.retry_schedule[1] == 0.1 && r.cfg.retry_schedule[2] == 0.25);
    assert_true(r.cfg.delivery_timeout == 0.5);
    assert_true(r.cfg.sign_webhooks);
    assert_int_equal(r.err_len, 0);
    done(&r);
}

/* A variable whose name only starts like one of ours is not ours. */
static void test_env_name_must_match_exactly(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", NULL};
    char *envp[] = {"INTEGRATIONSD_PORTX=1", "INTEGRATIONSD_POR=2", "integrationsd_port=3", "XINTEGRATIONSD_PORT=4",
                    NULL};
    run r;
    load(&r, argv, envp);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.port, 8080);
    done(&r);
}

static void test_flag_beats_env(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", "--port", "7000", "--db", "/tmp/x.db", NULL};
    char *envp[] = {"INTEGRATIONSD_PORT=9000", "INTEGRATIONSD_DB=/tmp/env.db", NULL};
    run r;
    load(&r, argv, envp);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.port, 7000);
    assert_string_equal(r.cfg.db_path, "/tmp/x.db");
    done(&r);
}

static void test_flag_forms(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", "--port=5", "--token-ttl", "120", "--max-body=10", "--public-url",
                    "http://localhost:9999", "--clients=x:y", "--retry-schedule=0,1", "--delivery-timeout", "2",
                    "--delivery-concurrency=4", "--sign-webhooks", NULL};
    run r;
    load(&r, argv, no_env);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.port, 5);
    assert_int_equal(r.cfg.token_ttl, 120);
    assert_int_equal(r.cfg.max_body, 10);
    assert_string_equal(r.cfg.public_url, "http://localhost:9999");
    assert_string_equal(r.cfg.clients, "x:y");
    assert_int_equal(r.cfg.retry_count, 2);
    assert_true(r.cfg.delivery_timeout == 2);
    assert_int_equal(r.cfg.delivery_concurrency, 4);
    assert_true(r.cfg.sign_webhooks);
    done(&r);
}

static void test_later_flag_wins_and_port_zero(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", "--port", "1", "--port=0", "--sign-webhooks", "--sign-webhooks=off", NULL};
    run r;
    load(&r, argv, no_env);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.port, 0); /* 0 = pick a free port */
    assert_false(r.cfg.sign_webhooks);
    done(&r);
}

static void test_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *flag, *value, *mention;
    } rows[] = {
        {"--port", "abc", "--port"},          {"--port", "65536", "--port"},
        {"--port", "-1", "--port"},           {"--port", "", "--port"},
        {"--port", "80x", "--port"},          {"--port", " 80", "--port"},
        {"--port", "99999999999999999999", "--port"},
        {"--bind", "localhost", "--bind"},    {"--bind", "1.2.3", "--bind"},
        {"--db", "", "--db"},
        {"--public-url", "ftp://x", "--public-url"}, {"--public-url", "example.com", "--public-url"},
        {"--clients", "a", "--clients"},      {"--clients", "a:", "--clients"},
        {"--clients", ":b", "--clients"},     {"--clients", "a:b,", "--clients"},
        {"--clients", ",a:b", "--clients"},   {"--clients", "a:b,,c:d", "--clients"},
        {"--token-ttl", "0", "--token-ttl"},  {"--max-body", "0", "--max-body"},
        {"--max-integrations", "0", "--max-integrations"},
        {"--retry-schedule", "", "--retry-schedule"}, {"--retry-schedule", "0,,5", "--retry-schedule"},
        {"--retry-schedule", "0,-5", "--retry-schedule"}, {"--retry-schedule", "0,5,", "--retry-schedule"},
        {"--retry-schedule", "a", "--retry-schedule"},
        {"--delivery-timeout", "0", "--delivery-timeout"}, {"--delivery-timeout", "-1", "--delivery-timeout"},
        {"--delivery-timeout", "3601", "--delivery-timeout"},
        {"--delivery-concurrency", "0", "--delivery-concurrency"},
        {"--sign-webhooks", "maybe", "--sign-webhooks"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *joined = NULL;
        assert_true(asprintf(&joined, "%s=%s", rows[i].flag, rows[i].value) > 0);
        char *argv_eq[] = {"integrationsd", joined, NULL};
        expect_usage(argv_eq, no_env, rows[i].mention);
        if (strcmp(rows[i].flag, "--sign-webhooks") != 0) { /* a switch takes no separate value */
            char *argv_sep[] = {"integrationsd", (char *)rows[i].flag, (char *)rows[i].value, NULL};
            expect_usage(argv_sep, no_env, rows[i].mention);
        }
        free(joined);
    }
}

static void test_clients_syntax_accepted(void **state)
{
    (void)state;
    static const char *const good[] = {"a:b", "a:b,c:d", "client-1:s3cr3t:with:colons", "x:y,z:w,u:v"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *argv[] = {"integrationsd", "--clients", (char *)good[i], NULL};
        run r;
        load(&r, argv, no_env);
        assert_int_equal(r.rc, CONFIG_RUN);
        assert_string_equal(r.cfg.clients, good[i]);
        done(&r);
    }
}

/* An empty client list would start configured mode with no client at all: a server that can
 * issue no token. It must be refused (usage) or mean open mode (clients NULL). */
static void test_empty_clients_is_not_configured_mode(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", "--clients=", NULL};
    run r;
    load(&r, argv, no_env);
    bool refused = r.rc == CONFIG_EXIT_USAGE && count_lines(r.err) == 1;
    bool open_mode = r.rc == CONFIG_RUN && r.cfg.clients == NULL;
    if (!refused && !open_mode) {
        print_error("--clients= gave rc=%d clients=%s%s%s: configured mode without clients\n", (int)r.rc,
                    r.cfg.clients ? "\"" : "", r.cfg.clients ? r.cfg.clients : "NULL", r.cfg.clients ? "\"" : "");
        done(&r);
        fail();
    }
    done(&r);

    char *argv2[] = {"integrationsd", NULL};
    char *envp[] = {"INTEGRATIONSD_CLIENTS=", NULL};
    load(&r, argv2, envp);
    refused = r.rc == CONFIG_EXIT_USAGE && count_lines(r.err) == 1;
    open_mode = r.rc == CONFIG_RUN && r.cfg.clients == NULL;
    done(&r);
    assert_true(refused || open_mode);
}

static void test_retry_schedule_bounds(void **state)
{
    (void)state;
    /* 32 items is the most */
    char list[32 * 3 + 8] = "0";
    for (int i = 1; i < RETRY_SCHEDULE_MAX; i++)
        strcat(list, ",1");
    char *argv[] = {"integrationsd", "--retry-schedule", list, NULL};
    run r;
    load(&r, argv, no_env);
    assert_int_equal(r.rc, CONFIG_RUN);
    assert_int_equal(r.cfg.retry_count, RETRY_SCHEDULE_MAX);
    done(&r);
    strcat(list, ",1");
    expect_usage(argv, no_env, "--retry-schedule");
}

static void test_bad_env_value(void **state)
{
    (void)state;
    char *argv[] = {"integrationsd", NULL};
    char *envp[] = {"INTEGRATIONSD_PORT=abc", NULL};
    expect_usage(argv, envp, "INTEGRATIONSD_PORT");
}

static void test_unknown_flags_and_missing_value(void **state)
{
    (void)state;
    char *a1[] = {"integrationsd", "--nope", NULL};
    expect_usage(a1, no_env, "--nope");
    char *a2[] = {"integrationsd", "-x", NULL};
    expect_usage(a2, no_env, "-x");
    char *a3[] = {"integrationsd", "serve", NULL};
    expect_usage(a3, no_env, "serve");
    char *a4[] = {"integrationsd", "--portx=5", NULL};
    expect_usage(a4, no_env, "--portx");
    char *a5[] = {"integrationsd", "--", NULL};
    expect_usage(a5, no_env, NULL);
    char *a6[] = {"integrationsd", "--port", NULL};
    expect_usage(a6, no_env, "--port");
    char *a7[] = {"integrationsd", "--PORT=5", NULL};
    expect_usage(a7, no_env, "--PORT");
    char *a8[] = {"integrationsd", "-port", "5", NULL};
    expect_usage(a8, no_env, "-port");
}

static void test_help_and_version(void **state)
{
    (void)state;
    char *h[] = {"integrationsd", "--help", NULL};
    run r;
    load(&r, h, no_env);
    assert_int_equal(r.rc, CONFIG_EXIT_OK);
    assert_int_equal(r.err_len, 0);
    assert_non_null(strstr(r.out, "--port"));
    assert_non_null(strstr(r.out, "INTEGRATIONSD_PORT"));
    assert_non_null(strstr(r.out, "--public-url"));
    assert_non_null(strstr(r.out, "INTEGRATIONSD_PUBLIC_URL"));
    done(&r);

    char *v[] = {"integrationsd", "--version", NULL};
    load(&r, v, no_env);
    assert_int_equal(r.rc, CONFIG_EXIT_OK);
    assert_int_equal(r.err_len, 0);
    assert_string_equal(r.out, "integrationsd " INTEGRATIONSD_VERSION "\n");
    done(&r);

    /* --help after good flags still prints help */
    char *h2[] = {"integrationsd", "--port", "1", "--help", NULL};
    load(&r, h2, no_env);
    assert_int_equal(r.rc, CONFIG_EXIT_OK);
    assert_true(r.out_len > 0);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_env_sets_values),
        cmocka_unit_test(test_env_name_must_match_exactly),
        cmocka_unit_test(test_flag_beats_env),
        cmocka_unit_test(test_flag_forms),
        cmocka_unit_test(test_later_flag_wins_and_port_zero),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_clients_syntax_accepted),
        cmocka_unit_test(test_empty_clients_is_not_configured_mode),
        cmocka_unit_test(test_retry_schedule_bounds),
        cmocka_unit_test(test_bad_env_value),
        cmocka_unit_test(test_unknown_flags_and_missing_value),
        cmocka_unit_test(test_help_and_version),
    };
    return cmocka_run_group_tests_name("config_load", tests, NULL, NULL);
}
