// Which methods a request path supports, across every route of a server: what
// a 405 answer's Allow header lists (RFC 9110 15.5.6) for a known path asked
// with a method it has no route for. Patterns are matched exactly as RESTinio's
// express router matches them, so "known path" means the same to both.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http/server.hpp"

namespace emis::http {

class AllowedMethods {
 public:
  AllowedMethods();
  ~AllowedMethods();
  AllowedMethods(AllowedMethods&&) noexcept;
  AllowedMethods& operator=(AllowedMethods&&) noexcept;

  // Call once per route; a pattern seen again gains the method.
  void add(Method method, const std::string& pattern);

  // "GET, PUT, DELETE" for a path some pattern matches; empty for an unknown path.
  std::string allow_header(std::string_view path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

const char* method_name(Method method) noexcept;

}  // namespace emis::http
