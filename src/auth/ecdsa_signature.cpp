#include "auth/ecdsa_signature.hpp"

#include <openssl/crypto.h>

#include "auth/openssl_handles.hpp"

namespace emis::auth {

Es256Signature raw_from_der(std::span<const unsigned char> der) {
  const unsigned char* p = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) ossl::throw_error("cannot parse ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Es256Signature raw{};
  // bn2binpad left-pads with zeros and fails if the number is too large.
  if (BN_bn2binpad(r, raw.data(), kEs256CoordinateSize) != static_cast<int>(kEs256CoordinateSize) ||
      BN_bn2binpad(s, raw.data() + kEs256CoordinateSize, kEs256CoordinateSize) !=
          static_cast<int>(kEs256CoordinateSize)) {
    ossl::throw_error("ECDSA signature does not fit P-256");
  }
  return raw;
}

std::vector<unsigned char> der_from_raw(std::span<const unsigned char, kEs256SignatureSize> raw) {
  ossl::BignumPtr r(BN_bin2bn(raw.data(), kEs256CoordinateSize, nullptr));
  ossl::BignumPtr s(BN_bin2bn(raw.data() + kEs256CoordinateSize, kEs256CoordinateSize, nullptr));
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig) ossl::throw_error("cannot allocate ECDSA signature");
  // set0 takes ownership of r and s only on success.
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) ossl::throw_error("cannot build ECDSA signature");
  r.release();
  s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) ossl::throw_error("cannot encode ECDSA signature");
  std::vector<unsigned char> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace emis::auth
