/* Unit tests of the store (include/store/db.h) on a throw-away database: the plan of a change carried
 * out, the observers index, optimistic versions, the per-store count and limit, tokens, group
 * commit keeping a failing write to itself; and EXPLAIN QUERY PLAN of every statement of the
 * program: none reads a whole table, sorts, or scans a whole index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "db_internal.h"
#include "store_fixture.h"
#include "integration.h"
#include "timestamp.h"

#define STORE_CLIENT STORE_FIXTURE_CLIENT

typedef store_fixture fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !store_fixture_open(f, "store"))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    bool removed = store_fixture_close(f);
    free(f);
    return removed ? 0 : -1;
}

/* A valid integration (id and times set) observing `events` (a JSON array text). */
static void make(integration *it, bool enabled, const char *events, int64_t created_ms)
{
    memset(it, 0, sizeof *it);
    id_new(it->id);
    it->type = INTEGRATION_WEBHOOK;
    it->name = strdup("N");
    it->enabled = enabled;
    it->configuration = strdup("{\"url\":\"http://127.0.0.1:9/h\"}");
    it->observes = strdup(events);
    it->created_at_ms = it->updated_at_ms = created_ms;
}

/* Carries out integration_decide(before, after): the status and the jobs it created. */
static db_status change(fixture *f, const integration *before, const integration *after, long max, size_t *jobs)
{
    db_integration_change op;
    db_integration_change_init(&op);
    op.store_id = f->store_id;
    op.before = before;
    op.after = after;
    op.plan = integration_decide(before, after);
    op.event_payload = "{}";
    op.max_per_store = max;
    db_status st = db_submit_wait(f->d, &op.write);
    if (jobs)
        *jobs = op.write.jobs_created;
    return st;
}

/* Emits trigger in the fixture's store: the number of jobs it made. */
static size_t emit(fixture *f, const char *trigger)
{
    char event_id[UUID_STR_LEN];
    id_new(event_id);
    db_event_emit op;
    db_event_emit_init(&op);
    op.store_id = f->store_id;
    op.trigger = trigger;
    op.payload = "{}";
    op.event_id = event_id;
    assert_int_equal(db_submit_wait(f->d, &op.write), DB_OK);
    return op.write.jobs_created;
}

static void count_item(const integration *it, void *ctx)
{
    (void)it;
    (*(size_t *)ctx)++;
}

static void test_create_get_list_and_the_kept_count(void **state)
{
    fixture *f = *state;
    integration a, b, got = {0};
    make(&a, true, "[\"order.paid\"]", 1000);
    make(&b, false, "[\"order.paid\"]", 2000);
    assert_int_equal(change(f, NULL, &a, 100, NULL), DB_OK);
    assert_int_equal(change(f, NULL, &b, 100, NULL), DB_OK);
    assert_int_equal(db_integration_get(f->d, f->store_id, a.id, &got), DB_OK);
    assert_string_equal(got.name, "N");
    assert_string_equal(got.observes, "[\"order.paid\"]");
    integration_clear(&got);
    assert_int_equal(db_integration_get(f->d, "00000000-0000-4000-8000-000000000000", a.id, &got), DB_NOT_FOUND);

    size_t seen = 0;
    long total = 0;
    assert_int_equal(db_integration_list(f->d, f->store_id, 25, 0, count_item, &seen, &total), DB_OK);
    assert_int_equal(seen, 2);
    assert_int_equal(total, 2);
    seen = 0; /* a page past the end still knows the total */
    assert_int_equal(db_integration_list(f->d, f->store_id, 25, 10, count_item, &seen, &total), DB_OK);
    assert_int_equal(seen, 0);
    assert_int_equal(total, 2);

    assert_int_equal(change(f, &a, NULL, 0, NULL), DB_OK); /* delete: the count follows */
    assert_int_equal(db_integration_list(f->d, f->store_id, 25, 0, count_item, &seen, &total), DB_OK);
    assert_int_equal(total, 1);
    integration_clear(&a);
    integration_clear(&b);
}

