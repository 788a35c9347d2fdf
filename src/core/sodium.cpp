#include "core/sodium.hpp"

#include <sodium.h>

#include <stdexcept>

namespace emis::core {

void ensure_sodium_initialised() {
  // A function-local static is initialised exactly once even under
  // concurrent first calls; sodium_init() returns 1 when already done.
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace emis::core
