// A small HTTP/1.1 keep-alive load generator for the benchmark scripts.
//
//   http_load --url http://127.0.0.1:5001/health/live -c 64 -d 5
//   http_load --url http://127.0.0.1:5001/api/v1/teachers -m POST -c 64 -d 10
//     -H "Authorization: Bearer $token"
//     --body '{"fullName":"T {n}","phoneNumber":"091{n:07}"}'
//
// Each of --connections connections sends one request at a time (closed loop)
// until --duration seconds have passed or --requests were sent. In a POST
// body, `{n}` becomes a counter unique to the request (starting at --start);
// `{n:07}` pads it with zeros to 7 digits, `{n%8}` takes it modulo 8 (both can
// be combined: `{n%8:03}`). Latency is from writing the request to having read
// the whole response. Prints one JSON object: requests, seconds, req_per_s,
// latency percentiles in ms, counts per status code, the values seen for each
// --capture header, and errors. Only loopback targets are accepted.
//
// Single-threaded by default (--threads): the server under test shares the
// machine's cores with this client.
#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#include <CLI/CLI.hpp>
#include <algorithm>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;

constexpr double kMaxDuration = 600;  // seconds
constexpr std::uint64_t kMaxRequests = 50'000'000;

// A body template: literal text and `{n[%K][:0W]}` placeholders.
class Template {
 public:
  explicit Template(const std::string& text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      const auto open = text.find("{n", pos);
      const auto close = open == std::string::npos ? std::string::npos : text.find('}', open);
      if (close == std::string::npos) {
        parts_.push_back({text.substr(pos), false, 0, 0});
        break;
      }
      if (open > pos) parts_.push_back({text.substr(pos, open - pos), false, 0, 0});
      Part p{"", true, 0, 0};
      std::string spec = text.substr(open + 2, close - open - 2);  // "%8:03", ":07", ""
      if (const auto colon = spec.find(':'); colon != std::string::npos) {
        p.width = std::stoi(spec.substr(colon + 1));
        spec.resize(colon);
      }
      if (!spec.empty()) {
        if (spec[0] != '%') throw std::invalid_argument("bad placeholder {n" + spec + "}");
        p.modulo = std::stoull(spec.substr(1));
      }
      parts_.push_back(p);
      pos = close + 1;
    }
  }

  std::string expand(std::uint64_t n) const {
    std::string out;
    for (const auto& p : parts_) {
      if (!p.placeholder) {
        out += p.text;
        continue;
      }
      const auto digits = std::to_string(p.modulo ? n % p.modulo : n);
      if (digits.size() < static_cast<std::size_t>(p.width)) out.append(p.width - digits.size(), '0');
      out += digits;
    }
    return out;
  }

 private:
  struct Part {
    std::string text;
    bool placeholder;
    std::uint64_t modulo;
    int width;
  };
  std::vector<Part> parts_;
};

struct Options {
  std::string url;
  std::string method = "GET";
  std::optional<std::string> body;
  std::vector<std::string> headers;
  std::vector<std::string> capture;
  int connections = 64;
  int threads = 1;
  double duration = 10;
  std::uint64_t requests = kMaxRequests;
  std::uint64_t start = 0;
  double grace = 10;  // seconds after the deadline before in-flight requests are abandoned
};

struct Target {
  std::string host, port, path;
};

