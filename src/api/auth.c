/* POST /oauth/access_token and bearer checks (spec §2). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "errors.h"
#include "validation.h"
#include "form.h"
#include "openssl_lib.h"

#define TOKEN_MAX_LEN 256

/* Secrets are kept as hex SHA-256, never in clear. false when OpenSSL cannot be loaded. */
bool api_secret_hash(const char *secret, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    const openssl_fns *o = openssl();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!o || !o->EVP_Digest(secret, strlen(secret), md, &md_len, o->EVP_sha256(), NULL) || md_len != 32)
        return false;
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return true;
}

/* In constant time. Only called once a secret was hashed: OpenSSL is loaded. */
static bool hashes_equal(const char *a, const char *b)
{
    return openssl()->CRYPTO_memcmp(a, b, 64) == 0;
}

bool auth_configure_clients(app *a)
{
    const char *spec = a->cfg->clients;
    if (!spec)
        return true;
    size_t n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    a->clients = calloc(n, sizeof *a->clients);
    char *copy = strdup(spec);
    bool ok = a->clients && copy;
    char *save = NULL;
    for (char *pair = ok ? strtok_r(copy, ",", &save) : NULL; ok && pair; pair = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(pair, ':');
        if (!colon) { /* config_load has checked the syntax; this is defence only */
            ok = false;
            break;
        }
        *colon = '\0';
        client_credential *c = &a->clients[a->client_count++];
        c->client_id = strdup(pair);
        ok = c->client_id && api_secret_hash(colon + 1, c->secret_hash) &&
             db_client_configure(a->db, c->client_id, c->secret_hash) == DB_OK;
    }
    free(copy);
    if (!ok)
        fprintf(stderr, "integrationsd: cannot register the configured clients\n");
    return ok;
}

static const client_credential *configured_client(const app *a, const char *client_id);

bool api_add_configured_client(app *a, const char *client_id, const char *secret_hash)
{
    if (configured_client(a, client_id))
        return true;
    client_credential *grown = realloc(a->clients, (a->client_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    a->clients = grown;
    client_credential *c = &a->clients[a->client_count];
    c->client_id = strdup(client_id);
    snprintf(c->secret_hash, sizeof c->secret_hash, "%s", secret_hash);
    a->client_count += c->client_id != NULL;
    return c->client_id != NULL;
}

bool auth_revoke_unconfigured(app *a)
{
    if (!a->clients)
        return true;
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < a->client_count; i++)
        json_array_append_new(ids, json_string(a->clients[i].client_id));
    char *text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
    bool ok = text && db_tokens_revoke_others(a->db, text) == DB_OK;
    if (!ok)
        fprintf(stderr, "integrationsd: cannot revoke the tokens of clients no longer configured\n");
    free(text);
    json_decref(ids);
    return ok;
}

void auth_free_clients(app *a)
{
    for (size_t i = 0; i < a->client_count; i++)
        free(a->clients[i].client_id);
    free(a->clients);
    a->clients = NULL;
    a->client_count = 0;
}

static const client_credential *configured_client(const app *a, const char *client_id)
{
    for (size_t i = 0; i < a->client_count; i++)
        if (strcmp(a->clients[i].client_id, client_id) == 0)
            return &a->clients[i];
    return NULL;
}

/* The token request as an object of strings, from a form or a JSON body. */
static json_t *token_request(const http_request *req, http_response *res)
{
    const char *p = req->body ? req->body : "";
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '{')
        return api_parse_json(req, res);
    json_t *form = form_parse(req->body ? req->body : "", req->body_len);
    if (!form)
        http_error(res, ERR_BAD_FORM, NULL);
    return form;
}

static const char *field(const json_t *request, const char *key)
{
    const char *v = json_string_value(json_object_get(request, key));
    return v && v[0] ? v : NULL;
}

static void unauthorized(http_response *res, const char *detail)
{
    http_error(res, ERR_UNAUTHORIZED, detail);
}

/* A token on its way to the store, and its answer. */
typedef struct pending_token {
    db_token_issue op;
    char secret_hash[65];
    char token[TOKEN_STR_LEN];
    json_t *answer;   /* the 200 body, sent once the token is stored */
    long max_stores;  /* for the answer of DB_LIMIT */
    char client_id[]; /* in the same allocation */
} pending_token;

