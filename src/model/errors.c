/* Owns the error vocabulary (status, title, default detail of every error_code) and builds every
 * error document. Pure: no I/O. Nothing else spells a status title. */
#include "errors.h"

typedef struct error_kind {
    int status;
    const char *title;
    const char *detail; /* when the caller gives none */
} error_kind;

#define INTERNAL_TITLE "Internal Server Error"
#define UNBUILT_DETAIL "The response could not be built."

/* Preformatted: sent when not even an error document can be built (out of memory). */
const char error_unbuilt_document[] =
    "{\"errors\":[{\"status\":500,\"title\":\"" INTERNAL_TITLE "\",\"detail\":\"" UNBUILT_DETAIL "\"}]}";

static const error_kind kinds[ERR_COUNT] = {
    [ERR_BAD_REQUEST] = {400, "Bad Request", "The request is not valid."},
    [ERR_BAD_FORM] = {400, "Bad Request", "Request body is not valid application/x-www-form-urlencoded data."},
    [ERR_MISSING_DATA] = {400, "Missing required property: data",
                          "The request body must be an object with a data object."},
    [ERR_ID_MISMATCH] = {400, "Id mismatch", "data.id must equal the id of the URL."},
    [ERR_INVALID] = {400, "Bad Request", "The request is not valid."},
    [ERR_LIMIT_REACHED] = {400, "You have reached the integration limit",
                           "Delete an integration before creating another."},
    [ERR_UNAUTHORIZED] = {401, "Unauthorized", "The client credentials are not valid."},
    [ERR_INVALID_TOKEN] = {401, "Unable to validate access token", "The access token is not valid."},
    [ERR_IMPLICIT_TOKEN] = {403, "Forbidden", "An implicit token cannot access integrations; use client_credentials."},
    [ERR_NO_ROUTE] = {404, "Not Found", "No route for this method and path."},
    [ERR_INTEGRATION_NOT_FOUND] = {404, "Integration not found", "No integration with this id exists in the store."},
    [ERR_JOB_NOT_FOUND] = {404, "Job not found", "No job with this id exists for the integration."},
    [ERR_METHOD_NOT_ALLOWED] = {405, "Method Not Allowed", "The method is not allowed for this path."},
    [ERR_REQUEST_TIMEOUT] = {408, "Request Timeout", "The request did not arrive in time."},
    [ERR_PAYLOAD_TOO_LARGE] = {413, "Payload Too Large", "The request body is too large."},
    [ERR_URI_TOO_LONG] = {414, "URI Too Long", "The request URL is too long."},
    [ERR_HEADERS_TOO_LARGE] = {431, "Request Header Fields Too Large", "The request headers are too large."},
    [ERR_OUT_OF_MEMORY] = {500, INTERNAL_TITLE, "Out of memory while reading the request."},
    [ERR_STORAGE] = {500, INTERNAL_TITLE, "The database could not complete the request."},
    [ERR_RESPONSE] = {500, INTERNAL_TITLE, UNBUILT_DETAIL},
    [ERR_UNANSWERED] = {500, INTERNAL_TITLE, "The request could not be handled."},
    [ERR_NO_OPENSSL] = {500, INTERNAL_TITLE, "Secrets cannot be checked: OpenSSL is not available."},
    [ERR_NO_RANDOMNESS] = {500, INTERNAL_TITLE, "No randomness available for a token."},
    [ERR_DB_CLOSED] = {503, "Service Unavailable", "The database is not open."},
};

static const error_kind *kind_of(error_code code)
{
    return &kinds[(unsigned)code < ERR_COUNT ? code : ERR_UNANSWERED];
}

int error_status(error_code code)
{
    return kind_of(code)->status;
}

void errors_add_titled(json_t *errors, error_code code, const char *title, const char *detail, const char *source)
{
    const error_kind *k = kind_of(code);
    json_t *e = json_pack("{s:i, s:s, s:s}", "status", k->status, "title", title ? title : k->title, "detail",
                          detail ? detail : k->detail);
    if (e && source)
        json_object_set_new(e, "source", json_string(source));
    json_array_append_new(errors, e);
}

void errors_add(json_t *errors, error_code code, const char *detail, const char *source)
{
    errors_add_titled(errors, code, NULL, detail, source);
}

/* The registered reason phrases of 4xx and 5xx (IANA HTTP Status Code Registry). */
static const struct {
    int status;
    const char *phrase;
} phrases[] = {
    {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"},
    {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"}, {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"},
    {411, "Length Required"}, {412, "Precondition Failed"}, {413, "Payload Too Large"}, {414, "URI Too Long"},
    {415, "Unsupported Media Type"}, {416, "Range Not Satisfiable"}, {417, "Expectation Failed"},
    {421, "Misdirected Request"}, {422, "Unprocessable Entity"}, {423, "Locked"}, {424, "Failed Dependency"},
    {425, "Too Early"}, {426, "Upgrade Required"}, {428, "Precondition Required"}, {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"}, {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
    {504, "Gateway Timeout"}, {505, "HTTP Version Not Supported"}, {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"}, {508, "Loop Detected"}, {511, "Network Authentication Required"},
};

const char *error_reason_phrase(int status)
{
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (phrases[i].status == status)
            return phrases[i].phrase;
    return status < 500 ? "Client Error" : "Server Error";
}

void errors_add_forced(json_t *errors, int status, const char *detail)
{
    json_array_append_new(errors, json_pack("{s:i, s:s, s:s}", "status", status, "title", error_reason_phrase(status),
                                            "detail", detail));
}

json_t *errors_document(json_t *errors)
{
    return json_pack("{s:o}", "errors", errors);
}

json_t *error_document(error_code code, const char *detail)
{
    json_t *errors = json_array();
    errors_add(errors, code, detail, NULL);
    return errors_document(errors);
}
