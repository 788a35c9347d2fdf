#include "bus_testing.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "eventbus/kafka_message.hpp"
#include "eventbus/schema.hpp"
#include "store/row.hpp"

extern char** environ;

namespace emis::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(step);
  }
}

// ---- database --------------------------------------------------------------

std::vector<store::Migration> effects_migrations() {
  return {{1,
           "bus test effects",
           {"CREATE TABLE effects ("
            " n INTEGER PRIMARY KEY AUTOINCREMENT,"
            " event_id TEXT NOT NULL,"
            " thing_id TEXT NOT NULL,"
            " seq INTEGER NOT NULL,"
            " consumer TEXT NOT NULL)"}}};
}

void record_effect(store::Transaction& tx, const eventbus::IncomingEvent& event, const ThingHappened& thing,
                   const std::string& consumer) {
  const long long seq = thing.seq;  // named: SOCI binds a reference
  tx.session() << "INSERT INTO effects (event_id, thing_id, seq, consumer) VALUES (:id, :thing, :seq, :c)",
      soci::use(event.id), soci::use(thing.thing_id), soci::use(seq), soci::use(consumer);
}

std::vector<Effect> effects(store::Database& db) {
  return db.read([](soci::session& s) {
    std::vector<Effect> out;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT event_id, thing_id, seq, consumer FROM effects ORDER BY n");
    for (const auto& r : rows)
      out.push_back(
          {r.get<std::string>(0), r.get<std::string>(1), store::int64_column(r, 2), r.get<std::string>(3)});
    return out;
  });
}

std::int64_t scalar(store::Database& db, const std::string& sql) {
  return db.read([&](soci::session& s) {
    long long value = 0;
    soci::indicator ind = soci::i_ok;
    s << sql, soci::into(value, ind);
    return ind == soci::i_ok ? static_cast<std::int64_t>(value) : 0;
  });
}

std::int64_t effect_count(store::Database& db) { return scalar(db, "SELECT COUNT(*) FROM effects"); }

std::string outbox_rows(store::Database& db) {
  return db.read([](soci::session& s) {
    std::ostringstream out;
    soci::rowset<soci::row> rows =
        (s.prepare
         << "SELECT seq, topic, created_at_ms, sent_at_ms, attempts, last_error FROM outbox ORDER BY seq");
    for (const auto& r : rows) {
      out << "\n  outbox " << store::int64_column(r, 0) << " " << r.get<std::string>(1) << " created "
          << store::int64_column(r, 2) << " sent ";
      if (r.get_indicator(3) == soci::i_null)
        out << "never";
      else
        out << store::int64_column(r, 3);
      out << " attempts " << store::int64_column(r, 4);
      if (r.get_indicator(5) != soci::i_null) out << " error " << r.get<std::string>(5);
    }
    return out.str();
  });
}

store::DatabaseOptions test_database_options(const std::string& path) {
  store::DatabaseOptions o;
  o.url = path;
  o.synchronous = "NORMAL";  // WAL + NORMAL survives a process crash, which is all these tests need
  return o;
}

TestDatabase::TestDatabase(const std::string& stem) : dir_(stem), url_(test_database_url(dir_, "bus.db")) {
  db_ = std::make_unique<store::Database>(test_database_options(url_));
  db_->migrate(eventbus::schema_migrations());
  db_->migrate(effects_migrations());
}

// ---- metrics ---------------------------------------------------------------

std::uint64_t counter_value(core::MetricsRegistry& metrics, const std::string& name,
                            const std::string& topic) {
  core::Labels labels;
  if (!topic.empty()) labels["topic"] = topic;
  return metrics.counter(name, name, labels).value();
}

// ---- plain Kafka -----------------------------------------------------------

namespace {

void set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string error;
  if (conf.set(name, value, error) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("test kafka property " + name + ": " + error);
}

std::unique_ptr<RdKafka::Conf> base_conf() {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set(*conf, "bootstrap.servers", kafka_bootstrap());
  set(*conf, "socket.nagle.disable", "true");
  set(*conf, "reconnect.backoff.max.ms", "500");
  set(*conf, "log.connection.close", "false");
  if (const auto debug = rdkafka_debug(); !debug.empty()) set(*conf, "debug", debug);
  return conf;
}

std::unique_ptr<RdKafka::KafkaConsumer> plain_consumer(const std::string& group) {
  auto conf = base_conf();
  set(*conf, "group.id", group);
  set(*conf, "enable.auto.commit", "false");
  set(*conf, "enable.auto.offset.store", "false");
  set(*conf, "enable.partition.eof", "false");
  set(*conf, "fetch.wait.max.ms", "10");
  set(*conf, "auto.offset.reset", "earliest");
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) throw std::runtime_error("test kafka consumer: " + error);
  return consumer;
}