static void pending_token_free(void *ctx)
{
    pending_token *p = ctx;
    if (p)
        json_decref(p->answer);
    free(p);
}

static void token_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_token *p = ctx;
    switch (p->op.write.status) {
    case DB_OK:
        http_json(res, 200, json_incref(p->answer));
        break;
    case DB_CONFLICT: /* the client's secret is another one (set by a request just before) */
        unauthorized(res, "The client credentials are invalid.");
        break;
    case DB_LIMIT: {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "The server holds its limit of %ld stores (--max-stores): a new client_id gets no token.",
                 p->max_stores);
        unauthorized(res, detail);
        break;
    }
    default:
        api_storage_error(res);
    }
    pending_token_free(p);
}

/* Checks what can be checked before writing: a configured client's secret (configured mode), or
 * the secret of a client that has one (open mode). false with the refusal in res. */
static bool admit_client(app *a, const char *client_id, const char *hash, grant_type grant, http_response *res)
{
    if (a->clients) {
        const client_credential *c = configured_client(a, client_id);
        if (!c || (grant == GRANT_CLIENT_CREDENTIALS && !hashes_equal(c->secret_hash, hash))) {
            unauthorized(res, "The client credentials are invalid.");
            return false;
        }
        return true;
    }
    client_row row;
    switch (db_client_find(a->db, client_id, &row)) {
    case DB_OK:
        if (grant == GRANT_CLIENT_CREDENTIALS && row.has_secret && !hashes_equal(row.secret_hash, hash)) {
            unauthorized(res, "The client credentials are invalid.");
            return false;
        }
        return true;
    case DB_NOT_FOUND: /* open mode: its first request creates it */
        return true;
    default:
        api_storage_error(res);
        return false;
    }
}

/* false with the refusal in res when value is longer than max_chars. */
static bool within_credential_max(const char *key, const char *value, long max_chars, http_response *res)
{
    if (!value || strlen(value) <= (size_t)max_chars || validation_char_count(value) <= (size_t)max_chars)
        return true;
    char detail[128];
    snprintf(detail, sizeof detail, "%s is longer than %ld characters (--max-credential-length).", key, max_chars);
    unauthorized(res, detail);
    return false;
}

/* Reads the grant of the request; false with the refusal in res. */
static bool read_grant(const json_t *request, long max_chars, http_response *res, grant_type *grant,
                       const char **client_id, const char **secret)
{
    const char *grant_name = field(request, "grant_type");
    *client_id = field(request, "client_id");
    *secret = field(request, "client_secret");
    if (!grant_name) {
        unauthorized(res, "grant_type is required.");
        return false;
    }
    if (strcmp(grant_name, "client_credentials") != 0 && strcmp(grant_name, "implicit") != 0) {
        unauthorized(res, "grant_type must be client_credentials or implicit.");
        return false;
    }
    if (!*client_id) {
        unauthorized(res, "client_id is required.");
        return false;
    }
    if (!within_credential_max("client_id", *client_id, max_chars, res) ||
        !within_credential_max("client_secret", *secret, max_chars, res))
        return false;
    *grant = strcmp(grant_name, "implicit") == 0 ? GRANT_IMPLICIT : GRANT_CLIENT_CREDENTIALS;
    if (*grant == GRANT_CLIENT_CREDENTIALS && !*secret) {
        unauthorized(res, "client_secret is required for the client_credentials grant.");
        return false;
    }
    return true;
}

