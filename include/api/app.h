/* What every API handler shares: configuration and storage. */
#ifndef INTEGRATIONSD_APP_H
#define INTEGRATIONSD_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "http.h"
#include "router.h"

typedef struct sinks sinks;
typedef struct app_seed app_seed;
typedef struct faults faults;

/* A client of configured mode (--clients). */
typedef struct client_credential {
    char *client_id;
    char secret_hash[65]; /* hex SHA-256 */
} client_credential;

typedef struct app {
    const config *cfg;
    db *db;
    char default_base_url[128];  /* http://bind:port, used when the request has no Host */
    char public_url[2100];       /* --public-url without trailing '/'; "" when not set */
    client_credential *clients;  /* configured mode; NULL = open mode */
    size_t client_count;
    struct page_cache *pages;    /* integrations list pages kept in memory */
    struct sinks *sinks;         /* the emulator's built-in receivers */
    struct faults *faults;       /* the emulator's fault rules, per store */
    app_seed *seed;              /* --seed, kept for resets; NULL without one */
} app;

/* What the handlers keep in memory between requests (src/api/common.c). false when out of memory. */
bool api_open(app *a);
void api_close(app *a);

/* Applies the --seed file (src/api/state.c): what is missing is created, what exists is left.
 * false after printing, for each problem, the file, the JSON path and the reason; nothing of it
 * is then applied. */
bool api_seed_load(app *a, const char *path);
void api_seed_free(app *a);

/* Parses cfg->clients into a->clients and registers them in the database (src/api/auth.c).
 * Returns false after printing why. */
bool auth_configure_clients(app *a);
/* In configured mode, the tokens of every client that is not configured (issued in open mode, or
 * to a client since removed from --clients) stop working: false after printing why. Called once
 * the configured clients and the seed's are known. */
bool auth_revoke_unconfigured(app *a);
void auth_free_clients(app *a);

/* The route table of the whole API (src/api/routes.c). */
extern const route api_routes[];
extern const size_t api_route_count;
/* The emulator's intercept of the real routes: Prefer: code, delay, and the stores' fault rules
 * (src/api/faults.c). */
http_intercept api_intercept;

/* The emulator's routes, the last rows of the table. */
extern const size_t api_emulator_route_count;

#endif
