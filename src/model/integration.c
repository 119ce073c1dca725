/* The integration resource: validation (spec §4.1, §4.2), the plan of a change (§7), masking and
 * the one renderer of the resource (§3). Pure. */
#include "integration.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "errors.h"
#include "validation.h"
#include "events.h"
#include "strbuf.h"
#include "timestamp.h"

/* ---- configuration keys per integration type (spec §3 table, in its order) -------------- */

typedef enum { CFG_STRING, CFG_URL, CFG_STOMP_ADDRESSES } cfg_kind;

typedef struct cfg_key {
    const char *name;
    cfg_kind kind;
    bool required;
    bool masked; /* shown with all but the last 4 characters as '*' */
} cfg_key;

static const cfg_key webhook_keys[] = {
    {"url", CFG_URL, true, false},
    {"secret_key", CFG_STRING, false, false},
};
static const cfg_key sqs_keys[] = {
    {"url", CFG_URL, true, false},
    {"aws_access_key_id", CFG_STRING, true, true},
    {"aws_secret_access_key", CFG_STRING, true, true},
    {"region", CFG_STRING, true, false},
};
static const cfg_key stomp_keys[] = {
    {"addresses", CFG_STOMP_ADDRESSES, true, false},
    {"destination", CFG_STRING, true, false},
    {"username", CFG_STRING, false, false},
    {"password", CFG_STRING, false, true},
};

static const struct {
    const char *name;
    const cfg_key *keys;
    size_t key_count;
} types[INTEGRATION_TYPE_COUNT] = {
    [INTEGRATION_WEBHOOK] = {"webhook", webhook_keys, sizeof webhook_keys / sizeof webhook_keys[0]},
    [INTEGRATION_AWS_SQS] = {"aws_sqs", sqs_keys, sizeof sqs_keys / sizeof sqs_keys[0]},
    [INTEGRATION_STOMP] = {"stomp", stomp_keys, sizeof stomp_keys / sizeof stomp_keys[0]},
};

const char *integration_type_name(integration_type t)
{
    return types[t].name;
}

bool integration_type_parse(const char *s, integration_type *out)
{
    for (int t = 0; t < INTEGRATION_TYPE_COUNT; t++) {
        if (strcmp(s, types[t].name) == 0) {
            *out = (integration_type)t;
            return true;
        }
    }
    return false;
}

void integration_clear(integration *it)
{
    free(it->name);
    free(it->description);
    free(it->configuration);
    free(it->observes);
    memset(it, 0, sizeof *it);
}

bool integration_copy(integration *out, const integration *in)
{
    *out = *in;
    out->name = strdup(in->name);
    out->description = in->description ? strdup(in->description) : NULL;
    out->configuration = strdup(in->configuration);
    out->observes = strdup(in->observes);
    if (out->name && out->configuration && out->observes && (out->description || !in->description))
        return true;
    integration_clear(out);
    return false;
}

/* True when some key of the type is shown masked. */
static bool type_has_masked_keys(integration_type t)
{
    for (size_t k = 0; k < types[t].key_count; k++)
        if (types[t].keys[k].masked)
            return true;
    return false;
}

/* ---- field checks ------------------------------------------------------------------------- */

static size_t text_max = INTEGRATION_TEXT_MAX_DEFAULT;

void integration_set_text_max(size_t max_chars)
{
    text_max = max_chars;
}

/* false after reporting s longer than text_max: one list page of 100 integrations stays small */
static bool within_text_max(json_t *errors, const char *source, const char *s)
{
    size_t chars = strlen(s) <= text_max ? 0 : validation_char_count(s); /* bytes ≥ chars: most need no count */
    if (chars <= text_max)
        return true;
    fail_long_string(errors, source, chars, text_max, "--max-text-length");
    return false;
}

