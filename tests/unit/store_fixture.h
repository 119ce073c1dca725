/* A throw-away database with one store, for the store's unit tests (test_store.c,
 * test_store_retention.c): store_fixture_open makes it in a fresh folder under /tmp and issues the
 * store's client a token that never expires; store_fixture_close removes it all. */
#ifndef INTEGRATIONSD_STORE_FIXTURE_H
#define INTEGRATIONSD_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define STORE_FIXTURE_CLIENT "unit-client"

typedef struct store_fixture {
    char dir[64];
    char path[96];
    db *d;
    char store_id[UUID_STR_LEN];
} store_fixture;

/* Issues `token` to the fixture's client (its store is made with the first token). */
static inline db_status store_fixture_token(store_fixture *f, const char *token, int64_t expires)
{
    db_token_issue op;
    db_token_issue_init(&op);
    op.client_id = STORE_FIXTURE_CLIENT;
    op.secret_hash = "aa";
    op.token = token;
    op.grant = GRANT_CLIENT_CREDENTIALS;
    op.expires = expires;
    return db_submit_wait(f->d, &op.write);
}

/* false when the folder, the database or the store cannot be made. */
static inline bool store_fixture_open(store_fixture *f, const char *name)
{
    /* mkdtemp replaces the six X of the pattern with a unique name */
    snprintf(f->dir, sizeof f->dir, "/tmp/integrationsd-%s-%s", name, "XX" "XX" "XX");
    if (!mkdtemp(f->dir))
        return false;
    snprintf(f->path, sizeof f->path, "%s/db.sqlite", f->dir);
    f->d = db_open(f->path);
    client_row row;
    if (!f->d || store_fixture_token(f, "unit-token", 4102444800) != DB_OK ||
        db_client_find(f->d, STORE_FIXTURE_CLIENT, &row) != DB_OK)
        return false;
    memcpy(f->store_id, row.store_id, sizeof f->store_id);
    return true;
}

/* false when the folder could not be removed. */
static inline bool store_fixture_close(store_fixture *f)
{
    db_close(f->d);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    return system(cmd) == 0;
}

#endif
