/* The emulator's Prefer request header (prefer_parse): any header value libmicrohttpd may hand
 * over. What is read is within range; a refusal explains itself in a sentence that becomes the
 * detail of a 400 error, so it must make a well-formed error (src/api/faults.c api_intercept). */
#include "errors.h"
#include "fuzz.h"
#include "prefer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *header = fuzz_text(data, size);
    prefer p;
    char why[160]; /* as in api_intercept */
    memset(why, 0, sizeof why);
    if (prefer_parse(header, &p, why, sizeof why)) {
        FUZZ_ASSERT(p.code == 0 || (p.code >= 400 && p.code <= 599));
        FUZZ_ASSERT(p.delay_ms >= 0 && p.delay_ms <= PREFER_DELAY_MAX_MS);
    } else {
        FUZZ_ASSERT(why[0] && strlen(why) < sizeof why);
        json_t *errors = json_array();
        errors_add(errors, ERR_BAD_REQUEST, why, "Prefer");
        fuzz_check_errors(errors);
        json_decref(errors);
    }
    free(header);
    return 0;
}
