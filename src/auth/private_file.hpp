// Files that hold secrets (the JWT signing key, the activation-code key):
// created once, owner-only (0600 in a 0700 directory), never seen half
// written, wiped from memory after use.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace emis::auth {

// Wipes a buffer that held secret material before it is freed.
struct SecretString {
  std::string value;
  ~SecretString();
};

// Creates `dir` with mode 0700 when it does not exist.
void ensure_private_directory(const std::filesystem::path& dir);

// Writes `content` so that `path` only ever refers to a complete file: a
// temporary file is created exclusively with mode 0600, synced, and then
// hard-linked to `path`, which fails if another process got there first.
// A crash mid-write therefore never leaves a truncated file. Returns false,
// writing nothing, if `path` already existed.
bool publish_private_file(const std::filesystem::path& path, std::string_view content);

// Reads the whole file; warns (naming it `what`) when group or others may
// access it.
SecretString read_private_file(const std::filesystem::path& path, const std::string& what);

}  // namespace emis::auth
