// libsodium must be initialised before its hashing and random functions are
// used; every entry point of this library that needs it calls this first.
#pragma once

namespace emis::auth {

// Runs sodium_init() once per process (thread-safe); throws if it fails.
void ensure_sodium_initialised();

}  // namespace emis::auth
