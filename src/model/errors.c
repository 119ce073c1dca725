#include "errors.h"

#include <stdarg.h>
#include <stdio.h>

void errors_add(json_t *errors, int status, const char *title, const char *detail, const char *source)
{
    json_t *e = json_pack("{s:i, s:s}", "status", status, "title", title);
    if (detail)
        json_object_set_new(e, "detail", json_string(detail));
    if (source)
        json_object_set_new(e, "source", json_string(source));
    json_array_append_new(errors, e);
}

void errors_addf(json_t *errors, int status, const char *source, const char *title, const char *detail_fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    va_end(ap);
    errors_add(errors, status, title, detail, source);
}

json_t *errors_document(json_t *errors)
{
    return json_pack("{s:o}", "errors", errors);
}

json_t *error_document(int status, const char *title, const char *detail, const char *source)
{
    json_t *errors = json_array();
    errors_add(errors, status, title, detail, source);
    return errors_document(errors);
}

const char *http_status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}
