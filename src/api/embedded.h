/* The files built into the binary (scripts/embed-files.sh): the inspector page and its script
 * and style (ui/), and the server's OpenAPI document (openapi.json). */
#ifndef INTEGRATIONSD_EMBEDDED_H
#define INTEGRATIONSD_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *path; /* below the repository's root: "ui/index.html", "openapi.json" */
    const unsigned char *data;
    size_t size;
} embedded_file;

extern const embedded_file embedded_files[];
extern const size_t embedded_file_count;

#endif
