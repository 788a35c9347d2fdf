// An open write transaction: the session to run statements on, and work to
// do once the transaction has committed (never when it rolls back).
#pragma once

#include <soci/soci.h>

#include <functional>
#include <vector>

namespace emis::store {

class Transaction {
 public:
  explicit Transaction(soci::session& session) : session_(session) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  soci::session& session() noexcept { return session_; }
  void after_commit(std::function<void()> callback) { after_commit_.push_back(std::move(callback)); }
  void run_after_commit();

 private:
  soci::session& session_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace emis::store
