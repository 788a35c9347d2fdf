// The HTTP server: RESTinio with two I/O threads and a worker pool. Handlers
// run on the workers (Dispatch::worker) and answer asynchronously, so SQLite
// and password hashing never block the event loop; trivial handlers (health)
// may run inline on the I/O thread. RESTinio stays behind this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.hpp"
#include "http/message.hpp"

namespace emis::http {

using Handler = std::function<Response(const Request&)>;

enum class Method { get, post, put, del };
enum class Dispatch { worker, inline_io };

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;
  std::size_t io_threads = 2;
  std::size_t worker_threads = 4;
  // Larger bodies are answered 413; RESTinio drops connections beyond 1 MiB.
  std::size_t max_body_bytes = 64 * 1024;
};

class Server {
 public:
  Server(ServerOptions options, core::MetricsRegistry& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Pattern syntax is RESTinio's express style: "/api/v1/teachers/:id".
  // Exceptions from a handler become problem+json (DomainError by its kind,
  // anything else 500 without internals). Routes are added before start().
  void route(Method method, const std::string& pattern, Handler handler,
             Dispatch dispatch = Dispatch::worker);

  void start();  // binds and returns once listening; throws if the port is taken
  // Stops accepting, lets queued handlers finish, joins every thread. Idempotent.
  void stop();

  const ServerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emis::http
