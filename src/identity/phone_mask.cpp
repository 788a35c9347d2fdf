#include "identity/phone_mask.hpp"

namespace emis::identity {

std::string mask_phone(std::string_view phone) {
  constexpr std::size_t kShownHead = 5, kShownTail = 2;
  constexpr std::string_view kBullet = "•";
  const std::size_t head = phone.size() > kShownHead + kShownTail ? kShownHead : 0;
  const std::size_t tail = phone.size() > kShownTail ? kShownTail : 0;
  std::string masked(phone.substr(0, head));
  for (std::size_t i = head; i + tail < phone.size(); ++i) masked += kBullet;
  masked += phone.substr(phone.size() - tail);
  return masked;
}

}  // namespace emis::identity
