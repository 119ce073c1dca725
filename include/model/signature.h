/* Standard Webhooks signatures (spec §7.1, opt-in). Pure. */
#ifndef INTEGRATIONSD_SIGNATURE_H
#define INTEGRATIONSD_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

#define SIGNATURE_MAX 64 /* "v1," + base64 of 32 bytes + NUL */

/* "v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">". The key is the base64-decoded part
 * after "whsec_" when secret starts with it, else the secret's raw bytes. false when a whsec_
 * secret is not valid base64. */
bool standard_webhooks_sign(const char *secret, const char *id, long long timestamp, const char *body,
                            char out[SIGNATURE_MAX]);

#endif