static void test_the_limit_is_the_kept_count(void **state)
{
    fixture *f = *state;
    integration it[3];
    for (int i = 0; i < 3; i++)
        make(&it[i], false, "[\"order.paid\"]", 1000 + i);
    assert_int_equal(change(f, NULL, &it[0], 2, NULL), DB_OK);
    assert_int_equal(change(f, NULL, &it[1], 2, NULL), DB_OK);
    assert_int_equal(change(f, NULL, &it[2], 2, NULL), DB_LIMIT);
    integration got = {0};
    assert_int_equal(db_integration_get(f->d, f->store_id, it[2].id, &got), DB_NOT_FOUND); /* nothing written */
    assert_int_equal(change(f, &it[0], NULL, 0, NULL), DB_OK);
    assert_int_equal(change(f, NULL, &it[2], 2, NULL), DB_OK); /* room again */
    for (int i = 0; i < 3; i++)
        integration_clear(&it[i]);
}

/* The observers index follows every change: jobs go to enabled observers only, a new one sees
 * its own creation, a deleted one not its deletion. */
static void test_observers_follow_every_change(void **state)
{
    fixture *f = *state;
    integration a, a2, a3;
    size_t jobs = 0;
    make(&a, true, "[\"order.paid\",\"integration.created\",\"integration.deleted\"]", 1000);
    assert_int_equal(change(f, NULL, &a, 100, &jobs), DB_OK);
    assert_int_equal(jobs, 1); /* its own creation */
    assert_int_equal(emit(f, "order.paid"), 1);
    assert_int_equal(emit(f, "order.fulfilled"), 0);

    make(&a2, false, a.observes, 0); /* disabled */
    memcpy(a2.id, a.id, sizeof a2.id);
    a2.created_at_ms = a.created_at_ms;
    a2.updated_at_ms = a.updated_at_ms + 1;
    assert_int_equal(change(f, &a, &a2, 100, NULL), DB_OK);
    assert_int_equal(emit(f, "order.paid"), 0);

    make(&a3, true, "[\"order.fulfilled\",\"integration.deleted\"]", 0); /* enabled, other events */
    memcpy(a3.id, a.id, sizeof a3.id);
    a3.created_at_ms = a.created_at_ms;
    a3.updated_at_ms = a2.updated_at_ms + 1;
    assert_int_equal(change(f, &a2, &a3, 100, NULL), DB_OK);
    assert_int_equal(emit(f, "order.paid"), 0);
    assert_int_equal(emit(f, "order.fulfilled"), 1);

    assert_int_equal(change(f, &a3, NULL, 0, &jobs), DB_OK);
    assert_int_equal(jobs, 0); /* not its own deletion */
    assert_int_equal(emit(f, "order.fulfilled"), 0);
    integration_clear(&a);
    integration_clear(&a2);
    integration_clear(&a3);
}

/* A change based on a version that is no longer the stored one is refused: read again. */
static void test_stale_versions_conflict(void **state)
{
    fixture *f = *state;
    integration a, newer, stale;
    make(&a, true, "[\"order.paid\"]", 1000);
    assert_int_equal(change(f, NULL, &a, 100, NULL), DB_OK);
    make(&newer, true, "[\"order.paid\"]", 1000);
    memcpy(newer.id, a.id, sizeof newer.id);
    newer.updated_at_ms = 2000;
    assert_int_equal(change(f, &a, &newer, 100, NULL), DB_OK);
    make(&stale, false, "[\"order.paid\"]", 1000);
    memcpy(stale.id, a.id, sizeof stale.id);
    stale.updated_at_ms = 3000;
    assert_int_equal(change(f, &a, &stale, 100, NULL), DB_CONFLICT); /* `a` is gone by now */
    assert_int_equal(change(f, &a, NULL, 0, NULL), DB_CONFLICT);
    assert_int_equal(emit(f, "order.paid"), 1); /* the refused changes changed nothing */
    assert_int_equal(change(f, &newer, NULL, 0, NULL), DB_OK);
    assert_int_equal(change(f, &newer, NULL, 0, NULL), DB_NOT_FOUND);
    integration_clear(&a);
    integration_clear(&newer);
    integration_clear(&stale);
}

