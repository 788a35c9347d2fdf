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
#include "core/ids.hpp"

namespace emis::auth {
namespace {

namespace fs = std::filesystem;

// Wipes a buffer that held private key material before it is freed.
struct SecretString {
  std::string value;
  ~SecretString() { OPENSSL_cleanse(value.data(), value.size()); }
};

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw_errno("cannot write", path);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

SecretString read_file(const fs::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("cannot open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("cannot stat", path);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    spdlog::warn("signing key {} is accessible to group or others (mode {:o}); it should be 0600",
                 path.string(), st.st_mode & 07777);
  }
  SecretString content;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read", path);
    if (n == 0) break;
    content.value.append(buf, static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return content;
}

void ensure_private_directory(const fs::path& dir) {
  if (fs::exists(dir)) return;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("cannot create directory", dir);
}

// Writes the key so that the final name only ever refers to a complete
// file: a temporary file is created exclusively with mode 0600, synced, and
// then hard-linked to the final name, which fails if another process got
// there first. A crash mid-write therefore never leaves a truncated key.
// Returns false if the key file already existed.
bool publish_new_key_file(const fs::path& path, std::string_view pem) {
  const fs::path tmp = path.string() + ".tmp-" + core::random_token(9);
  {
    FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) throw_errno("cannot create", tmp);
    try {
      write_all(fd.get(), pem, tmp);
      if (::fsync(fd.get()) != 0) throw_errno("cannot sync", tmp);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked == 0) return true;
  if (link_errno == EEXIST) return false;
  errno = link_errno;
  throw_errno("cannot create", path);
}

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
    if (publish_new_key_file(path, pem.value)) {
      spdlog::info("generated JWT signing key {} (kid {})", path.string(), key.kid());
      return key;
    }
    // Another process created the key between our check and our link; use
    // theirs so both issue tokens with the same key.
  }
  const SecretString pem = read_file(path);
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
