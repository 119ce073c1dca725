/* The seed file (--seed) and PUT /emulator/v1/state: a JSON document read by seed_parse, as a seed
 * and as a state. A document read holds stores with distinct, non-empty clients (a seed) and
 * integrations with distinct lowercase UUIDs, each one a valid create; its state document reads
 * back to the same integrations. A refusal has errors with a source each, and nothing is kept. */
#include "fuzz_integration.h"
#include "ids.h"
#include "seed.h"

static void check_seed(const seed *s, bool state)
{
    FUZZ_ASSERT(s->store_count >= 1 && (!state || s->store_count == 1));
    json_t *ids = json_object(), *clients = json_object();
    for (size_t i = 0; i < s->store_count; i++) {
        const seed_store *st = &s->stores[i];
        FUZZ_ASSERT(state ? st->client_count == 0 : st->client_count >= 1);
        for (size_t c = 0; c < st->client_count; c++) {
            const char *id = st->clients[c].client_id;
            FUZZ_ASSERT(id && id[0] && strlen(id) <= 255 && !json_object_get(clients, id));
            FUZZ_ASSERT(!st->clients[c].secret || st->clients[c].secret[0]);
            json_object_set_new(clients, id, json_true());
        }
        for (size_t k = 0; k < st->integration_count; k++) {
            const integration *it = &st->integrations[k];
            FUZZ_ASSERT(id_is_uuid(it->id, strlen(it->id)));
            for (const char *c = it->id; *c; c++)
                FUZZ_ASSERT(!(*c >= 'A' && *c <= 'Z'));
            /* one id for one integration across the whole seed: the store keys them by id */
            FUZZ_ASSERT(!json_object_get(ids, it->id));
            json_object_set_new(ids, it->id, json_true());
            FUZZ_ASSERT(it->created_at_ms == it->updated_at_ms);
            fuzz_check_fields(it);
            fuzz_check_revalidates(it);
        }
    }
    json_decref(ids);
    json_decref(clients);

    /* each store's state document reads back as the same integrations */
    for (size_t i = 0; i < s->store_count; i++) {
        const seed_store *st = &s->stores[i];
        json_t *doc = seed_state_document(json_array(), st->integrations, st->integration_count);
        json_t *errors = json_array();
        FUZZ_ASSERT(doc && errors);
        seed back;
        FUZZ_ASSERT(seed_parse(doc, true, &back, errors));
        FUZZ_ASSERT(back.store_count == 1 && back.stores[0].integration_count == st->integration_count);
        for (size_t k = 0; k < st->integration_count; k++) {
            const integration *a = &st->integrations[k], *b = &back.stores[0].integrations[k];
            fuzz_check_same(a, b);
            FUZZ_ASSERT(strcmp(a->id, b->id) == 0);
            FUZZ_ASSERT(a->created_at_ms == b->created_at_ms);
        }
        seed_clear(&back);
        json_decref(errors);
        json_decref(doc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = fuzz_json(data, size);
    if (!doc)
        return 0;
    for (int state = 0; state < 2; state++) {
        json_t *errors = json_array();
        FUZZ_ASSERT(errors);
        seed s;
        if (seed_parse(doc, state, &s, errors)) {
            FUZZ_ASSERT(json_array_size(errors) == 0);
            check_seed(&s, state);
            seed_clear(&s);
        } else {
            fuzz_check_errors(errors);
            FUZZ_ASSERT(s.store_count == 0 && !s.stores);
        }
        json_decref(errors);
    }
    json_decref(doc);
    return 0;
}
