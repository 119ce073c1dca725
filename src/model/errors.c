#include "errors.h"


void errors_add(json_t *errors, int status, const char *title, const char *detail, const char *source)
{
    json_t *e = json_pack("{s:i, s:s}", "status", status, "title", title);
    if (detail)
        json_object_set_new(e, "detail", json_string(detail));
    if (source)
        json_object_set_new(e, "source", json_string(source));
    json_array_append_new(errors, e);
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
