/* Unit tests of include/events.h: the catalogue of observable event keys (spec §6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

/* Resources of spec §6 that raise created, updated and deleted. */
static const char *const crud_resources[] = {
    "account", "account-member", "account-membership", "address", "currency", "customer",
    "integration", "catalog-release", "catalog-rule", "user-authentication-info", "brand",
    "category", "collection", "product",
    "subscription-subscriber", "subscription-product", "subscription-plan", "subscription-offering",
    "subscription-job", "subscription-schedule",
};
static const char *const crud_actions[] = {"created", "updated", "deleted"};

/* Every other valid key of spec §6, spelled out. */
static const char *const single_keys[] = {
    "cart.updated", "cart.deleted",
    "file.created", "file.deleted",
    "one-time-password-token-request.created",
    "order.created", "order.updated", "order.paid", "order.authorized", "order.fulfilled", "order.cancelled",
    "order.refunded",
    "payment-gateway.updated",
    "settings.created", "settings.updated",
    "stock-transaction.created",
    "transaction.created", "transaction.updated",
    "subscription.created", "subscription.create-failed", "subscription.paused", "subscription.canceled",
    "subscription.pending_cancel", "subscription.pending_pause", "subscription.resumed", "subscription.closed",
    "subscription-invoice.created", "subscription-invoice.deleted",
    /* custom API entries: <slug>_ext.created|updated|deleted, slug in [a-z0-9_-]+ */
    "orders_ext.created", "orders_ext.updated", "orders_ext.deleted",
    "my-thing_ext.created", "a_b_ext.deleted", "x_ext.updated", "x1_ext.created", "0_ext.created",
    "__ext.created", "-_ext.updated", "wishlist-items_ext.deleted",
};

/* Keys that look plausible but are not in the catalogue. */
static const char *const invalid_keys[] = {
    "", ".", "order.", "order", ".created", "order.deleted", "cart.created", "foo.created",
    "file.updated", "payment-gateway.created", "payment-gateway.deleted", "settings.deleted",
    "stock-transaction.updated", "stock-transaction.deleted", "transaction.deleted",
    "one-time-password-token-request.updated", "one-time-password-token-request.deleted",
    "subscription.updated", "subscription.deleted", "subscription.cancelled", "subscription-invoice.updated",
    "order.canceled", "order.shipped", "order.paid ", " order.paid", "ORDER.PAID", "Order.paid", "order.Paid",
    "order.paid.extra", "product.created.extra", "product..created", "product.created.", "products.created",
    "product-created", "product_created", "product.create", "product.*", "*.created", "order.*",
    "_ext.created", "Abc_ext.created", "aBc_ext.created", "x_ext.paid", "x_ext.", "x_ext", "x_EXT.created",
    "x.ext.created", "x_ext_created", "a b_ext.created", "a.b_ext.created", "a/b_ext.created",
    "\xc3\xa9_ext.created", "x_ext.created ", "ext.created", "_extx.created", "x_exts.created",
    "integrations.created", "account-members.created", "catalog.created",
};

static void test_every_crud_resource_and_action(void **state)
{
    (void)state;
    char key[96];
    for (size_t r = 0; r < sizeof crud_resources / sizeof crud_resources[0]; r++) {
        for (size_t a = 0; a < sizeof crud_actions / sizeof crud_actions[0]; a++) {
            snprintf(key, sizeof key, "%s.%s", crud_resources[r], crud_actions[a]);
            if (!event_key_is_observable(key)) {
                print_error("\"%s\" should be observable\n", key);
                fail();
            }
        }
    }
}

static void test_every_single_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof single_keys / sizeof single_keys[0]; i++) {
        if (!event_key_is_observable(single_keys[i])) {
            print_error("\"%s\" should be observable\n", single_keys[i]);
            fail();
        }
    }
}

static void test_invalid_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid_keys / sizeof invalid_keys[0]; i++) {
        if (event_key_is_observable(invalid_keys[i])) {
            print_error("\"%s\" should not be observable\n", invalid_keys[i]);
            fail();
        }
    }
}

/* Resources of the catalogue with an action they do not have. */
static void test_crud_resources_have_no_other_actions(void **state)
{
    (void)state;
    static const char *const others[] = {"paid", "fulfilled", "create", "Created", "refunded", ""};
    char key[96];
    for (size_t r = 0; r < sizeof crud_resources / sizeof crud_resources[0]; r++) {
        for (size_t a = 0; a < sizeof others / sizeof others[0]; a++) {
            snprintf(key, sizeof key, "%s.%s", crud_resources[r], others[a]);
            if (event_key_is_observable(key)) {
                print_error("\"%s\" should not be observable\n", key);
                fail();
            }
        }
    }
}

/* A valid key followed by more bytes, or cut short, is never valid. */
static void test_prefixes_and_extensions_of_valid_keys(void **state)
{
    (void)state;
    char key[128];
    for (size_t i = 0; i < sizeof single_keys / sizeof single_keys[0]; i++) {
        size_t len = strlen(single_keys[i]);
        snprintf(key, sizeof key, "%sx", single_keys[i]);
        if (event_key_is_observable(key)) {
            print_error("\"%s\" should not be observable\n", key);
            fail();
        }
        memcpy(key, single_keys[i], len - 1);
        key[len - 1] = '\0';
        if (event_key_is_observable(key)) {
            print_error("\"%s\" should not be observable\n", key);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_crud_resource_and_action),
        cmocka_unit_test(test_every_single_key),
        cmocka_unit_test(test_invalid_keys),
        cmocka_unit_test(test_crud_resources_have_no_other_actions),
        cmocka_unit_test(test_prefixes_and_extensions_of_valid_keys),
    };
    return cmocka_run_group_tests_name("event_key_is_observable", tests, NULL, NULL);
}
