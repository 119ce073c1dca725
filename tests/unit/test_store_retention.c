/* Unit tests of the store's kept totals and of pruning (sql/009, src/store/prune.c) on a
 * throw-away database: every list's total equals the rows it pages through after jobs, attempts,
 * resends, a reset and pruning; a pruning batch takes finished jobs with their logs, records and
 * orphaned events, never a pending one, within its budget; expired tokens go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attempt.h"
#include "db.h"
#include "db_internal.h"
#include "integration.h"
#include "store_fixture.h"
#include "timestamp.h"

typedef struct fixture {
    store_fixture base; /* first: the store's own fields */
    integration a, b;   /* both observe order.paid */
} fixture;

static void make(integration *it, const char *observes, int64_t created_ms)
{
    memset(it, 0, sizeof *it);
    id_new(it->id);
    it->type = INTEGRATION_WEBHOOK;
    it->name = strdup("N");
    it->enabled = true;
    it->configuration = strdup("{\"url\":\"http://127.0.0.1:9/h\"}");
    it->observes = strdup(observes);
    it->created_at_ms = it->updated_at_ms = created_ms;
}

static db_status change(fixture *f, const integration *before, const integration *after)
{
    db_integration_change op;
    db_integration_change_init(&op);
    op.store_id = f->base.store_id;
    op.before = before;
    op.after = after;
    op.plan = integration_decide(before, after);
    op.event_payload = "{}";
    op.max_per_store = 100;
    return db_submit_wait(f->base.d, &op.write);
}

static db_status issue_token(fixture *f, const char *token, int64_t expires)
{
    return store_fixture_token(&f->base, token, expires);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !store_fixture_open(&f->base, "retention") || issue_token(f, "live-token", 4102444800) != DB_OK)
        return -1;
    make(&f->a, "[\"order.paid\"]", 1000);
    make(&f->b, "[\"order.paid\",\"order.fulfilled\"]", 2000);
    if (change(f, NULL, &f->a) != DB_OK || change(f, NULL, &f->b) != DB_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    bool removed = store_fixture_close(&f->base);
    integration_clear(&f->a);
    integration_clear(&f->b);
    free(f);
    return removed ? 0 : -1;
}

static void emit(fixture *f, const char *trigger)
{
    char event_id[UUID_STR_LEN];
    id_new(event_id);
    db_event_emit op;
    db_event_emit_init(&op);
    op.store_id = f->base.store_id;
    op.trigger = trigger;
    op.payload = "{}";
    op.event_id = event_id;
    assert_int_equal(db_submit_wait(f->base.d, &op.write), DB_OK);
}

/* Claims every job due and writes its outcome: `a`'s succeed; `b`'s fail, and are tried again in
 * an hour when b_retry (pending) or not at all (failed). The number of attempts written. */
static int work_all(fixture *f, bool b_retry)
{
    delivery_job jobs[2];
    attempt_result result = {0};
    job_outcome outcome = {0};
    int n = 0, k = 0;
    const job_outcome *done = NULL;
    int64_t next_due;
    while (db_job_next(f->base.d, done, now_ms() + 1000, &jobs[k], &next_due) == DB_OK) {
        if (done)
            delivery_job_clear(&jobs[1 - k]);
        bool is_a = strcmp(jobs[k].it.id, f->a.id) == 0;
        result = (attempt_result){.succeeded = is_a, .status_code = is_a ? 200 : 500, .processing_time = 0.001,
                                  .started_ms = now_ms(), .ended_ms = now_ms(), .transport = "webhook"};
        snprintf(result.error_detail, sizeof result.error_detail, "%s", is_a ? "" : "failed");
        outcome = (job_outcome){.job = &jobs[k], .result = &result,
                                .next_attempt_at = is_a || !b_retry ? -1 : now_ms() + 3600000};
        done = &outcome;
        k = 1 - k;
        n++;
    }
    if (done) /* written by the call that found no job left */
        delivery_job_clear(&jobs[1 - k]);
    return n;
}

static void count_row(const void *row, void *ctx)
{
    (void)row;
    (*(long *)ctx)++;
}
static void count_log(const job_log *log, void *ctx) { count_row(log, ctx); }
static void count_delivery(const delivery_record *d, void *ctx) { count_row(d, ctx); }

static char first_job[UUID_STR_LEN];
static void keep_job(const char *id, void *ctx)
{
    (*(long *)ctx)++;
    snprintf(first_job, sizeof first_job, "%s", id);
}

