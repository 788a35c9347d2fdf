// The address a request comes from when reverse proxies stand in front of the
// service: the TCP peer's, unless the peer is a proxy the operator trusts
// (EMIS_TRUSTED_PROXIES); then the right-most X-Forwarded-For address that is
// not itself a trusted proxy, since each proxy appends the address it saw and
// only the trusted ones' appends can be believed.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace emis::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // none: X-Forwarded-For is never believed
  // Addresses or networks, IPv4 or IPv6: "10.0.0.5", "10.0.0.0/8", "::1",
  // "fd00::/8". Throws std::invalid_argument naming an entry it cannot read.
  explicit TrustedProxies(const std::vector<std::string>& entries);

  bool empty() const noexcept { return networks_.empty(); }
  bool contains(std::string_view address) const;

  // `forwarded_for` is every X-Forwarded-For value of the request, joined by
  // commas in the order received.
  std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

 private:
  struct Network {
    std::array<unsigned char, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    unsigned prefix = 128;
  };
  std::vector<Network> networks_;
};

}  // namespace emis::http
