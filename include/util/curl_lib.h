/* libcurl, loaded when the first job is due (or by --healthcheck). A server that only answers the
 * API never maps libcurl and the libraries it depends on (TLS, Kerberos, LDAP, SSH, HTTP/2…):
 * 3.5 MiB of memory and milliseconds of start-up. The functions are libcurl's own. */
#ifndef INTEGRATIONSD_CURL_LIB_H
#define INTEGRATIONSD_CURL_LIB_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct curl_fns {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
} curl_fns;

/* libcurl's functions; valid once curl_lib_load has succeeded (the delivery engine loads it
 * before its first worker starts). */
extern curl_fns curl_lib;

/* Loads libcurl and runs curl_global_init; false (with err set) when it cannot. Call once. */
bool curl_lib_load(char *err, size_t n);
/* curl_global_cleanup; the library stays mapped until the process ends. */
void curl_lib_unload(void);

#endif
