/* Loads libcurl on first use (dlopen) and fills the curl_lib function table. Nothing else
 * here: the requests are the transports'. */
#include "curl_lib.h"

#include <dlfcn.h>
#include <stdio.h>

curl_fns curl_lib;

/* Resolves one function; *ok becomes false when it is missing. */
static void *resolve(void *lib, const char *name, bool *ok)
{
    void *fn = dlsym(lib, name);
    if (!fn)
        *ok = false;
    return fn;
}

bool curl_lib_load(char *err, size_t n)
{
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, n, "cannot load libcurl: %s", dlerror());
        return false;
    }
    bool ok = true;
    /* POSIX makes a function pointer of dlsym's result: the casts go through uintptr-sized
     * object pointers, which this platform's ABI allows. */
#define LOAD(field, symbol) *(void **)&curl_lib.field = resolve(lib, symbol, &ok)
    LOAD(global_init, "curl_global_init");
    LOAD(global_cleanup, "curl_global_cleanup");
    LOAD(easy_init, "curl_easy_init");
    LOAD(easy_setopt, "curl_easy_setopt");
    LOAD(easy_perform, "curl_easy_perform");
    LOAD(easy_getinfo, "curl_easy_getinfo");
    LOAD(easy_reset, "curl_easy_reset");
    LOAD(easy_cleanup, "curl_easy_cleanup");
    LOAD(easy_strerror, "curl_easy_strerror");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free_all, "curl_slist_free_all");
#undef LOAD
    if (!ok) {
        snprintf(err, n, "libcurl.so.4 lacks a function this server needs");
        return false;
    }
    if (curl_lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, n, "cannot initialise libcurl");
        return false;
    }
    return true;
}

void curl_lib_unload(void)
{
    if (curl_lib.global_cleanup)
        curl_lib.global_cleanup();
}