void api_token(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    json_t *request = token_request(req, res);
    pending_token *p = NULL;
    grant_type grant;
    const char *client_id, *secret;
    if (!request || !read_grant(request, a->cfg->max_credential_length, res, &grant, &client_id, &secret))
        goto out;
    size_t client_id_size = strlen(client_id) + 1;
    if (!(p = calloc(1, sizeof *p + client_id_size))) {
        api_build_error(res);
        goto out;
    }
    memcpy(p->client_id, client_id, client_id_size);
    if (secret && !api_secret_hash(secret, p->secret_hash)) {
        http_error(res, ERR_NO_OPENSSL, NULL);
        goto out;
    }
    if (!admit_client(a, client_id, p->secret_hash, grant, res))
        goto out;
    if (!token_new(p->token)) {
        http_error(res, ERR_NO_RANDOMNESS, NULL);
        goto out;
    }
    int64_t expires = (int64_t)time(NULL) + a->cfg->token_ttl;
    p->answer = json_pack("{s:I, s:s, s:I, s:s, s:s}", "expires", (json_int_t)expires, "identifier",
                          grant == GRANT_IMPLICIT ? "implicit" : "client_credentials", "expires_in",
                          (json_int_t)a->cfg->token_ttl, "access_token", p->token, "token_type", "Bearer");
    if (!p->answer) {
        api_build_error(res);
        goto out;
    }
    db_token_issue_init(&p->op);
    p->op.client_id = p->client_id;
    /* an implicit grant presents no secret; a client_credentials one proves this one */
    p->op.secret_hash = grant == GRANT_CLIENT_CREDENTIALS ? p->secret_hash : NULL;
    p->op.token = p->token;
    p->op.grant = grant;
    p->op.expires = expires;
    p->op.max_stores = a->clients ? 0 : a->cfg->max_stores; /* configured clients exist already */
    p->max_stores = p->op.max_stores;
    api_submit(a, req, res, &p->op.write, token_answer, pending_token_free, p);
    p = NULL; /* the answer owns it now */
out:
    pending_token_free(p);
    json_decref(request);
}

/* The token of "Authorization: Bearer <t>" (any case, optional colon) or "Bearer: <t>". */
static const char *bearer_token(const http_request *req)
{
    const char *h = http_header(req, "Authorization");
    if (h) {
        while (*h == ' ' || *h == '\t')
            h++;
        if (strncasecmp(h, "bearer", 6) != 0)
            return NULL;
        h += 6;
        if (*h == ':')
            h++;
        if (*h != ' ' && *h != '\t')
            return NULL;
        while (*h == ' ' || *h == '\t')
            h++;
        return *h ? h : NULL;
    }
    h = http_header(req, "Bearer");
    return h && *h ? h : NULL;
}

bool api_store_of_token(app *a, const http_request *req, char store_id[UUID_STR_LEN])
{
    const char *token = bearer_token(req);
    token_row row;
    if (!token || strlen(token) > TOKEN_MAX_LEN || db_token_find(a->db, token, &row) != DB_OK ||
        row.expires <= (int64_t)time(NULL))
        return false;
    memcpy(store_id, row.store_id, UUID_STR_LEN);
    return true;
}

static void invalid_token(http_response *res, const char *detail)
{
    http_error(res, ERR_INVALID_TOKEN, detail);
}

/* The store of the request's valid token; false with the answer in res. An implicit token is
 * refused unless implicit_ok. */
static bool token_store(app *a, const http_request *req, http_response *res, bool implicit_ok,
                        char store_id[UUID_STR_LEN])
{
    const char *token = bearer_token(req);
    token_row row;
    if (!token) {
        invalid_token(res, "An access token is required: send Authorization: Bearer <token>.");
        return false;
    }
    if (strlen(token) > TOKEN_MAX_LEN) {
        invalid_token(res, "The access token is not valid.");
        return false;
    }
    switch (db_token_find(a->db, token, &row)) {
    case DB_OK:
        break;
    case DB_NOT_FOUND:
        invalid_token(res, "The access token is not valid.");
        return false;
    default:
        api_storage_error(res);
        return false;
    }
    if (row.expires <= (int64_t)time(NULL)) {
        invalid_token(res, "The access token has expired.");
        return false;
    }
    if (row.grant == GRANT_IMPLICIT && !implicit_ok) {
        http_error(res, ERR_IMPLICIT_TOKEN, NULL);
        return false;
    }
    memcpy(store_id, row.store_id, UUID_STR_LEN);
    http_note_store(req, store_id);
    return true;
}

bool api_authenticate(app *a, const http_request *req, http_response *res, char store_id[UUID_STR_LEN])
{
    return token_store(a, req, res, false, store_id);
}

bool api_any_token(app *a, const http_request *req, http_response *res)
{
    char store_id[UUID_STR_LEN];
    return token_store(a, req, res, true, store_id);
}
