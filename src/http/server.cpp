#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <restinio/all.hpp>
#include <vector>

#include "core/errors.hpp"
#include "core/thread_pool.hpp"
#include "http/allowed_methods.hpp"
#include "http/client_address.hpp"
#include "http/problem.hpp"

namespace emis::http {
namespace {

using router_t = restinio::router::express_router_t<>;
struct Traits : restinio::default_traits_t {
  using request_handler_t = router_t;
};
using running_server_t = restinio::running_server_handle_t<Traits>;

struct Route {
  Method method;
  std::string pattern;
  Handler handler;             // or
  AsyncHandler async_handler;  // for route_async
  Dispatch dispatch;
  std::vector<std::string> param_names;
  // The emis_http_requests_total counter of each status 100..599, once used.
  std::unique_ptr<std::atomic<core::Counter*>[]> counters =
      std::make_unique<std::atomic<core::Counter*>[]>(500);
};

// RESTinio cannot enumerate a route's named parameters, so read them from the pattern.
std::vector<std::string> param_names(const std::string& pattern) {
  std::vector<std::string> names;
  for (std::size_t i = pattern.find(':'); i != std::string::npos; i = pattern.find(':', i + 1)) {
    std::size_t end = i + 1;
    while (end < pattern.size() &&
           (std::isalnum(static_cast<unsigned char>(pattern[end])) || pattern[end] == '_'))
      ++end;
    names.push_back(pattern.substr(i + 1, end - i - 1));
  }
  return names;
}

restinio::http_method_id_t to_restinio(Method m) {
  switch (m) {
    case Method::get:
      return restinio::http_method_get();
    case Method::post:
      return restinio::http_method_post();
    case Method::put:
      return restinio::http_method_put();
    case Method::del:
      return restinio::http_method_delete();
  }
  return restinio::http_method_get();
}

Request to_request(const restinio::request_handle_t& req, const restinio::router::route_params_t& params,
                   const std::vector<std::string>& names, const TrustedProxies& proxies) {
  Request r;
  r.method = req->header().method().c_str();
  r.path = std::string(req->header().path());
  r.body = req->body();
  std::string forwarded_for;  // every X-Forwarded-For field, in order: proxies may add one each
  for (const auto& field : req->header()) {
    std::string name(field.name());
    if (!proxies.empty() && strcasecmp(name.c_str(), "X-Forwarded-For") == 0)
      forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(field.value());
    r.headers[std::move(name)] = std::string(field.value());
  }
  r.remote_address = proxies.client_address(req->remote_endpoint().address().to_string(), forwarded_for);
  // try_parse_query already decodes %XX and '+' (decoding again broke every
  // value with a space, '%' or a non-ASCII letter); the relaxed traits accept
  // what RFC 3986 allows unescaped in a query, such as '@' and ':'.
  auto query = restinio::try_parse_query<restinio::parse_query_traits::relaxed>(req->header().query());
  if (!query)
    throw core::DomainError(core::ErrorKind::validation, "Malformed query string",
                            query.error().description());
  for (const auto& [name, value] : *query) r.query[std::string(name)] = std::string(value);
  for (const auto& name : names)
    if (params.has(name)) r.params[name] = std::string(params[name]);
  return r;
}

// Takes the response by value: its body is moved into the answer, not copied.
void send(const restinio::request_handle_t& req, Response res) {
  auto builder = req->create_response(
      restinio::http_status_line_t{restinio::http_status_code_t{static_cast<std::uint16_t>(res.status)}, ""});
  if (!res.content_type.empty()) builder.append_header(restinio::http_field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) builder.append_header(name, value);
  builder.set_body(std::move(res.body));
  builder.done();
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  core::MetricsRegistry& metrics;
  std::vector<Route> routes;
  AllowedMethods allowed;  // of every route, filled by start()
  TrustedProxies proxies;
  std::optional<core::ThreadPool> workers;
  running_server_t server;
  // Replies not answered yet (their work may finish on another thread):
  // stop() waits for them while the event loop can still send.
  std::mutex replies_mutex;
  std::condition_variable replies_done;
  std::size_t open_replies = 0;

  Impl(ServerOptions o, core::MetricsRegistry& m)
      : options(std::move(o)), metrics(m), proxies(options.trusted_proxies) {}

  void check_body(const Request& request) const {
    if (request.body.size() > options.max_body_bytes)
      throw core::DomainError(
          core::ErrorKind::payload_too_large, "Payload too large",
          "The request body exceeds " + std::to_string(options.max_body_bytes) + " bytes.");
  }

  Response invoke(const Route& route, const Request& request) const {
    try {
      check_body(request);
      return route.handler(request);
    } catch (...) {
      return answer_error(std::current_exception(), request.method, request.path);
    }
  }

  // The problem+json answer to a handler's exception.
  static Response answer_error(std::exception_ptr error, const std::string& method, const std::string& path) {
    try {
      std::rethrow_exception(error);
    } catch (const core::DomainError& e) {
      if (e.kind() == core::ErrorKind::internal || e.kind() == core::ErrorKind::transient)
        spdlog::warn("{} {}: {}", method, path, e.what());
      return problem(e, path);
    } catch (const std::exception& e) {
      spdlog::error("{} {} failed: {}", method, path, e.what());
    } catch (...) {
      spdlog::error("{} {} failed", method, path);
    }
    return problem(500, "Internal server error", "The request could not be processed.", path);
  }

  void count(const Route& route, int status) {
    // The registry lookup builds a label map: do it once per route and status.
    auto* slot =
        status >= 100 && status < 600 ? &route.counters[static_cast<std::size_t>(status - 100)] : nullptr;
    core::Counter* counter = slot ? slot->load(std::memory_order_acquire) : nullptr;
    if (!counter) {
      counter = &metrics.counter("emis_http_requests_total", "HTTP requests answered",
                                 {{"route", route.pattern}, {"status", std::to_string(status)}});
      if (slot) slot->store(counter, std::memory_order_release);
    }
    counter->inc();
  }
};

struct Reply::State {
  State(Server::Impl& i, const Route& r, restinio::request_handle_t q, std::string m, std::string p)
      : impl(i), route(r), req(std::move(q)), method(std::move(m)), path(std::move(p)) {
    std::lock_guard lock(impl.replies_mutex);
    ++impl.open_replies;
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    std::lock_guard lock(impl.replies_mutex);
    if (--impl.open_replies == 0) impl.replies_done.notify_all();
  }

