/* The one place where error documents are built: {"errors":[{status,title,detail,source}]}. */
#ifndef INTEGRATIONSD_ERRORS_H
#define INTEGRATIONSD_ERRORS_H

#include <jansson.h>

/* Appends one error object to the array `errors`. detail and source may be NULL. */
void errors_add(json_t *errors, int status, const char *title, const char *detail, const char *source);

/* Wraps an array of error objects into the envelope (steals the array). */
json_t *errors_document(json_t *errors);

/* A whole envelope holding one error. */
json_t *error_document(int status, const char *title, const char *detail, const char *source);

#endif