static void test_a_client_secret_is_kept_once_taken(void **state)
{
    fixture *f = *state;
    db_token_issue op;
    db_token_issue_init(&op);
    op.client_id = STORE_CLIENT;
    op.secret_hash = "bb"; /* not the fixture client's "aa" */
    op.token = "other-token";
    op.grant = GRANT_CLIENT_CREDENTIALS;
    op.expires = 4102444800;
    assert_int_equal(db_submit_wait(f->d, &op.write), DB_CONFLICT);
    token_row row;
    assert_int_equal(db_token_find(f->d, "other-token", &row), DB_NOT_FOUND);
    assert_int_equal(db_token_find(f->d, "unit-token", &row), DB_OK);
    assert_string_equal(row.store_id, f->store_id);
    assert_int_equal(db_token_find(f->d, "unit-token", &row), DB_OK); /* and again, from memory */
    assert_string_equal(row.store_id, f->store_id);
}

/* ---- group commit: a write that fails does not take the others of its batch with it -------- */

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool open;
    int done;
} gate;

static gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};

/* The first write's answer holds the committer until the next writes are queued, so that they
 * share one batch. */
static void hold_committer(db_write *w)
{
    (void)w;
    pthread_mutex_lock(&g.mu);
    while (!g.open)
        pthread_cond_wait(&g.cv, &g.mu);
    g.done++;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
}

static void count_done(db_write *w)
{
    (void)w;
    pthread_mutex_lock(&g.mu);
    g.done++;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
}

static void test_a_failing_write_fails_alone(void **state)
{
    fixture *f = *state;
    integration first, dup, other;
    make(&first, false, "[\"order.paid\"]", 1000);
    make(&dup, false, "[\"order.paid\"]", 1000);
    memcpy(dup.id, first.id, sizeof dup.id); /* same key as `first`: its insert fails */
    make(&other, false, "[\"order.paid\"]", 2000);
    db_integration_change ops[3];
    const integration *afters[3] = {&first, &dup, &other};
    for (int i = 0; i < 3; i++) {
        db_integration_change_init(&ops[i]);
        ops[i].store_id = f->store_id;
        ops[i].after = afters[i];
        ops[i].plan = integration_decide(NULL, afters[i]);
        ops[i].event_payload = "{}";
        ops[i].max_per_store = 100;
        ops[i].write.done = i == 0 ? hold_committer : count_done;
    }
    db_submit(f->d, &ops[0].write);
    usleep(50 * 1000); /* the committer takes the first alone and waits in its answer */
    db_submit(f->d, &ops[1].write);
    db_submit(f->d, &ops[2].write);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    while (g.done < 3)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);
    assert_int_equal(ops[0].write.status, DB_OK);
    assert_int_equal(ops[1].write.status, DB_ERROR);
    assert_int_equal(ops[2].write.status, DB_OK);
    integration got = {0};
    assert_int_equal(db_integration_get(f->d, f->store_id, other.id, &got), DB_OK);
    integration_clear(&got);
    long total = 0;
    size_t seen = 0;
    assert_int_equal(db_integration_list(f->d, f->store_id, 25, 0, count_item, &seen, &total), DB_OK);
    assert_int_equal(total, 2); /* the failed create did not take a place */
    integration_clear(&first);
    integration_clear(&dup);
    integration_clear(&other);
}

/* ---- every statement finds its rows through an index ------------------------------------------ */

/* The partial indexes of the schema: a scan of one reads only the rows its WHERE admits. */
static bool index_is_partial(sqlite3 *conn, const char *detail)
{
    const char *at = strstr(detail, "INDEX ");
    if (!at)
        return false;
    char name[128];
    if (sscanf(at + 6, "%127[A-Za-z0-9_]", name) != 1)
        return false;
    sqlite3_stmt *st;
    bool partial = false;
    if (sqlite3_prepare_v2(conn, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *sql = (const char *)sqlite3_column_text(st, 0);
            partial = sql && strstr(sql, " WHERE ");
        }
        sqlite3_finalize(st);
    }
    return partial;
}

