/* OpenSSL (libcrypto and libssl), loaded on first use: hashing a client secret, signing a
 * webhook, a stomp+ssl connection. A server that is only asked for integrations never maps it:
 * its relocated tables alone are 1.7 MiB of memory. The functions are OpenSSL's own. */
#ifndef INTEGRATIONSD_OPENSSL_LIB_H
#define INTEGRATIONSD_OPENSSL_LIB_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

typedef struct openssl_fns {
    /* libcrypto */
    int (*EVP_Digest)(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type,
                      ENGINE *impl);
    const EVP_MD *(*EVP_sha256)(void);
    int (*CRYPTO_memcmp)(const void *a, const void *b, size_t len);
    unsigned char *(*HMAC)(const EVP_MD *md, const void *key, int key_len, const unsigned char *data, size_t data_len,
                           unsigned char *out, unsigned int *out_len);
    int (*EVP_EncodeBlock)(unsigned char *t, const unsigned char *f, int n);
    int (*EVP_DecodeBlock)(unsigned char *t, const unsigned char *f, int n);
    unsigned long (*ERR_get_error)(void);
    void (*ERR_error_string_n)(unsigned long e, char *buf, size_t len);
    void (*ERR_clear_error)(void);
    const char *(*X509_verify_cert_error_string)(long n);
    int (*X509_VERIFY_PARAM_set1_ip_asc)(X509_VERIFY_PARAM *param, const char *ipasc);
    /* libssl */
    const SSL_METHOD *(*TLS_client_method)(void);
    SSL_CTX *(*SSL_CTX_new)(const SSL_METHOD *method);
    long (*SSL_CTX_ctrl)(SSL_CTX *ctx, int cmd, long larg, void *parg);
    void (*SSL_CTX_set_verify)(SSL_CTX *ctx, int mode, SSL_verify_cb callback);
    int (*SSL_CTX_set_default_verify_paths)(SSL_CTX *ctx);
    int (*SSL_CTX_load_verify_locations)(SSL_CTX *ctx, const char *file, const char *path);
    void (*SSL_CTX_free)(SSL_CTX *ctx);
    SSL *(*SSL_new)(SSL_CTX *ctx);
    int (*SSL_set_fd)(SSL *s, int fd);
    X509_VERIFY_PARAM *(*SSL_get0_param)(SSL *s);
    long (*SSL_ctrl)(SSL *s, int cmd, long larg, void *parg);
    int (*SSL_set1_host)(SSL *s, const char *hostname);
    int (*SSL_connect)(SSL *s);
    int (*SSL_read)(SSL *s, void *buf, int num);
    int (*SSL_write)(SSL *s, const void *buf, int num);
    int (*SSL_get_error)(const SSL *s, int ret);
    int (*SSL_shutdown)(SSL *s);
    void (*SSL_free)(SSL *s);
    long (*SSL_get_verify_result)(const SSL *s);
} openssl_fns;

/* OpenSSL's functions, loaded on the first call (thread-safe); NULL, after printing why once,
 * when the libraries cannot be loaded. */
const openssl_fns *openssl(void);

#endif
