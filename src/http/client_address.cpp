#include "http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace emis::http {
namespace {

using Bytes = std::array<unsigned char, 16>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An IPv4 address becomes its IPv4-mapped IPv6 form, so "10.0.0.1" and
// "::ffff:10.0.0.1" (a dual-stack socket's view of it) are one address.
std::optional<Bytes> parse_address(std::string_view text) {
  const std::string s(text);
  Bytes bytes{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::copy(v4, v4 + 4, bytes.begin() + 12);
    return bytes;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) return bytes;
  return std::nullopt;
}

bool is_v4_mapped(const Bytes& b) {
  return std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; }) && b[10] == 0xff &&
         b[11] == 0xff;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries) {
  for (const auto& raw : entries) {
    const auto entry = trim(raw);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = parse_address(entry.substr(0, slash));
    if (!address)
      throw std::invalid_argument("trusted proxies: not an IP address or network: " + std::string(entry));
    Network network{*address, 128};
    if (slash != std::string_view::npos) {
      const auto bits = entry.substr(slash + 1);
      const unsigned max = is_v4_mapped(*address) && entry.find(':') == std::string_view::npos ? 32 : 128;
      unsigned prefix = 0;
      if (bits.empty() || bits.size() > 3 ||
          !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          (prefix = static_cast<unsigned>(std::stoul(std::string(bits)))) > max)
        throw std::invalid_argument("trusted proxies: bad prefix length in " + std::string(entry));
      network.prefix = max == 32 ? prefix + 96 : prefix;
    }
    networks_.push_back(network);
  }
}

bool TrustedProxies::contains(std::string_view address) const {
  const auto bytes = parse_address(trim(address));
  if (!bytes) return false;
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) {
    const unsigned whole = n.prefix / 8, rest = n.prefix % 8;
    if (!std::equal(n.bytes.begin(), n.bytes.begin() + whole, bytes->begin())) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (n.bytes[whole] & mask) == ((*bytes)[whole] & mask);
  });
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for) const {
  if (!contains(peer)) return peer;
  // Right to left: each trusted hop vouches for the address to its left.
  std::string client = peer;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    // Garbage cannot be a client address: the last hop that could be believed stands.
    if (!parse_address(hop)) break;
    client = std::string(hop);
    if (!contains(hop)) break;
  }
  return client;
}

}  // namespace emis::http
