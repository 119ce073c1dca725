/* The catalogue of event keys an integration may observe, and the check of a key. Pure. */
#include "events.h"

#include <string.h>

/* Resources that raise created, updated and deleted. */
static const char *const crud_resources[] = {
    "account", "account-member", "account-membership", "address", "currency", "customer",
    "integration", "catalog-release", "catalog-rule", "user-authentication-info", "brand",
    "category", "collection", "product",
    "subscription-subscriber", "subscription-product", "subscription-plan",
    "subscription-offering", "subscription-job", "subscription-schedule",
};

/* Every other key, spelled out. */
static const char *const single_keys[] = {
    "cart.updated", "cart.deleted",
    "file.created", "file.deleted",
    "one-time-password-token-request.created",
    "order.created", "order.updated", "order.paid", "order.authorized", "order.fulfilled",
    "order.cancelled", "order.refunded",
    "payment-gateway.updated",
    "settings.created", "settings.updated",
    "stock-transaction.created",
    "transaction.created", "transaction.updated",
    "subscription.created", "subscription.create-failed", "subscription.paused",
    "subscription.canceled", "subscription.pending_cancel", "subscription.pending_pause",
    "subscription.resumed", "subscription.closed",
    "subscription-invoice.created", "subscription-invoice.deleted",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_crud_action(const char *action)
{
    return strcmp(action, "created") == 0 || strcmp(action, "updated") == 0 || strcmp(action, "deleted") == 0;
}

/* Custom API entries: "<slug>_ext" with slug in [a-z0-9_-]+. */
static bool is_custom_resource(const char *res, size_t len)
{
    static const char suffix[] = "_ext";
    const size_t suffix_len = sizeof suffix - 1;
    if (len <= suffix_len || memcmp(res + len - suffix_len, suffix, suffix_len) != 0)
        return false;
    for (size_t i = 0; i < len - suffix_len; i++) {
        char c = res[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool event_key_is_observable(const char *key)
{
    for (size_t i = 0; i < COUNT(single_keys); i++)
        if (strcmp(key, single_keys[i]) == 0)
            return true;

    const char *dot = strchr(key, '.');
    if (!dot || !is_crud_action(dot + 1))
        return false;
    size_t res_len = (size_t)(dot - key);
    for (size_t i = 0; i < COUNT(crud_resources); i++)
        if (strlen(crud_resources[i]) == res_len && memcmp(key, crud_resources[i], res_len) == 0)
            return true;
    return is_custom_resource(key, res_len);
}
