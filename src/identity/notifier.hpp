// The port through which a code reaches its person: a text message to a
// phone. Implementations deliver one message or throw; retrying, and
// giving up, is the SMS sender's job (sms_sender.hpp), so that no
// implementation can lose a message quietly.
#pragma once

#include <stdexcept>
#include <string>

namespace emis::identity {

struct TextMessage {
  std::string to;  // E.164
  std::string text;
};

// A delivery that failed. Its text says why, never what the message said.
class NotifierError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Returns once the message was handed over; throws NotifierError when not.
  virtual void send(const TextMessage& message) = 0;
};

}  // namespace emis::identity