// The topic's partition ids, or nullopt while it does not exist or a
// partition has no leader yet.
template <class Handle>
std::optional<std::vector<std::int32_t>> partitions_of(Handle& handle, const std::string& topic) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&handle, topic, nullptr, error));
  if (!t) throw std::runtime_error("test kafka topic: " + error);
  RdKafka::Metadata* raw = nullptr;
  const auto err = handle.metadata(false, t.get(), &raw, 5000);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (err != RdKafka::ERR_NO_ERROR || !metadata) return std::nullopt;
  for (const auto* tm : *metadata->topics()) {
    if (tm->topic() != topic) continue;
    if (tm->err() != RdKafka::ERR_NO_ERROR || tm->partitions()->empty()) return std::nullopt;
    std::vector<std::int32_t> ids;
    for (const auto* pm : *tm->partitions()) {
      if (pm->err() != RdKafka::ERR_NO_ERROR || pm->leader() < 0) return std::nullopt;
      ids.push_back(pm->id());
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  return std::nullopt;
}

struct DeliveryRecorder : RdKafka::DeliveryReportCb {
  std::optional<RdKafka::ErrorCode> err;
  std::string error;
  Produced produced;
  void dr_cb(RdKafka::Message& m) override {
    err = m.err();
    error = m.errstr();
    produced = {m.partition(), m.offset()};
  }
};

}  // namespace

void create_topic(const std::string& topic, int partitions) {
  auto conf = base_conf();
  std::string error;
  std::unique_ptr<RdKafka::Producer> admin(RdKafka::Producer::create(conf.get(), error));
  if (!admin) throw std::runtime_error("test kafka admin: " + error);
  rd_kafka_t* rk = admin->c_ptr();

  char errstr[512];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr, sizeof errstr);
  if (!new_topic) throw std::runtime_error(std::string("NewTopic: ") + errstr);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, 10000, errstr, sizeof errstr);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 20000);
  std::string failure;
  if (!event) {
    failure = "no CreateTopics result within 20 s";
  } else if (rd_kafka_event_error(event)) {
    failure = rd_kafka_event_error_string(event);
  } else {
    std::size_t n = 0;
    const auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    for (std::size_t i = 0; i < n; ++i)
      if (const auto err = rd_kafka_topic_result_error(results[i]); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* detail = rd_kafka_topic_result_error_string(results[i]);
        failure = std::string(rd_kafka_err2str(err)) + ": " + (detail ? detail : "");
      }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(new_topic);
  if (!failure.empty()) throw std::runtime_error("creating topic " + topic + ": " + failure);

  const bool ready = eventually(
      [&] {
        const auto ids = partitions_of(*admin, topic);
        return ids && static_cast<int>(ids->size()) == partitions;
      },
      20s, 50ms);
  if (!ready) throw std::runtime_error("topic " + topic + " has no leaders for all partitions after 20 s");
}

Produced produce_raw(const std::string& topic, const std::optional<std::string>& key,
                     const std::string& value, const eventbus::Headers& headers, std::int32_t partition) {
  auto conf = base_conf();
  DeliveryRecorder recorder;
  set(*conf, "acks", "all");
  set(*conf, "linger.ms", "0");
  std::string error;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&recorder), error) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(error);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
  if (!producer) throw std::runtime_error("test kafka producer: " + error);
  auto* h = RdKafka::Headers::create();
  for (const auto& [name, v] : headers) h->add(name, v);
  const auto err =
      producer->produce(topic, partition < 0 ? RdKafka::Topic::PARTITION_UA : partition,
                        RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()), value.size(),
                        key ? key->data() : nullptr, key ? key->size() : 0, 0, h, nullptr);
  if (err != RdKafka::ERR_NO_ERROR) {
    delete h;
    throw std::runtime_error("produce_raw: " + RdKafka::err2str(err));
  }
  producer->flush(15000);
  if (!recorder.err) throw std::runtime_error("produce_raw: no delivery report within 15 s");
  if (*recorder.err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("produce_raw: " + recorder.error);
  return recorder.produced;
}