Target parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("only http:// URLs: " + url);
  const auto rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  Target t;
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || authority.back() == ']') {
    t.host = authority;
    t.port = "80";
  } else {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
  }
  if (t.host.size() > 1 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// What every connection shares (read-only, or atomic).
struct Shared {
  const Options& options;
  std::vector<tcp::endpoint> endpoints;
  std::string head;  // request line and fixed headers, without Content-Length and the blank line
  std::optional<Template> body;
  Clock::time_point started, deadline;
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> counter{0};

  std::string request(std::uint64_t n) const {
    if (!body) return head + "\r\n";
    const auto b = body->expand(n);
    return head + "Content-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
  }
};

// Per-connection results, merged at the end (no locking on the hot path).
struct Stats {
  std::vector<std::uint32_t> latency_us;
  std::map<int, std::uint64_t> status;
  std::map<std::string, std::map<std::string, std::uint64_t>> captured;
  std::uint64_t connect_errors = 0, io_errors = 0, parse_errors = 0, reconnects = 0;
  Clock::time_point last_done{};
};

class ProtocolError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Response {
  int status = 0;
  bool close = false;
};

// Reads more bytes into `buf`; throws system_error on EOF or failure.
asio::awaitable<void> fill(tcp::socket& socket, std::string& buf) {
  char chunk[16 * 1024];
  const auto n = co_await socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
  buf.append(chunk, n);
}

// Reads one response from the front of `buf` (refilling from the socket),
// removes it from `buf`, and records the captured headers.
asio::awaitable<Response> read_response(tcp::socket& socket, std::string& buf, const Options& options,
                                        Stats& stats) {
  std::size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 64 * 1024) throw ProtocolError("response head too large");
    co_await fill(socket, buf);
  }
  Response r;
  const std::string_view head(buf.data(), head_end + 2);
  const auto line_end = head.find("\r\n");
  const auto status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) throw ProtocolError("bad status line");
  r.status = std::stoi(std::string(status_line.substr(9, 3)));
  r.close = status_line.rfind("HTTP/1.0", 0) == 0;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  for (auto pos = line_end + 2; pos < head.size();) {
    const auto end = head.find("\r\n", pos);
    const auto line = head.substr(pos, end - pos);
    pos = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto name = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length"))
      content_length = std::stoull(std::string(value));
    else if (iequals(name, "Transfer-Encoding"))
      chunked = value.find("chunked") != std::string_view::npos;
    else if (iequals(name, "Connection"))
      r.close = iequals(value, "close");
    for (const auto& wanted : options.capture)
      if (iequals(name, wanted)) ++stats.captured[wanted][std::string(value)];
  }
  std::size_t pos = head_end + 4;
  if (chunked) {
    for (;;) {  // size line, data, CRLF; a zero size ends it (no trailers expected)
      std::size_t eol;
      while ((eol = buf.find("\r\n", pos)) == std::string::npos) co_await fill(socket, buf);
      const auto size = std::stoull(buf.substr(pos, eol - pos), nullptr, 16);
      const auto need = eol + 2 + size + 2;
      while (buf.size() < need) co_await fill(socket, buf);
      pos = need;
      if (size == 0) break;
    }
  } else if (content_length) {
    const auto need = pos + *content_length;
    while (buf.size() < need) co_await fill(socket, buf);
    pos = need;
  } else if (r.status >= 200 && r.status != 204 && r.status != 304) {
    throw ProtocolError("response without Content-Length");
  }
  buf.erase(0, pos);
  co_return r;
}

