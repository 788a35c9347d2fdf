// RFC 7807 problem details: every error a service answers over HTTP.
#pragma once

#include <string>

#include "core/errors.hpp"
#include "http/message.hpp"

namespace emis::http {

int status_for(core::ErrorKind kind) noexcept;

// {type, title, status, detail, instance, errors: {field: [messages]}}
Response problem(int status, const std::string& title, const std::string& detail,
                 const std::string& instance = {});
Response problem(const core::DomainError& error, const std::string& instance = {});

}  // namespace emis::http
