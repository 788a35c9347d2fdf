// Which handler takes which event: typed handlers registered by class name,
// the versions each accepts, and upcasters that turn an old version's JSON
// into the next one before the handler sees it.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eventbus/envelope.hpp"
#include "store/transaction.hpp"

namespace emis::eventbus {

// Runs inside the consumer's transaction; throw to refuse the event
// (see errors.hpp for how the failure is treated).
using RawHandler = std::function<void(store::Transaction&, const IncomingEvent&)>;
using Upcaster = std::function<nlohmann::json(nlohmann::json)>;

class HandlerRegistry {
 public:
  explicit HandlerRegistry(TopicNaming naming) : naming_(std::move(naming)) {}

  template <IntegrationEvent E, class Fn>
  void on(Fn handler, std::set<int> versions = {E::type.version}) {
    add(E::type, std::move(versions),
        [handler = std::move(handler)](store::Transaction& tx, const IncomingEvent& e) {
          handler(tx, E::from_json(e.payload), e);
        });
  }

  void add(const EventType& type, std::set<int> versions, RawHandler handler);
  // Turns version `from` of `class_name` into version `from + 1`.
  void upcast(const std::string& class_name, int from, Upcaster upcaster);

  std::vector<std::string> topics() const;

  // Finds the handler for the event (by event-type, or by ce_type = topic),
  // upcasts its payload and version in place, and checks the version.
  // Throws PermanentError for an unknown type or an unsupported version.
  const RawHandler& resolve(IncomingEvent& event) const;

 private:
  struct Entry {
    std::string topic;
    std::set<int> versions;
    RawHandler handler;
  };
  TopicNaming naming_;
  std::map<std::string, Entry> by_class_;
  std::map<std::string, std::string> class_by_topic_;
  std::map<std::pair<std::string, int>, Upcaster> upcasters_;
};

}  // namespace emis::eventbus
