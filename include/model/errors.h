/* The one place where errors are named and their documents built:
 * {"errors":[{status,title,detail,source}]}. A handler names an error (error_code); the table in
 * errors.c gives its status, its title and the detail used when the caller has none. */
#ifndef INTEGRATIONSD_ERRORS_H
#define INTEGRATIONSD_ERRORS_H

#include <jansson.h>

typedef enum error_code {
    ERR_BAD_REQUEST,           /* 400, detail says what is wrong */
    ERR_BAD_FORM,              /* 400, a form body that cannot be read */
    ERR_MISSING_DATA,          /* 400, the body has no data object */
    ERR_ID_MISMATCH,           /* 400, data.id differs from the URL's id */
    ERR_INVALID,               /* 400, a validation rule: the caller gives the title */
    ERR_LIMIT_REACHED,         /* 400, the store holds --max-integrations: the caller gives the title */
    ERR_UNAUTHORIZED,          /* 401, token request refused */
    ERR_INVALID_TOKEN,         /* 401, missing, unknown or expired bearer token */
    ERR_IMPLICIT_TOKEN,        /* 403, an implicit token on an integrations route */
    ERR_NO_ROUTE,              /* 404 */
    ERR_INTEGRATION_NOT_FOUND, /* 404 */
    ERR_JOB_NOT_FOUND,         /* 404 */
    ERR_METHOD_NOT_ALLOWED,    /* 405 */
    ERR_REQUEST_TIMEOUT,       /* 408, the request did not arrive within its deadline */
    ERR_PAYLOAD_TOO_LARGE,     /* 413 */
    ERR_URI_TOO_LONG,          /* 414 */
    ERR_HEADERS_TOO_LARGE,     /* 431 */
    ERR_OUT_OF_MEMORY,         /* 500 */
    ERR_STORAGE,               /* 500, the database failed */
    ERR_RESPONSE,              /* 500, the answer could not be built */
    ERR_UNANSWERED,            /* 500, a handler set no answer */
    ERR_NO_OPENSSL,            /* 500, secrets cannot be hashed */
    ERR_NO_RANDOMNESS,         /* 500, no token can be made */
    ERR_DB_CLOSED,             /* 503 */
    ERR_COUNT
} error_code;

/* The document of ERR_RESPONSE as text, for when not even that can be built. */
extern const char error_unbuilt_document[];

/* The HTTP status of an error. */
int error_status(error_code code);

/* Appends one error object to the array `errors`. detail NULL = the error's own; source may be NULL. */
void errors_add(json_t *errors, error_code code, const char *detail, const char *source);

/* The same with a title of the caller's (validation titles name the property), NULL = the error's own. */
void errors_add_titled(json_t *errors, error_code code, const char *title, const char *detail,
                       const char *source);

/* An answer forced by the emulator (Prefer: code, a fault rule): any status from 400 to 599, its
 * reason phrase as the title. */
void errors_add_forced(json_t *errors, int status, const char *detail);
/* The reason phrase of an HTTP status ("Service Unavailable"); for one without a registered
 * phrase, "Client Error" or "Server Error". */
const char *error_reason_phrase(int status);

/* Wraps an array of error objects into the envelope (steals the array). */
json_t *errors_document(json_t *errors);

/* A whole envelope holding one error (detail NULL = the error's own). */
json_t *error_document(error_code code, const char *detail);

#endif