static bool has_control_character(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static const char *const stomp_address_format = "STOMP address (stomp://host[:port] or stomp+ssl://host[:port])";

static void check_stomp_addresses(json_t *errors, const json_t *v, const char *source, json_t *clean)
{
    if (!json_is_array(v)) {
        fail_type(errors, source, v, "array");
        return;
    }
    if (json_array_size(v) == 0) {
        fail_with(errors, source, "addresses must hold at least one broker address.", "Array is too short (0), minimum 1");
        return;
    }
    size_t i;
    json_t *item;
    bool ok = true;
    json_array_foreach(v, i, item) {
        stomp_address addr;
        if (!json_is_string(item)) {
            fail_type(errors, source, item, "string");
            ok = false;
        } else if (!stomp_address_parse(json_string_value(item), &addr)) {
            fail_format(errors, source, stomp_address_format);
            ok = false;
        }
    }
    if (ok)
        json_object_set(clean, "addresses", (json_t *)v);
}

/* Validates configuration against the keys of its type; keeps only those keys in *out. */
static void check_configuration(json_t *errors, const json_t *cfg, integration_type type, json_t **out)
{
    json_t *clean = json_object();
    for (size_t k = 0; k < types[type].key_count; k++) {
        const cfg_key *key = &types[type].keys[k];
        char source[96];
        snprintf(source, sizeof source, "data.configuration.%s", key->name);
        const json_t *v = json_object_get(cfg, key->name);
        if (!v || json_is_null(v)) {
            if (key->required)
                fail_missing(errors, source, key->name);
            continue;
        }
        if (key->kind == CFG_STOMP_ADDRESSES) {
            check_stomp_addresses(errors, v, source, clean);
            continue;
        }
        if (!json_is_string(v)) {
            fail_type(errors, source, v, "string");
            continue;
        }
        const char *s = json_string_value(v);
        if (key->kind == CFG_URL && !http_url_is_valid(s))
            fail_format(errors, source, "URL (http or https)");
        else if (key->required && s[0] == '\0')
            fail_short_string(errors, source);
        else if (has_control_character(s)) /* they end up in HTTP or STOMP headers */
            fail_format(errors, source, "text without control characters");
        else if (key->kind == CFG_URL || within_text_max(errors, source, s))
            json_object_set(clean, key->name, (json_t *)v);
    }
    *out = clean;
}

static void check_observes(json_t *errors, const json_t *v, json_t **out)
{
    const char *source = "data.observes";
    if (!v || json_is_null(v)) {
        fail_missing(errors, source, "observes");
        return;
    }
    if (!json_is_array(v)) {
        fail_type(errors, source, v, "array");
        return;
    }
    size_t n = json_array_size(v);
    if (n == 0) {
        fail_with(errors, source, "observes must name at least one event.", "Array is too short (0), minimum 1");
        return;
    }
    if (n > OBSERVES_MAX) {
        fail_with(errors, source, "An integration can observe at most 5 events.",
             "You have reached the integration event limit of %d", OBSERVES_MAX);
        return;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(v, i);
        char item_source[32];
        snprintf(item_source, sizeof item_source, "data.observes[%zu]", i);
        if (!json_is_string(item)) {
            fail_type(errors, item_source, item, "string");
            ok = false;
            continue;
        }
        const char *key = json_string_value(item);
        if (!event_key_is_observable(key)) {
            fail_enum(errors, item_source, key);
            ok = false;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (json_equal((json_t *)item, json_array_get(v, j))) {
                fail_with(errors, item_source, "Each event may appear only once in observes.", "Array items are not unique");
                ok = false;
                break;
            }
        }
    }
    if (ok)
        *out = json_copy((json_t *)v);
}

/* Validates the `data` object of a create (or of a merged update) in spec key order. */
static bool validate_data(const json_t *data, json_t *errors, integration *out)
{
    size_t errors_before = json_array_size(errors);
    integration it = {0};

    require_data_type(errors, data, "integration");

    const char *type_name = require_string(errors, data, "integration_type", "data.integration_type");
    bool type_known = false;
    if (type_name) {
        type_known = integration_type_parse(type_name, &it.type);
        if (!type_known)
            fail_enum(errors, "data.integration_type", type_name);
    }

    const char *name = require_string(errors, data, "name", "data.name");
    if (name && name[0] == '\0')
        fail_short_string(errors, "data.name");
    else if (name)
        within_text_max(errors, "data.name", name);

    const json_t *description = json_object_get(data, "description");
    if (description && !json_is_null(description) && !json_is_string(description))
        fail_type(errors, "data.description", description, "string");
    else if (json_is_string(description))
        within_text_max(errors, "data.description", json_string_value(description));

    const json_t *enabled = json_object_get(data, "enabled");
    if (enabled && !json_is_boolean(enabled))
        fail_type(errors, "data.enabled", enabled, "boolean");

    const json_t *cfg = json_object_get(data, "configuration");
    json_t *configuration = NULL;
    if (!cfg || json_is_null(cfg))
        fail_missing(errors, "data.configuration", "configuration");
    else if (!json_is_object(cfg))
        fail_type(errors, "data.configuration", cfg, "object");
    else if (type_known)
        check_configuration(errors, cfg, it.type, &configuration);

    json_t *observes = NULL;
    check_observes(errors, json_object_get(data, "observes"), &observes);

    bool valid = json_array_size(errors) == errors_before;
    if (valid) {
        /* stored and shown as jansson writes them: compact, keys in the order of the type's table */
        it.configuration = json_dumps(configuration, JSON_COMPACT);
        it.observes = json_dumps(observes, JSON_COMPACT);
        it.name = strdup(name);
        it.description = json_is_string(description) ? strdup(json_string_value(description)) : NULL;
        it.enabled = enabled && json_is_true(enabled);
        valid = it.configuration && it.observes && it.name && (it.description || !json_is_string(description));
        if (!valid) /* out of memory: not the client's fault, but nothing half-built comes out */
            errors_add(errors, ERR_OUT_OF_MEMORY, NULL, NULL);
    }
    json_decref(configuration);
    json_decref(observes);
    if (!valid) {
        integration_clear(&it);
        return false;
    }
    *out = it;
    return true;
}

bool integration_from_create(const json_t *body, json_t *errors, integration *out)
{
    const json_t *data = require_data_object(body, errors);
    return data && validate_data(data, errors, out);
}

/* The stored integration as the `data` of a request, for an update to merge into. */
static json_t *stored_as_request_data(const integration *it)
{
    return json_pack("{s:s, s:s, s:s?, s:b, s:o?, s:o?}", "integration_type", integration_type_name(it->type),
                     "name", it->name, "description", it->description, "enabled", it->enabled,
                     "configuration", integration_configuration_object(it), "observes",
                     integration_observed_keys(it));
}

bool integration_from_update(const json_t *body, const integration *stored, const char *path_id, json_t *errors,
                             integration *out)
{
    static const char *const mergeable[] = {"integration_type", "name", "description", "enabled", "configuration",
                                            "observes"};
    const json_t *data = require_data_object(body, errors);
    if (!data)
        return false;

    const json_t *id = json_object_get(data, "id");
    if (id && !(json_is_string(id) && strcmp(json_string_value(id), path_id) == 0))
        errors_add(errors, ERR_ID_MISMATCH, NULL, "data.id");

    json_t *merged = stored_as_request_data(stored);
    if (!merged) {
        errors_add(errors, ERR_OUT_OF_MEMORY, NULL, NULL);
        return false;
    }
    const json_t *type = json_object_get(data, "type");
    if (type)
        json_object_set(merged, "type", (json_t *)type);
    for (size_t i = 0; i < sizeof mergeable / sizeof mergeable[0]; i++) {
        const json_t *v = json_object_get(data, mergeable[i]);
        if (v)
            json_object_set(merged, mergeable[i], (json_t *)v);
    }
    bool valid = validate_data(merged, errors, out);
    json_decref(merged);
    if (valid && json_array_size(errors) > 0) /* the id mismatch */
        integration_clear(out);
    if (!valid || json_array_size(errors) > 0)
        return false;
    memcpy(out->id, stored->id, sizeof out->id);
    out->created_at_ms = stored->created_at_ms;
    out->updated_at_ms = stored->updated_at_ms;
    return true;
}

json_t *integration_configuration_object(const integration *it)
{
    return json_loads(it->configuration, 0, NULL);
}

json_t *integration_observed_keys(const integration *it)
{
    return json_loads(it->observes, 0, NULL);
}

/* ---- the plan of a change ------------------------------------------------------------------ */

integration_change integration_decide(const integration *before, const integration *after)
{
    /* The observers index holds enabled integrations only; it changes when an integration
     * appears, disappears, is enabled or disabled, or observes other events. */
    bool same_events = before && after && strcmp(before->observes, after->observes) == 0;
    bool was_observing = before && before->enabled;
    bool observes = after && after->enabled;
    integration_change c = {
        .unindex_before = was_observing && !(observes && same_events),
        .index_after = observes && !(was_observing && same_events),
    };
    if (!before) {
        c.kind = CHANGE_CREATE;
        c.trigger = "integration.created";
    } else if (!after) {
        c.kind = CHANGE_DELETE;
        c.trigger = "integration.deleted";
        c.cancel_pending_jobs = true;
    } else {
        c.kind = CHANGE_UPDATE;
        c.trigger = "integration.updated";
        c.cancel_pending_jobs = !after->enabled;
    }
    return c;
}

/* ---- rendering -------------------------------------------------------------------------- */

char *secret_mask(const char *value)
{
    /* Count characters, not bytes, so a multi-byte secret keeps its visible length. */
    size_t len = strlen(value), chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)value[i] & 0xC0) != 0x80;
    size_t hidden = chars <= 4 ? chars : chars - 4;
    /* byte offset where the visible tail begins */
    size_t tail = 0;
    for (size_t seen = 0; tail < len; tail++) {
        if (((unsigned char)value[tail] & 0xC0) != 0x80) {
            if (seen == hidden)
                break;
            seen++;
        }
    }
    size_t tail_len = chars <= 4 ? 0 : len - tail;
    char *out = malloc(hidden + tail_len + 1);
    if (!out)
        return NULL;
    memset(out, '*', hidden);
    memcpy(out + hidden, value + tail, tail_len);
    out[hidden + tail_len] = '\0';
    return out;
}

