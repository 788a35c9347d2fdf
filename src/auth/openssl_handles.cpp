#include "auth/openssl_handles.hpp"

#include <openssl/err.h>

#include <stdexcept>
#include <string>

namespace emis::auth::ossl {

void throw_error(const char* what) {
  std::string message = what;
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void clear_errors() noexcept { ERR_clear_error(); }

}  // namespace emis::auth::ossl
