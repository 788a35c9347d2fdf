#include "core/ids.hpp"

#include <sodium.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <utility>

#include "core/sodium.hpp"

namespace emis::core {

namespace {

// The millisecond and the 12-bit counter (rand_a, RFC 9562 section 6.2,
// method 1) of the last id this process made. A new millisecond starts the
// counter at a random value below 2^11, so that up to 2048 ids fit in it;
// past 4095 the id borrows the next millisecond rather than repeat.
struct Sequence {
  std::mutex mutex;
  std::uint64_t ms = 0;
  unsigned counter = 0;

  // The millisecond and counter of the next id, given the clock's `now` and
  // 11 random bits.
  std::pair<std::uint64_t, unsigned> next(std::uint64_t now, unsigned random) {
    const std::lock_guard lock(mutex);
    if (now > ms) {
      ms = now;
      counter = random;
    } else if (++counter > 0xfff) {
      ++ms;
      counter = 0;
    }
    return {ms, counter};
  }
};

}  // namespace

std::string new_uuid() {
  ensure_sodium_initialised();
  std::array<unsigned char, 16> b{};
  randombytes_buf(b.data(), b.size());
  const auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
  static Sequence sequence;
  const auto [ms, counter] = sequence.next(now, ((b[6] << 8) | b[7]) & 0x7ff);
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));  // big-endian
  b[6] = static_cast<unsigned char>(0x70 | (counter >> 8));                                   // version 7
  b[7] = static_cast<unsigned char>(counter & 0xff);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0f]);
  }
  return out;
}

bool is_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string random_token(std::size_t bytes) {
  ensure_sodium_initialised();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string random_hex(std::size_t bytes) {
  ensure_sodium_initialised();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();  // the terminating NUL
  return hex;
}

}  // namespace emis::core