asio::awaitable<void> run_connection(Shared& shared, Stats& stats) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  std::string buf;
  bool connected = false;
  while (Clock::now() < shared.deadline) {
    if (!connected) {
      asio::error_code ec;
      socket = tcp::socket(executor);
      co_await asio::async_connect(socket, shared.endpoints, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        ++stats.connect_errors;
        asio::steady_timer pause(executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::use_awaitable);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      buf.clear();
      connected = true;
    }
    if (shared.issued.fetch_add(1) >= shared.options.requests) break;
    const auto request = shared.request(shared.options.start + shared.counter.fetch_add(1));
    const auto t0 = Clock::now();
    try {
      co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
      const auto response = co_await read_response(socket, buf, shared.options, stats);
      const auto t1 = Clock::now();
      stats.latency_us.push_back(
          static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
      ++stats.status[response.status];
      stats.last_done = t1;
      if (response.close) {
        socket.close();
        connected = false;
        ++stats.reconnects;
      }
    } catch (const ProtocolError&) {
      ++stats.parse_errors;
      socket.close();
      connected = false;
    } catch (const std::exception&) {  // system_error (reset, EOF) or a malformed number
      ++stats.io_errors;
      socket.close();
      connected = false;
    }
  }
}

double percentile_ms(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i =
      std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP/1.1 keep-alive load generator (loopback targets only)"};
  Options o;
  std::string body;
  app.add_option("--url,-u", o.url, "http://127.0.0.1:PORT/path")->required();
  app.add_option("--method,-m", o.method, "GET or POST")
      ->check(CLI::IsMember({"GET", "POST", "PUT", "DELETE"}));
  app.add_option("--body,-b", body, "request body template ({n}, {n:07}, {n%K})");
  app.add_option("--header,-H", o.headers, "extra header, e.g. 'Authorization: Bearer T'");
  app.add_option("--capture", o.capture, "response header whose values to count, e.g. Retry-After");
  app.add_option("--connections,-c", o.connections)->check(CLI::Range(1, 4096));
  app.add_option("--threads,-t", o.threads)->check(CLI::Range(1, 16));
  app.add_option("--duration,-d", o.duration, "seconds")->check(CLI::Range(0.1, kMaxDuration));
  app.add_option("--requests,-n", o.requests, "at most this many requests")
      ->check(CLI::Range(std::uint64_t{1}, kMaxRequests));
  app.add_option("--start", o.start, "first value of {n}");
  app.add_option("--grace", o.grace, "seconds to wait for in-flight requests after the deadline")
      ->check(CLI::Range(0.0, 60.0));
  CLI11_PARSE(app, argc, argv);
  if (app.count("--body")) o.body = body;

  try {
    const auto target = parse_url(o.url);
    Shared shared{o, {}, {}, {}, {}, {}};
    {
      asio::io_context resolver_context;
      tcp::resolver resolver(resolver_context);
      for (const auto& entry : resolver.resolve(target.host, target.port))
        if (entry.endpoint().address().is_loopback()) shared.endpoints.push_back(entry.endpoint());
      if (shared.endpoints.empty()) throw std::invalid_argument("not a loopback target: " + target.host);
    }
    shared.head = o.method + " " + target.path + " HTTP/1.1\r\nHost: " + target.host + ":" + target.port +
                  "\r\nUser-Agent: emis-http-load\r\nAccept: */*\r\n";
    for (const auto& h : o.headers) shared.head += h + "\r\n";
    if (o.body) {
      shared.body.emplace(*o.body);
      shared.head += "Content-Type: application/json\r\n";
    }

    std::vector<Stats> stats(static_cast<std::size_t>(o.connections));
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < o.threads; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    shared.started = Clock::now();
    shared.deadline = shared.started +
                      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
    for (int i = 0; i < o.connections; ++i) {
      auto& ctx = *contexts[static_cast<std::size_t>(i % o.threads)];
      stats[static_cast<std::size_t>(i)].latency_us.reserve(4096);
      asio::co_spawn(ctx, run_connection(shared, stats[static_cast<std::size_t>(i)]), asio::detached);
    }
    // The hard bound: requests still in flight after the grace period are abandoned.
    const auto hard_stop =
        shared.deadline + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.grace));
    std::vector<std::thread> threads;
    for (auto& ctx : contexts) threads.emplace_back([&ctx, hard_stop] { ctx->run_until(hard_stop); });
    for (auto& t : threads) t.join();
    const auto finished = Clock::now();
    const bool abandoned =
        std::any_of(contexts.begin(), contexts.end(), [](auto& c) { return !c->stopped(); });

    Stats all;
    std::uint64_t in_flight_abandoned = 0;
    for (auto& s : stats) {
      all.latency_us.insert(all.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
      for (auto [code, n] : s.status) all.status[code] += n;
      for (auto& [name, values] : s.captured)
        for (auto& [value, n] : values) all.captured[name][value] += n;
      all.connect_errors += s.connect_errors;
      all.io_errors += s.io_errors;
      all.parse_errors += s.parse_errors;
      all.reconnects += s.reconnects;
      all.last_done = std::max(all.last_done, s.last_done);
    }
    const auto done = all.latency_us.size();
    const auto issued = std::min<std::uint64_t>(shared.issued.load(), o.requests);
    if (abandoned && issued > done + all.io_errors + all.parse_errors)
      in_flight_abandoned = issued - done - all.io_errors - all.parse_errors;
    std::sort(all.latency_us.begin(), all.latency_us.end());
    // Throughput over the time the requests actually took (the run may end early on --requests).
    const auto end = done ? std::min(finished, std::max(all.last_done, shared.started)) : finished;
    const double seconds = std::chrono::duration<double>(end - shared.started).count();

    nlohmann::json status = nlohmann::json::object();
    for (auto [code, n] : all.status) status[std::to_string(code)] = n;
    nlohmann::json result = {
        {"url", o.url},
        {"method", o.method},
        {"connections", o.connections},
        {"requests", done},
        {"seconds", seconds},
        {"req_per_s", seconds > 0 ? static_cast<double>(done) / seconds : 0.0},
        {"latency_ms",
         {{"p50", percentile_ms(all.latency_us, 0.50)},
          {"p90", percentile_ms(all.latency_us, 0.90)},
          {"p99", percentile_ms(all.latency_us, 0.99)},
          {"max", all.latency_us.empty() ? 0.0 : all.latency_us.back() / 1000.0}}},
        {"status", status},
        {"errors",
         {{"connect", all.connect_errors},
          {"io", all.io_errors},
          {"parse", all.parse_errors},
          {"abandoned", in_flight_abandoned}}},
        {"reconnects", all.reconnects},
        {"next_n", o.start + shared.counter.load()},
    };
    if (!o.capture.empty()) result["headers"] = all.captured;
    std::cout << result.dump() << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "http_load: " << e.what() << '\n';
    return 2;
  }
}
