// Owning handles for the OpenSSL objects this library uses, so that no early
// return or exception can leak one, and a helper that turns OpenSSL's thread-
// local error queue into an exception message.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>

namespace emis::auth::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// Throws std::runtime_error("<what>: <first queued OpenSSL error>") and
// clears the queue so the next operation on this thread starts clean.
[[noreturn]] void throw_error(const char* what);

// Discards queued errors after an expected failure (a bad signature leaves
// entries that would otherwise be misattributed to a later call).
void clear_errors() noexcept;

}  // namespace emis::auth::ossl