  void answer(Response res) {
    if (answered.exchange(true)) {
      spdlog::error("{} {} answered twice; the second answer is dropped", method, path);
      return;
    }
    impl.count(route, res.status);
    send(req, std::move(res));
  }

  Server::Impl& impl;
  const Route& route;
  restinio::request_handle_t req;
  std::string method, path;
  std::atomic<bool> answered{false};
};

void Reply::operator()(Response response) const { state_->answer(std::move(response)); }

void Reply::fail(std::exception_ptr error) const {
  state_->answer(Server::Impl::answer_error(std::move(error), state_->method, state_->path));
}

Server::Server(ServerOptions options, core::MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {}

Server::~Server() { stop(); }

const ServerOptions& Server::options() const noexcept { return impl_->options; }

void Server::route(Method method, const std::string& pattern, Handler handler, Dispatch dispatch) {
  impl_->routes.push_back({method, pattern, std::move(handler), {}, dispatch, param_names(pattern)});
}

void Server::route_async(Method method, const std::string& pattern, AsyncHandler handler) {
  impl_->routes.push_back({method, pattern, {}, std::move(handler), Dispatch::worker, param_names(pattern)});
}

void Server::start() {
  auto& impl = *impl_;
  impl.workers.emplace(impl.options.worker_threads);
  auto router = std::make_unique<router_t>();
  for (const auto& route : impl.routes) {
    router->add_handler(
        to_restinio(route.method), route.pattern,
        [&impl, &route](const restinio::request_handle_t& req, restinio::router::route_params_t params) {
          Request request;
          try {
            request = to_request(req, params, route.param_names, impl.proxies);
          } catch (const std::exception& e) {
            // An answer, not a dropped connection, for a request we cannot read.
            const auto* domain = dynamic_cast<const core::DomainError*>(&e);
            auto res = domain ? problem(*domain, std::string(req->header().path()))
                              : problem(400, "Bad request", "The request could not be read.",
                                        std::string(req->header().path()));
            impl.count(route, res.status);
            send(req, std::move(res));
            return restinio::request_accepted();
          }
          if (route.dispatch == Dispatch::inline_io) {
            auto res = impl.invoke(route, request);
            impl.count(route, res.status);
            send(req, std::move(res));
            return restinio::request_accepted();
          }
          try {
            if (route.async_handler) {
              impl.workers->post([&impl, &route, req, request = std::move(request)] {
                const Reply reply(
                    std::make_shared<Reply::State>(impl, route, req, request.method, request.path));
                try {
                  impl.check_body(request);
                  route.async_handler(request, reply);
                } catch (...) {
                  reply.fail(std::current_exception());
                }
              });
              return restinio::request_accepted();
            }
            impl.workers->post([&impl, &route, req, request = std::move(request)] {
              auto res = impl.invoke(route, request);
              impl.count(route, res.status);
              send(req, std::move(res));
            });
          } catch (const std::exception&) {
            send(req, problem(503, "Service unavailable", "The service is shutting down."));
          }
          return restinio::request_accepted();
        });
  }
  for (const auto& route : impl.routes) impl.allowed.add(route.method, route.pattern);
  // A known path asked with a method it has no route for is 405 with Allow
  // (RFC 9110), so a client can tell a wrong method from a wrong path.
  router->non_matched_request_handler([&impl](const restinio::request_handle_t& req) {
    const std::string path(req->header().path());
    const auto allow = impl.allowed.allow_header(path);
    if (allow.empty()) {
      send(req, problem(404, "Not found", "No resource matches this path.", path));
    } else {
      send(req, problem(405, "Method not allowed", "This resource supports " + allow + ".", path)
                    .with_header("Allow", allow));
    }
    return restinio::request_accepted();
  });

  impl.server = restinio::run_async<Traits>(
      restinio::own_io_context(),
      restinio::server_settings_t<Traits>{}
          .address(impl.options.address)
          .port(impl.options.port)
          .request_handler(std::move(router))
          .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}.max_body_size(1024 * 1024))
          .handle_request_timeout(std::chrono::seconds(30)),
      impl.options.io_threads);
}

void Server::stop() {
  auto& impl = *impl_;
  if (impl.server) {
    // Workers first: queued requests still get their answer while the loop runs.
    if (impl.workers) impl.workers->shutdown();
    {
      std::unique_lock lock(impl.replies_mutex);
      impl.replies_done.wait(lock, [&] { return impl.open_replies == 0; });
    }
    impl.server->stop();
    impl.server->wait();
    impl.server.reset();
  }
}

}  // namespace emis::http
