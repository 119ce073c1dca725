/* Loads libcrypto and libssl on first use (dlopen) and fills the openssl() function table.
 * Nothing else here: hashing, signing and TLS are their callers'. */
#include "openssl_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static openssl_fns fns;
static const openssl_fns *loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *resolve(void *lib, const char *name, bool *ok)
{
    void *fn = lib ? dlsym(lib, name) : NULL;
    if (!fn)
        *ok = false;
    return fn;
}

static void load(void)
{
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    void *ssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    bool ok = crypto && ssl;
    /* POSIX makes function pointers of dlsym's results; this platform's ABI allows it. */
#define LOAD(lib, name) *(void **)&fns.name = resolve(lib, #name, &ok)
    LOAD(crypto, EVP_Digest);
    LOAD(crypto, EVP_sha256);
    LOAD(crypto, CRYPTO_memcmp);
    LOAD(crypto, HMAC);
    LOAD(crypto, EVP_EncodeBlock);
    LOAD(crypto, EVP_DecodeBlock);
    LOAD(crypto, ERR_get_error);
    LOAD(crypto, ERR_error_string_n);
    LOAD(crypto, ERR_clear_error);
    LOAD(crypto, X509_verify_cert_error_string);
    LOAD(crypto, X509_VERIFY_PARAM_set1_ip_asc);
    LOAD(ssl, TLS_client_method);
    LOAD(ssl, SSL_CTX_new);
    LOAD(ssl, SSL_CTX_ctrl);
    LOAD(ssl, SSL_CTX_set_verify);
    LOAD(ssl, SSL_CTX_set_default_verify_paths);
    LOAD(ssl, SSL_CTX_load_verify_locations);
    LOAD(ssl, SSL_CTX_free);
    LOAD(ssl, SSL_new);
    LOAD(ssl, SSL_set_fd);
    LOAD(ssl, SSL_get0_param);
    LOAD(ssl, SSL_ctrl);
    LOAD(ssl, SSL_set1_host);
    LOAD(ssl, SSL_connect);
    LOAD(ssl, SSL_read);
    LOAD(ssl, SSL_write);
    LOAD(ssl, SSL_get_error);
    LOAD(ssl, SSL_shutdown);
    LOAD(ssl, SSL_free);
    LOAD(ssl, SSL_get_verify_result);
#undef LOAD
    const char *why = dlerror();
    if (ok)
        loaded = &fns;
    else
        fprintf(stderr, "integrationsd: cannot load OpenSSL (libcrypto.so.3, libssl.so.3): %s\n",
                why ? why : "a function is missing");
}

const openssl_fns *openssl(void)
{
    pthread_once(&once, load);
    return loaded;
}
