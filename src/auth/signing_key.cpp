#include "auth/signing_key.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "auth/openssl_handles.hpp"
#include "auth/private_file.hpp"
#include "core/ids.hpp"

namespace emis::auth {
namespace {

namespace fs = std::filesystem;

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) return false;
  return std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0;
}

std::vector<unsigned char> bignum_param(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) ossl::throw_error("cannot read EC public key");
  ossl::BignumPtr bn(raw);
  std::vector<unsigned char> out(kEs256CoordinateSize);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) < 0) {
    ossl::throw_error("EC coordinate does not fit P-256");
  }
  return out;
}

PublicKey public_part(EVP_PKEY* key) {
  const auto x = bignum_param(key, OSSL_PKEY_PARAM_EC_PUB_X);
  const auto y = bignum_param(key, OSSL_PKEY_PARAM_EC_PUB_Y);
  return PublicKey::from_coordinates(PublicKey::Coordinate(x.data(), kEs256CoordinateSize),
                                     PublicKey::Coordinate(y.data(), kEs256CoordinateSize));
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}

SigningKey SigningKey::generate() {
  ossl::PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) ossl::throw_error("cannot generate P-256 key");
  PublicKey pub = public_part(key.get());
  return SigningKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), std::move(pub));
}

SigningKey SigningKey::from_pem(std::string_view pem) {
  ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) ossl::throw_error("cannot allocate BIO");
  // A callback that supplies no passphrase: without one, OpenSSL would
  // prompt on the terminal for an encrypted key and block the service.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ossl::clear_errors();
    throw std::invalid_argument("not a PEM private key");
  }
  if (!is_p256(key.get())) throw std::invalid_argument("signing key is not an EC P-256 key");
  PublicKey pub = public_part(key.get());
  return SigningKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), std::move(pub));
}

std::string SigningKey::to_pem() const {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ossl::throw_error("cannot encode signing key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(len));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return pem;
}

SigningKey SigningKey::load_or_create(const std::filesystem::path& dir) {
  const fs::path path = dir / kFileName;
  if (!fs::exists(path)) {
    ensure_private_directory(dir);
    SigningKey key = generate();
    const SecretString pem{key.to_pem()};
    if (publish_private_file(path, pem.value)) {
      spdlog::info("generated JWT signing key {} (kid {})", path.string(), key.kid());
      return key;
    }
    // Another process created the key between our check and our link; use
    // theirs so both issue tokens with the same key.
  }
  const SecretString pem = read_private_file(path, "signing key");
  try {
    return from_pem(pem.value);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("signing key file " + path.string() + " is unusable: " + e.what());
  }
}

Es256Signature SigningKey::sign(std::string_view signing_input) const {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    ossl::throw_error("cannot initialise ES256 signing");
  }
  const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t der_len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &der_len, data, signing_input.size()) != 1) {
    ossl::throw_error("cannot size ES256 signature");
  }
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, data, signing_input.size()) != 1) {
    ossl::throw_error("ES256 signing failed");
  }
  der.resize(der_len);
  return raw_from_der(der);
}

}  // namespace emis::auth
