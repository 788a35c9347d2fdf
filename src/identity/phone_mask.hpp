// A phone number as an answer may show it to an administrator: enough to
// recognise it, not enough to learn it.
#pragma once

#include <string>
#include <string_view>

namespace emis::identity {

// Keeps the first 5 characters (the "+" and the country code with a digit
// or two of the network) and the last 2, and puts a "•" for each character
// between: "+84912345678" -> "+8491•••••78". A number of 7 characters or
// fewer keeps only its last 2.
std::string mask_phone(std::string_view phone);

}  // namespace emis::identity