/* The total of each list equals the rows it pages through; returns the jobs of integration it. */
static long check_lists(fixture *f, const integration *it, long logs_store, long logs_it, long records)
{
    long seen = 0, total = -1;
    assert_int_equal(db_job_list(f->base.d, f->base.store_id, it->id, 1000, 0, keep_job, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    long jobs = seen;
    log_filter lf = {.store_id = f->base.store_id};
    seen = 0;
    assert_int_equal(db_log_list(f->base.d, &lf, 1000, 0, count_log, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    assert_int_equal(total, logs_store);
    lf.integration_id = it->id;
    seen = 0;
    assert_int_equal(db_log_list(f->base.d, &lf, 1000, 0, count_log, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    assert_int_equal(total, logs_it);
    if (jobs > 0) {
        lf.job_id = first_job;
        seen = 0;
        assert_int_equal(db_log_list(f->base.d, &lf, 1000, 0, count_log, &seen, &total), DB_OK);
        assert_int_equal(total, seen);
    }
    delivery_filter df = {.store_id = f->base.store_id, .succeeded = -1};
    seen = 0;
    assert_int_equal(db_delivery_list(f->base.d, &df, 1000, 0, count_delivery, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    assert_int_equal(total, records);
    df.integration_id = it->id;
    seen = 0;
    assert_int_equal(db_delivery_list(f->base.d, &df, 1000, 0, count_delivery, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    df.succeeded = 0; /* a filtered total is counted */
    seen = 0;
    assert_int_equal(db_delivery_list(f->base.d, &df, 1000, 0, count_delivery, &seen, &total), DB_OK);
    assert_int_equal(total, seen);
    return jobs;
}

static void test_totals_follow_attempts_and_pruning(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        emit(f, "order.paid");
    emit(f, "order.fulfilled"); /* b only */
    assert_int_equal(work_all(f, false), 7);
    assert_int_equal(check_lists(f, &f->a, 7, 3, 7), 3);
    assert_int_equal(check_lists(f, &f->b, 7, 4, 7), 4);

    /* a's next job succeeds; b's fails and is pending (tried again in an hour) */
    emit(f, "order.paid");
    assert_int_equal(work_all(f, true), 2);
    assert_int_equal(check_lists(f, &f->b, 9, 5, 9), 5);

    /* everything finished goes; a cutoff in the future stands for "long ago" */
    size_t rows = 0, all = 0;
    do {
        assert_int_equal(db_prune_batch(f->base.d, now_ms() + 60000, 0, 500, &rows), DB_OK);
        all += rows;
    } while (rows > 0);
    /* 8 jobs, their 8 logs and 8 records, the 4 events they alone had */
    assert_int_equal(all, 8 + 8 + 8 + 4);
    assert_int_equal(check_lists(f, &f->a, 1, 0, 1), 0); /* a's last job succeeded: gone too */
    assert_int_equal(check_lists(f, &f->b, 1, 1, 1), 1); /* b's pending job and its log stay */
}

static void test_a_batch_keeps_to_its_budget(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 10; i++)
        emit(f, "order.fulfilled"); /* b only */
    assert_int_equal(work_all(f, false), 10);
    size_t rows = 0;
    /* a job, its log, its record, its event: 4 rows; a budget of 9 takes two jobs */
    assert_int_equal(db_prune_batch(f->base.d, now_ms() + 60000, 0, 9, &rows), DB_OK);
    assert_int_equal(rows, 8);
    assert_int_equal(check_lists(f, &f->b, 8, 8, 8), 8);
    /* a cutoff before their last activity: nothing */
    assert_int_equal(db_prune_batch(f->base.d, now_ms() - 60000, 0, 500, &rows), DB_OK);
    assert_int_equal(rows, 0);
}

static void test_a_reset_empties_the_totals(void **state)
{
    fixture *f = *state;
    emit(f, "order.paid");
    assert_int_equal(work_all(f, false), 2);
    db_store_reset op;
    db_store_reset_init(&op);
    op.store_id = f->base.store_id;
    op.max_per_store = 100;
    assert_int_equal(db_submit_wait(f->base.d, &op.write), DB_OK);
    assert_int_equal(check_lists(f, &f->a, 0, 0, 0), 0);
    /* the integrations are gone with the reset: new ones count from zero */
    integration_clear(&f->a);
    make(&f->a, "[\"order.paid\"]", 3000);
    assert_int_equal(change(f, NULL, &f->a), DB_OK);
    emit(f, "order.paid");
    assert_int_equal(work_all(f, false), 1);
    assert_int_equal(check_lists(f, &f->a, 1, 1, 1), 1);
}

static void test_expired_tokens_go(void **state)
{
    fixture *f = *state;
    assert_int_equal(issue_token(f, "old-token", 1000), DB_OK);
    size_t rows = 0;
    assert_int_equal(db_prune_batch(f->base.d, -1, 999, 500, &rows), DB_OK);
    assert_int_equal(rows, 0); /* not expired before 999 */
    assert_int_equal(db_prune_batch(f->base.d, -1, 2000, 500, &rows), DB_OK);
    assert_int_equal(rows, 1);
    token_row t;
    assert_int_equal(db_token_find(f->base.d, "old-token", &t), DB_NOT_FOUND);
    assert_int_equal(db_token_find(f->base.d, "live-token", &t), DB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_totals_follow_attempts_and_pruning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_batch_keeps_to_its_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reset_empties_the_totals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_tokens_go, setup, teardown),
    };
    return cmocka_run_group_tests_name("store_retention", tests, NULL, NULL);
}
