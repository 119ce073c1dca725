/* Delivery logs and jobs (spec §4 rows 6-9, §7). */
#include <stdio.h>

#include "api.h"
#include "strbuf.h"

static void write_log(const job_log *log, void *ctx)
{
    list_page *items = ctx;
    page_list_separator(&items->out, &items->count);
    job_log_write(&items->out, log);
}

static void write_job(const char *job_id, void *ctx)
{
    list_page *items = ctx;
    page_list_separator(&items->out, &items->count);
    job_write(&items->out, job_id);
}

/* Answers one page of logs matching f; list_path is the path of the list, for links. */
static void respond_logs(app *a, const http_request *req, http_response *res, const log_filter *f,
                         const char *list_path)
{
    page p;
    if (!api_page(req, res, &p))
        return;
    char base[BASE_URL_MAX], url[BASE_URL_MAX + 160];
    api_base_url(a, req, base);
    snprintf(url, sizeof url, "%s%s", base, list_path);
    list_page items = {0};
    api_list_begin(&items, 0);
    long total = 0;
    db_status read = db_log_list(a->db, f, p.limit, p.offset, write_log, &items, &total);
    char *text;
    size_t len;
    if (api_list_end(&items, read, &p, total, url, res, &text, &len))
        http_json_text(res, 200, text);
}

/* Authenticates and checks that the integration of the path belongs to the store. */
static bool integration_of_path(app *a, const http_request *req, http_response *res, char store_id[UUID_STR_LEN],
                                char id[UUID_STR_LEN])
{
    if (!api_authenticate(a, req, res, store_id))
        return false;
    integration it = {0};
    db_status st = api_param_id(req, 0, id) ? db_integration_get(a->db, store_id, id, &it) : DB_NOT_FOUND;
    integration_clear(&it);
    if (st == DB_NOT_FOUND)
        http_error(res, ERR_INTEGRATION_NOT_FOUND, NULL);
    else if (st != DB_OK)
        api_storage_error(res);
    return st == DB_OK;
}

void api_store_logs(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN];
    if (!api_authenticate(a, req, res, store_id))
        return;
    log_filter f = {.store_id = store_id};
    respond_logs(a, req, res, &f, "/v2/integrations/logs");
}

void api_integration_logs(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], id[UUID_STR_LEN], path[96];
    if (!integration_of_path(a, req, res, store_id, id))
        return;
    log_filter f = {.store_id = store_id, .integration_id = id};
    snprintf(path, sizeof path, "/v2/integrations/%s/logs", id);
    respond_logs(a, req, res, &f, path);
}

void api_integration_jobs(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], id[UUID_STR_LEN], base[BASE_URL_MAX], url[BASE_URL_MAX + 96];
    page p;
    if (!integration_of_path(a, req, res, store_id, id) || !api_page(req, res, &p))
        return;
    api_base_url(a, req, base);
    snprintf(url, sizeof url, "%s/v2/integrations/%s/jobs", base, id);
    list_page items = {0};
    api_list_begin(&items, 0);
    long total = 0;
    db_status read = db_job_list(a->db, store_id, id, p.limit, p.offset, write_job, &items, &total);
    char *text;
    size_t len;
    if (api_list_end(&items, read, &p, total, url, res, &text, &len))
        http_json_text(res, 200, text);
}

void api_job_logs(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    char store_id[UUID_STR_LEN], id[UUID_STR_LEN], job_id[UUID_STR_LEN], path[160];
    if (!integration_of_path(a, req, res, store_id, id))
        return;
    db_status st = api_param_id(req, 1, job_id) ? db_job_exists(a->db, store_id, id, job_id) : DB_NOT_FOUND;
    if (st == DB_NOT_FOUND) {
        http_error(res, ERR_JOB_NOT_FOUND, NULL);
        return;
    }
    if (st != DB_OK) {
        api_storage_error(res);
        return;
    }
    log_filter f = {.store_id = store_id, .integration_id = id, .job_id = job_id};
    snprintf(path, sizeof path, "/v2/integrations/%s/jobs/%s/logs", id, job_id);
    respond_logs(a, req, res, &f, path);
}