/* The configuration as answers show it. The stored text is already what jansson writes for the
 * object, so a type without secrets shows it as it is; the others mask theirs. */
static void write_configuration(strbuf *out, const integration *it)
{
    if (!type_has_masked_keys(it->type)) {
        strbuf_puts(out, it->configuration);
        return;
    }
    json_t *cfg = integration_configuration_object(it);
    bool ok = cfg != NULL;
    for (size_t k = 0; ok && k < types[it->type].key_count; k++) {
        const cfg_key *key = &types[it->type].keys[k];
        const json_t *v = json_object_get(cfg, key->name);
        if (!key->masked || !json_is_string(v))
            continue;
        char *masked = secret_mask(json_string_value(v));
        ok = masked && json_object_set_new(cfg, key->name, json_string(masked)) == 0;
        free(masked);
    }
    strbuf_put_json(out, ok ? cfg : NULL, 0);
    json_decref(cfg);
}

/* Appends "<timestamp>" (spec §1) in place. */
static void write_timestamp(strbuf *out, int64_t ms)
{
    if (!strbuf_reserve(out, TIMESTAMP_LEN + 2))
        return;
    out->data[out->len] = '"';
    timestamp_format(ms, out->data + out->len + 1);
    out->len += TIMESTAMP_LEN;
    out->data[out->len++] = '"';
    out->data[out->len] = '\0';
}

