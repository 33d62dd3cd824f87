// The parts of the system OpenSSL 3 libcrypto (Debian libssl-dev) that the JWT signer uses:
// PEM private-key parsing and RSA PKCS#1 v1.5 signing through the EVP interface.
#ifndef SWITCHBOARD_COPENSSL_SHIM_H
#define SWITCHBOARD_COPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/// EVP_PKEY_RSA is a macro over NID_rsaEncryption; exposed as a function for Swift.
static inline int switchboard_evp_pkey_rsa(void) { return EVP_PKEY_RSA; }
#endif