std::vector<eventbus::RawMessage> read_topic(const std::string& topic, std::size_t min_count,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto consumer = plain_consumer(unique_name("test-reader"));
  std::optional<std::vector<std::int32_t>> ids;
  while (!(ids = partitions_of(*consumer, topic))) {
    if (std::chrono::steady_clock::now() >= deadline) return {};
    std::this_thread::sleep_for(50ms);
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto id : *ids)
    assignment.push_back(RdKafka::TopicPartition::create(topic, id, RdKafka::Topic::OFFSET_BEGINNING));
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);

  std::map<std::int32_t, std::vector<eventbus::RawMessage>> by_partition;
  std::map<std::int32_t, std::int64_t> next;  // next offset to read per partition
  std::size_t seen = 0;
  std::optional<std::map<std::int32_t, std::int64_t>> high;  // the watermarks to read up to
  auto done = [&] {
    if (!high) return false;
    for (const auto& [p, h] : *high)
      if (next[p] < h) return false;
    return true;
  };
  while (std::chrono::steady_clock::now() < deadline) {
    if (!high && seen >= min_count) {
      std::map<std::int32_t, std::int64_t> marks;
      bool ok = true;
      for (const auto id : *ids) {
        int64_t low = 0, hi = 0;
        if (consumer->query_watermark_offsets(topic, id, &low, &hi, 5000) != RdKafka::ERR_NO_ERROR)
          ok = false;
        marks[id] = hi;
      }
      if (ok) high = marks;
    }
    if (done()) break;
    std::unique_ptr<RdKafka::Message> m(consumer->consume(50));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    next[m->partition()] = m->offset() + 1;
    by_partition[m->partition()].push_back(eventbus::to_raw(*m));
    ++seen;
  }
  consumer->close();
  std::vector<eventbus::RawMessage> out;
  for (auto& [_, messages] : by_partition)
    for (auto& m : messages) out.push_back(std::move(m));
  return out;
}

std::int64_t topic_message_count(const std::string& topic) {
  auto consumer = plain_consumer(unique_name("test-counter"));
  const auto ids = partitions_of(*consumer, topic);
  std::int64_t total = 0;
  if (ids)
    for (const auto id : *ids) {
      int64_t low = 0, high = 0;
      // A topic created a moment ago answers only once its leader is ready.
      const bool answered = eventually(
          [&] {
            return consumer->query_watermark_offsets(topic, id, &low, &high, 5000) == RdKafka::ERR_NO_ERROR;
          },
          15s, 50ms);
      if (!answered) throw std::runtime_error("watermarks of " + topic);
      total += high - low;
    }
  consumer->close();
  return total;
}

std::map<std::int32_t, std::int64_t> committed_offsets(const std::string& group, const std::string& topic) {
  auto consumer = plain_consumer(group);  // never subscribes: asks the coordinator, joins nothing
  const auto ids = partitions_of(*consumer, topic);
  if (!ids) throw std::runtime_error("no metadata for " + topic);
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto id : *ids) partitions.push_back(RdKafka::TopicPartition::create(topic, id));
  const auto err = consumer->committed(partitions, 10000);
  std::map<std::int32_t, std::int64_t> out;
  for (auto* tp : partitions)
    if (tp->offset() >= 0) out[tp->partition()] = tp->offset();
  RdKafka::TopicPartition::destroy(partitions);
  consumer->close();
  if (err != RdKafka::ERR_NO_ERROR) throw std::runtime_error("committed offsets: " + RdKafka::err2str(err));
  return out;
}

// ---- the fixture's broker --------------------------------------------------

namespace {

std::string broker_script() {
  // gtest_discover_tests (CMake 3.25) passes only the first variable of a
  // list-valued ENVIRONMENT on, so EMIS_SOURCE_DIR may be missing: this
  // file's own path (tests/support/) names the source tree as well.
  // With ccache's base_dir, __FILE__ is relative to the build directory,
  // which is the fixture directory's parent (tests/CMakeLists.txt).
  const char* source = std::getenv("EMIS_SOURCE_DIR");
  std::filesystem::path file(__FILE__);
  if (file.is_relative()) file = std::filesystem::path(kafka_fixture_dir()).parent_path() / file;
  const auto root = source ? std::filesystem::path(source) : file.parent_path().parent_path().parent_path();
  return (root / "deploy" / "kafka" / "broker.sh").string();
}

int broker(const std::string& command) {
  const auto dir = kafka_fixture_dir();
  // Without a port, broker.sh reuses the ports in DIR/server.properties, so
  // the bootstrap stays; the JIT the fixture chose stays too (DIR/node.env).
  const std::string line =
      "'" + broker_script() + "' " + command + " '" + dir + "' >>'" + dir + "/test-restarts.log' 2>&1";
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

void broker_stop() {
  if (broker("stop") != 0) throw std::runtime_error("broker.sh stop failed (see test-restarts.log)");
}

void broker_start() {
  if (broker("start") != 0) throw std::runtime_error("broker.sh start failed (see test-restarts.log)");
}

bool broker_running() { return broker("status") == 0; }

BrokerRestartGuard::~BrokerRestartGuard() {
  try {
    if (!broker_running()) broker_start();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not restart the fixture broker: " << e.what();
  }
}

// ---- child processes -------------------------------------------------------

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_file) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::to_string(rc));
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill(SIGKILL);
    wait(10s);
  }
}

bool ChildProcess::running() {
  if (status_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) status_ = status;
  return r == 0;
}

void ChildProcess::kill(int signal) {
  if (!status_) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  eventually([this] { return !running(); }, timeout, 5ms);
  return status_;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace emis::testing
