#include "identity/admin_password.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "core/errors.hpp"

namespace emis::identity {
namespace {

// Turns terminal echo off while it lives, when stdin is a terminal.
class NoEcho {
 public:
  NoEcho() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    if (active_) std::cerr << "Password: " << std::flush;
  }
  ~NoEcho() {
    if (!active_) return;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    std::cerr << '\n';
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

std::string read_admin_password(const core::Config& config, std::istream& in) {
  if (auto from_env = config.string("admin_password", ""); !from_env.empty()) return from_env;
  std::string line;
  {
    const NoEcho quiet;
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    throw core::DomainError(core::ErrorKind::validation, "Missing password",
                            "Give the password on standard input or in EMIS_ADMIN_PASSWORD.",
                            {{"password", "is required"}});
  return line;
}

}  // namespace emis::identity