/* A plan line that costs more as the data grows: a full scan of a table or of a whole index
 * (a partial index is bounded by its condition), or a sort in a temporary tree. */
static bool grows_with_data(sqlite3 *conn, const char *detail)
{
    if (strstr(detail, "TEMP B-TREE"))
        return true;
    /* "SCAN CONSTANT ROW", "SCAN 2 CONSTANT ROWS": a VALUES list, not data */
    if (strncmp(detail, "SCAN ", 5) != 0 || strstr(detail, "CONSTANT ROW"))
        return false;
    return !index_is_partial(conn, detail);
}

static void test_no_statement_scans_or_sorts(void **state)
{
    fixture *f = *state;
    sqlite3 *conn;
    assert_int_equal(sqlite3_open_v2(f->path, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    size_t count = (size_t)(__stop_db_queries - __start_db_queries), bad = 0;
    assert_true(count >= 40); /* every store file's statements are linked in */
    for (const db_query *q = __start_db_queries; q < __stop_db_queries; q++) {
        if (q->once_at_start)
            continue;
        char *eqp = NULL;
        assert_true(asprintf(&eqp, "EXPLAIN QUERY PLAN %s", q->sql) > 0);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(conn, eqp, -1, &st, NULL) != SQLITE_OK) {
            print_error("cannot plan: %s (%s)\n", q->sql, sqlite3_errmsg(conn));
            bad++;
        } else {
            while (sqlite3_step(st) == SQLITE_ROW) {
                const char *detail = (const char *)sqlite3_column_text(st, 3);
                if (detail && grows_with_data(conn, detail)) {
                    print_error("%s\n    plan: %s\n", q->sql, detail);
                    bad++;
                }
            }
            sqlite3_finalize(st);
        }
        free(eqp);
    }
    sqlite3_close(conn);
    assert_int_equal(bad, 0);
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Writes `count` integrations of about 8 KiB each, one transaction each. */
static void write_big(fixture *f, int count)
{
    static char configuration[8192];
    int n = snprintf(configuration, sizeof configuration, "{\"url\":\"http://127.0.0.1:9/");
    memset(configuration + n, 'p', sizeof configuration - n - 3);
    memcpy(configuration + sizeof configuration - 3, "\"}", 3);
    for (int i = 0; i < count; i++) {
        integration it;
        make(&it, false, "[\"order.paid\"]", 1000 + i);
        free(it.configuration);
        it.configuration = strdup(configuration);
        assert_int_equal(change(f, NULL, &it, 1000000, NULL), DB_OK);
        integration_clear(&it);
    }
}

/* The WAL is copied into the database file by the checkpoint thread, off the commit path (the
 * committer only finishes the last frames), and then written over from its start, not grown. */
static void test_the_wal_is_copied_in_the_background_and_reused(void **state)
{
    fixture *f = *state;
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    write_big(f, 2400); /* about 20 MiB of frames: past the checkpoint mark */
    assert_true(file_size(wal) > 16 * 1024 * 1024);
    /* the thread was woken by the mark: wait for it to be done (an event, not a duration) */
    bool copying = true;
    unsigned long frames = 0;
    for (int waited_ms = 0; (copying || frames == 0) && waited_ms < 60000; waited_ms += 10) {
        usleep(10000);
        frames = db_checkpoint_frames(f->d, &copying);
    }
    assert_false(copying);
    assert_true(frames >= 1000);
    write_big(f, 2); /* the first finishes the checkpoint, the next starts the WAL over */
    off_t before = file_size(wal);
    write_big(f, 20); /* frames written over old ones: the file does not grow */
    assert_int_equal(file_size(wal), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_get_list_and_the_kept_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_limit_is_the_kept_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observers_follow_every_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_versions_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_client_secret_is_kept_once_taken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_write_fails_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_statement_scans_or_sorts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_wal_is_copied_in_the_background_and_reused, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
