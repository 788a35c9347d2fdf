// The HTTP server: RESTinio with two I/O threads and a worker pool. Handlers
// run on the workers (Dispatch::worker) and answer asynchronously, so SQLite
// and password hashing never block the event loop; trivial handlers (health)
// may run inline on the I/O thread. RESTinio stays behind this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.hpp"
#include "http/message.hpp"

namespace emis::http {

using Handler = std::function<Response(const Request&)>;

// Answers one request once, from any thread. The handler of an asynchronous
// route hands it to work that finishes later (a Database::write_async
// completion), so no thread sleeps while that work waits, e.g. for a flush.
class Reply {
 public:
  struct State;  // the server's; opaque here
  explicit Reply(std::shared_ptr<State> state) : state_(std::move(state)) {}

  void operator()(Response response) const;
  // Answers as if the handler had thrown `error` (problem+json).
  void fail(std::exception_ptr error) const;

 private:
  std::shared_ptr<State> state_;
};

// Answers through `reply`, now or later. If it throws before handing the
// reply on, the exception is answered as a Handler's would be.
using AsyncHandler = std::function<void(const Request&, Reply reply)>;

enum class Method { get, post, put, del };
enum class Dispatch { worker, inline_io };

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;
  std::size_t io_threads = 2;
  std::size_t worker_threads = 4;
  // Larger bodies are answered 413; RESTinio drops connections beyond 1 MiB.
  std::size_t max_body_bytes = 64 * 1024;
  // Reverse proxies whose X-Forwarded-For is believed for Request::remote_address
  // (addresses or CIDR networks); none by default. See http/client_address.hpp.
  std::vector<std::string> trusted_proxies{};
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
  // As route, for a handler that answers through a Reply (on a worker).
  void route_async(Method method, const std::string& pattern, AsyncHandler handler);

  void start();  // binds and returns once listening; throws if the port is taken
  // Stops accepting, lets queued handlers finish, joins every thread. Idempotent.
  void stop();

  const ServerOptions& options() const noexcept;

 private:
  friend class Reply;  // a Reply answers through the server
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emis::http
