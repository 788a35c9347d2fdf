#include "auth/base64url.hpp"

#include <sodium.h>

#include <string>

namespace emis::auth {
namespace {
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

std::string base64url_encode(std::span<const unsigned char> bytes) {
  // The encoded length libsodium reports includes the terminating NUL.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  return base64url_encode(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.empty()) return std::string{};
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t out_len = 0;
  const char* end = nullptr;
  const int rc = sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                                   text.size(), /*ignore=*/nullptr, &out_len, &end, kVariant);
  // libsodium stops at the first character it cannot decode and reports
  // success for what came before; a partial parse is a malformed input here.
  if (rc != 0 || end != text.data() + text.size()) return std::nullopt;
  out.resize(out_len);
  return out;
}

}  // namespace emis::auth
