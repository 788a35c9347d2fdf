#include "identity/file_sink_notifier.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"

namespace emis::identity {

FileSinkNotifier::FileSinkNotifier(std::filesystem::path file) : file_(std::move(file)) {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
}

void FileSinkNotifier::send(const TextMessage& message) {
  const auto line =
      nlohmann::json{{"to", message.to}, {"message", message.text}, {"at", core::now_iso8601()}}.dump() +
      '\n';
  std::lock_guard lock(mutex_);
  std::ofstream out(file_, std::ios::app | std::ios::binary);
  out << line << std::flush;
  if (!out) throw NotifierError("cannot append to " + file_.string());
}

}  // namespace emis::identity
