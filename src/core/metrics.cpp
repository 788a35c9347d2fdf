#include "core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace emis::core {
namespace {

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Prometheus writes a bound as a float: "0.005", "1", "+Inf".
std::string bound_text(double bound) { return fmt::format("{}", bound); }

Labels with_bound(Labels labels, const std::string& bound) {
  labels["le"] = bound;
  return labels;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<>()) != bounds_.end() ||
      !std::all_of(bounds_.begin(), bounds_.end(), [](double b) { return std::isfinite(b); }))
    throw std::logic_error("histogram bounds must be finite and increase");
}

void Histogram::observe(double value) noexcept {
  if (!(value >= 0)) return;  // NaN would poison the sum for good; a latency is never negative
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> bounds{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2,
                                          0.5,   1,     2,     5,    10,   60,   300, 900};
  return bounds;
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.type = type;
    f.help = help;
  } else if (f.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return f;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "gauge").gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                                      const std::vector<double>& upper_bounds) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

void MetricsRegistry::gauge_callback(const std::string& name, const std::string& help, const Labels& labels,
                                     std::function<double()> read) {
  std::lock_guard lock(mutex_);
  family(name, help, "gauge").callbacks[labels] = std::move(read);
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [labels, c] : f.counters)
      out += fmt::format("{}{} {}\n", name, render_labels(labels), c->value());
    for (const auto& [labels, g] : f.gauges)
      out += fmt::format("{}{} {}\n", name, render_labels(labels), g->value());
    for (const auto& [labels, h] : f.histograms) {
      // The count is read first and caps every bucket: a scrape racing an
      // observation still shows buckets that never exceed +Inf.
      const auto count = h->count();
      const auto sum = h->sum();
      std::uint64_t up_to = 0;  // Prometheus buckets are cumulative
      for (std::size_t i = 0; i < h->upper_bounds().size(); ++i) {
        up_to += h->count_in(i);
        out += fmt::format("{}_bucket{} {}\n", name,
                           render_labels(with_bound(labels, bound_text(h->upper_bounds()[i]))),
                           std::min(up_to, count));
      }
      out += fmt::format("{}_bucket{} {}\n", name, render_labels(with_bound(labels, "+Inf")), count);
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, render_labels(labels), sum, name,
                         render_labels(labels), count);
    }
    for (const auto& [labels, read] : f.callbacks) {
      double v = 0;
      try {
        v = read();
      } catch (const std::exception&) {
        continue;  // a scrape must not fail because one source is away
      }
      out += fmt::format("{}{} {}\n", name, render_labels(labels), v);
    }
  }
  return out;
}

}  // namespace emis::core
