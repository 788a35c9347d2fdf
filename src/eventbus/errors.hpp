// How the consumer classifies a failed event: a permanent failure goes to the
// dead-letter topic at once; a transient one is retried and never skipped.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace emis::eventbus {

// The message can never be handled as it is (malformed, unknown type or
// version, rejected by validation). `error_class` names the reason in the
// dead letter's headers: "malformed", "unknown-type", "unsupported-version",
// "validation", "conflict".
class PermanentError : public std::runtime_error {
 public:
  PermanentError(std::string error_class, const std::string& message)
      : std::runtime_error(message), error_class_(std::move(error_class)) {}
  const std::string& error_class() const noexcept { return error_class_; }

 private:
  std::string error_class_;
};

enum class FailureKind { permanent, transient, unclassified };

struct Failure {
  FailureKind kind;
  std::string error_class;
  std::string message;
};

// Classifies the exception in flight (call inside a catch block).
Failure classify_current_exception();

}  // namespace emis::eventbus
