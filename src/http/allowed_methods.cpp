#include "http/allowed_methods.hpp"

#include <algorithm>
#include <restinio/all.hpp>
#include <vector>

namespace emis::http {
namespace {

using Engine = restinio::router::std_regex_engine_t;  // the express router's default

struct Pattern {
  std::string text;
  Engine::compiled_regex_t regex;
  std::vector<Method> methods;
};

}  // namespace

struct AllowedMethods::Impl {
  std::vector<Pattern> patterns;
};

AllowedMethods::AllowedMethods() : impl_(std::make_unique<Impl>()) {}
AllowedMethods::~AllowedMethods() = default;
AllowedMethods::AllowedMethods(AllowedMethods&&) noexcept = default;
AllowedMethods& AllowedMethods::operator=(AllowedMethods&&) noexcept = default;

const char* method_name(Method method) noexcept {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::del:
      return "DELETE";
  }
  return "GET";
}

void AllowedMethods::add(Method method, const std::string& pattern) {
  auto& patterns = impl_->patterns;
  auto it =
      std::find_if(patterns.begin(), patterns.end(), [&](const Pattern& p) { return p.text == pattern; });
  if (it == patterns.end()) {
    // The same translation the express router applies to its routes.
    auto data = restinio::path2regex::path2regex<restinio::router::impl::route_params_appender_t, Engine>(
        pattern, restinio::path2regex::options_t{});
    it = patterns.insert(patterns.end(), Pattern{pattern, std::move(data.m_regex), {}});
  }
  if (std::find(it->methods.begin(), it->methods.end(), method) == it->methods.end())
    it->methods.push_back(method);
}

std::string AllowedMethods::allow_header(std::string_view path) const {
  std::vector<Method> allowed;
  try {
    // Normalised (percent-encoded unreserved characters decoded) as the router does.
    const restinio::router::impl::target_path_holder_t target{path};
    for (const auto& pattern : impl_->patterns) {
      Engine::match_results_t matches;
      if (!Engine::try_match(target.view(), pattern.regex, matches)) continue;
      for (const auto method : pattern.methods)
        if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) allowed.push_back(method);
    }
  } catch (const std::exception&) {
    return {};  // a path the router cannot read matches no route either
  }
  // A fixed order (that of Method), whatever order the routes were added in.
  std::sort(allowed.begin(), allowed.end());
  std::string header;
  for (const auto method : allowed) {
    if (!header.empty()) header += ", ";
    header += method_name(method);
  }
  return header;
}

}  // namespace emis::http
