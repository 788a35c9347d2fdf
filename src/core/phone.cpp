#include "core/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace emis::core {

std::optional<std::string> normalize_phone(std::string_view text, const std::string& default_region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  if (text.empty() || text.size() > 32) return std::nullopt;
  const auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(std::string(text), default_region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return std::nullopt;
  if (!util->IsValidNumber(number)) return std::nullopt;
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

void load_phone_metadata(const std::string& region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber example;
  if (!util->GetExampleNumber(region, &example)) return;  // an unknown region: nothing to load
  std::string national;
  util->Format(example, PhoneNumberUtil::NATIONAL, &national);
  normalize_phone(national, region);
}

bool looks_like_phone(std::string_view term) {
  return std::all_of(term.begin(), term.end(), [](unsigned char c) {
    return std::isdigit(c) || c == '+' || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
  });
}

}  // namespace emis::core
