// Phone numbers as identities: parsed with libphonenumber in a default region
// (national forms like 0912345678 are read as that country's), accepted only
// when valid, and stored in E.164 (+84912345678) so one person has one form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace emis::core {

// The E.164 form of `text`, or nullopt when it is not a valid number.
std::optional<std::string> normalize_phone(std::string_view text, const std::string& default_region);

// Whether a search term is written like a phone number (digits and the
// usual separators only). libphonenumber also reads letters as keypad
// digits, so only such terms should be normalised before a search.
bool looks_like_phone(std::string_view term);

// Loads libphonenumber's metadata and the patterns of `region` now: about
// 10 ms of CPU that the first number read would otherwise cost, which made a
// service's first request (and its first event) that much slower.
void load_phone_metadata(const std::string& region);

}  // namespace emis::core