void integration_write(strbuf *out, const integration *it, const char *base_url)
{
    static const char *const type_fields[INTEGRATION_TYPE_COUNT] = {
        [INTEGRATION_WEBHOOK] = ",\"type\":\"integration\",\"integration_type\":\"webhook\",\"name\":",
        [INTEGRATION_AWS_SQS] = ",\"type\":\"integration\",\"integration_type\":\"aws_sqs\",\"name\":",
        [INTEGRATION_STOMP] = ",\"type\":\"integration\",\"integration_type\":\"stomp\",\"name\":",
    };
    strbuf_lit(out, "{\"id\":");
    strbuf_json_string(out, it->id);
    strbuf_puts(out, type_fields[it->type]);
    strbuf_json_string(out, it->name);
    strbuf_lit(out, ",\"description\":");
    if (it->description)
        strbuf_json_string(out, it->description);
    else
        strbuf_lit(out, "null");
    if (it->enabled)
        strbuf_lit(out, ",\"enabled\":true,\"configuration\":");
    else
        strbuf_lit(out, ",\"enabled\":false,\"configuration\":");
    write_configuration(out, it);
    strbuf_lit(out, ",\"observes\":");
    strbuf_puts(out, it->observes);
    /* the base may come from the Host header: escaped like any other string */
    strbuf_lit(out, ",\"links\":{\"self\":\"");
    strbuf_json_escape(out, base_url);
    strbuf_lit(out, "/v2/integrations/");
    strbuf_json_escape(out, it->id);
    strbuf_lit(out, "\"},\"meta\":{\"timestamps\":{\"created_at\":");
    write_timestamp(out, it->created_at_ms);
    strbuf_lit(out, ",\"updated_at\":");
    write_timestamp(out, it->updated_at_ms);
    strbuf_lit(out, "}}}");
}

char *integration_document_text(const integration *it, const char *base_url)
{
    strbuf out = {0};
    strbuf_puts(&out, "{\"data\":");
    integration_write(&out, it, base_url);
    strbuf_puts(&out, "}");
    return strbuf_take(&out);
}

json_t *integration_attributes(void)
{
    return json_pack(
        "{s:["
        "{s:s, s:s, s:s, s:b, s:[s]},"
        "{s:s, s:s, s:s, s:b, s:[s, s, s]},"
        "{s:s, s:s, s:s, s:b},"
        "{s:s, s:s, s:s, s:b},"
        "{s:s, s:s, s:s, s:b, s:b},"
        "{s:s, s:s, s:s, s:b},"
        "{s:s, s:s, s:s, s:b}"
        "], s:{s:s, s:s}}",
        "data",
        "label", "Type", "value", "type", "type", "enum", "required", 1, "options", "integration",
        "label", "Integration Type", "value", "integration_type", "type", "enum", "required", 1,
        "options", "webhook", "aws_sqs", "stomp",
        "label", "Name", "value", "name", "type", "string", "required", 1,
        "label", "Description", "value", "description", "type", "string", "required", 0,
        "label", "Enabled", "value", "enabled", "type", "boolean", "required", 0, "default", 0,
        "label", "Configuration", "value", "configuration", "type", "object", "required", 1,
        "label", "Observes", "value", "observes", "type", "array", "required", 1,
        "meta", "entity", "integration", "version", "2.0.0");
}
