/* `integrationsd --healthcheck`: one GET /health to the server the flags describe, exit 0
 * or 1. Runs instead of the server, in its own process; never opens the database. */
#include "healthcheck.h"

#include <stdio.h>
#include <string.h>

#include "curl_lib.h"

static size_t keep_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    char *body = userdata;
    size_t n = size * nmemb, have = strlen(body);
    size_t take = n < 255 - have ? n : 255 - have;
    memcpy(body + have, ptr, take);
    body[have + take] = '\0';
    return n;
}

int healthcheck_run(const config *cfg)
{
    /* a wildcard bind is reached through loopback */
    const char *host = strcmp(cfg->bind, "0.0.0.0") == 0 ? "127.0.0.1" : strcmp(cfg->bind, "::") == 0 ? "::1" : cfg->bind;
    bool v6 = strchr(host, ':') != NULL;
    char url[128], body[256] = "";
    snprintf(url, sizeof url, "http://%s%s%s:%ld/health", v6 ? "[" : "", host, v6 ? "]" : "", cfg->port);
    char err[256];
    if (!curl_lib_load(err, sizeof err)) {
        fprintf(stderr, "integrationsd: healthcheck: %s\n", err);
        return 1;
    }
    CURL *curl = curl_lib.easy_init();
    long status = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    if (curl) {
        curl_lib.easy_setopt(curl, CURLOPT_URL, url);
        curl_lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
        curl_lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
        curl_lib.easy_setopt(curl, CURLOPT_WRITEDATA, body);
        rc = curl_lib.easy_perform(curl);
        curl_lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_lib.easy_cleanup(curl);
    }
    curl_lib_unload();
    if (rc != CURLE_OK) {
        fprintf(stderr, "integrationsd: healthcheck: %s: %s\n", url, curl_lib.easy_strerror(rc));
        return 1;
    }
    if (status != 200 || !strstr(body, "\"ok\"")) {
        fprintf(stderr, "integrationsd: healthcheck: %s answered %ld %s\n", url, status, body);
        return 1;
    }
    return 0;
}
