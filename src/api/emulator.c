/* The emulator's routes (not part of the real API): POST /emulator/v1/events makes the store emit
 * any event; reset and flush act on the caller's store. Each acts on the caller's store only. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "errors.h"
#include "events.h"
#include "payload.h"
#include "validation.h"

/* Validates {"data":{"type":"event","trigger":…,"payload":…}}; errors in spec style. */
static bool read_event(const json_t *body, json_t *errors, const char **trigger, const json_t **payload)
{
    const json_t *data = require_data_object(body, errors);
    if (!data)
        return false;
    require_data_type(errors, data, "event");
    *trigger = require_string(errors, data, "trigger", "data.trigger");
    if (*trigger && (strlen(*trigger) >= EVENT_KEY_MAX || !event_key_is_observable(*trigger)))
        fail_enum(errors, "data.trigger", *trigger);

    *payload = json_object_get(data, "payload");
    if (*payload && !json_is_null(*payload) && !json_is_object(*payload))
        fail_type(errors, "data.payload", *payload, "object");
    if (*payload && json_is_null(*payload))
        *payload = NULL;
    return json_array_size(errors) == 0;
}

/* An event on its way to the store, and what its answer needs. */
typedef struct pending_event {
    db_event_emit op;
    char store_id[UUID_STR_LEN];
    char event_id[UUID_STR_LEN];
    char trigger[EVENT_KEY_MAX];
    char *payload;
} pending_event;

static void pending_event_free(void *ctx)
{
    pending_event *p = ctx;
    if (!p)
        return;
    json_decref(p->op.jobs);
    free(p->payload);
    free(p);
}

static void event_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_event *p = ctx;
    if (p->op.write.status == DB_OK)
        http_json(res, 202,
                  json_pack("{s:{s:s, s:s, s:s, s:O}}", "data", "type", "event", "id", p->event_id, "trigger",
                            p->trigger, "jobs", p->op.jobs));
    else
        api_storage_error(res);
    pending_event_free(p);
}

void api_emulator_event(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    json_t *body = NULL, *errors = json_array(), *sample = NULL;
    pending_event *p = calloc(1, sizeof *p);
    const char *trigger;
    const json_t *payload;
    if (!p || !errors) {
        api_build_error(res);
        goto out;
    }
    if (!api_authenticate(a, req, res, p->store_id) || !(body = api_parse_json(req, res)))
        goto out;
    if (!read_event(body, errors, &trigger, &payload)) {
        http_errors(res, json_incref(errors));
        goto out;
    }
    if (!payload) {
        char resource_id[UUID_STR_LEN];
        id_new(resource_id);
        payload = sample = sample_payload(trigger, resource_id);
    }
    id_new(p->event_id);
    strcpy(p->trigger, trigger); /* read_event checked its length */
    p->payload = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    db_event_emit_init(&p->op);
    p->op.jobs = json_array();
    if (!p->payload || !p->op.jobs) {
        api_build_error(res);
        goto out;
    }
    p->op.store_id = p->store_id;
    p->op.trigger = p->trigger;
    p->op.payload = p->payload;
    p->op.event_id = p->event_id;
    api_submit(a, req, res, &p->op.write, event_answer, pending_event_free, p);
    p = NULL; /* the answer owns it now */
out:
    pending_event_free(p);
    json_decref(sample);
    json_decref(errors);
    json_decref(body);
}

/* ---- reset and flush ------------------------------------------------------------------------ */

/* A control on its way to the store. */
typedef struct pending_control {
    union {
        db_write write;
        db_store_reset reset;
        db_jobs_flush flush;
        db_job_resend resend;
    } op;
    app *app;
    char store_id[UUID_STR_LEN];
    char job_id[UUID_STR_LEN]; /* a resend's */
} pending_control;

static void reset_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_control *p = ctx;
    if (p->op.write.status == DB_OK) {
        faults_clear(p->app->faults, p->store_id);
        http_no_content(res);
    }
    else
        api_storage_error(res);
    free(p);
}

static void flush_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_control *p = ctx;
    if (p->op.write.status == DB_OK)
        http_json(res, 202, json_pack("{s:{s:s, s:I}}", "data", "type", "flush", "jobs", (json_int_t)p->op.flush.jobs));
    else
        api_storage_error(res);
    free(p);
}

/* A control of the caller's store, authenticated; NULL with the answer in res. */
static pending_control *control_for(app *a, const http_request *req, http_response *res)
{
    pending_control *p = calloc(1, sizeof *p);
    if (!p)
        api_build_error(res);
    else if (!api_authenticate(a, req, res, p->store_id)) {
        free(p);
        return NULL;
    } else
        p->app = a;
    return p;
}

/* Hands the reset or the flush of the caller's store to the store. */
static void submit_control(app *a, const http_request *req, http_response *res, bool reset)
{
    pending_control *p = control_for(a, req, res);
    if (!p)
        return;
    if (reset) {
        db_store_reset_init(&p->op.reset);
        p->op.reset.store_id = p->store_id;
        p->op.reset.seed = api_seed_of_store(a, p->store_id); /* what the seed gives the store comes back */
        p->op.reset.max_per_store = a->cfg->max_integrations;
    } else {
        db_jobs_flush_init(&p->op.flush);
        p->op.flush.store_id = p->store_id;
    }
    api_submit(a, req, res, &p->op.write, reset ? reset_answer : flush_answer, free, p);
}

void api_emulator_reset(void *ctx, const http_request *req, http_response *res)
{
    submit_control(ctx, req, res, true);
}

void api_emulator_flush(void *ctx, const http_request *req, http_response *res)
{
    submit_control(ctx, req, res, false);
}

static void resend_answer(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    pending_control *p = ctx;
    if (p->op.write.status == DB_OK)
        http_json(res, 202, json_pack("{s:{s:s, s:s, s:i}}", "data", "type", "integration-job", "id",
                                      p->op.resend.job_id, "attempt", p->op.resend.attempt));
    else if (p->op.write.status == DB_NOT_FOUND)
        http_error(res, p->op.resend.integration_gone ? ERR_INTEGRATION_NOT_FOUND : ERR_JOB_NOT_FOUND, NULL);
    else
        api_storage_error(res);
    free(p);
}

void api_emulator_resend(void *ctx, const http_request *req, http_response *res)
{
    app *a = ctx;
    pending_control *p = control_for(a, req, res);
    if (!p)
        return;
    if (!api_param_id(req, 0, p->job_id)) {
        http_error(res, ERR_JOB_NOT_FOUND, NULL);
        free(p);
        return;
    }
    db_job_resend_init(&p->op.resend);
    p->op.resend.store_id = p->store_id;
    p->op.resend.job_id = p->job_id;
    api_submit(a, req, res, &p->op.write, resend_answer, free, p);
}
