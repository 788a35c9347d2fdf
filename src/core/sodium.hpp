// libsodium must be initialised before its hashing and random functions are
// used; every function of this project that needs it calls this first. The
// one home of sodium_init().
#pragma once

namespace emis::core {

// Runs sodium_init() once per process (thread-safe); throws if it fails.
void ensure_sodium_initialised();

}  // namespace emis::core
