#include "audit/audit_log.hpp"

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "store/row.hpp"

namespace emis::audit {

std::vector<store::Migration> audit_migrations() {
  // Versions 8201+: the range of this module in every service's database.
  return {{8201,
           "audit log",
           {"CREATE TABLE audit_log ("
            " id TEXT PRIMARY KEY,"
            " occurred_at TEXT NOT NULL,"
            // Microseconds since the epoch: orders the actions of one
            // administrator, which come well over a microsecond apart.
            " occurred_at_us BIGINT NOT NULL,"
            " tenant_id TEXT NOT NULL,"
            " actor_id TEXT NOT NULL,"
            " actor_role TEXT NOT NULL,"
            " action TEXT NOT NULL,"
            " target_type TEXT NOT NULL,"
            " target_id TEXT NOT NULL,"
            " outcome TEXT NOT NULL,"
            " detail TEXT)",
            "CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at_us)"}}};
}

Entry entry_of(const http::Principal& actor, std::string action, std::string target_type,
               std::string target_id) {
  Entry e;
  e.tenant_id = actor.tenant_id;
  e.actor_id = actor.user_id;
  e.actor_role = actor.roles_text();
  e.action = std::move(action);
  e.target_type = std::move(target_type);
  e.target_id = std::move(target_id);
  return e;
}

void record(store::Transaction& tx, Entry e) {
  const auto now = std::chrono::system_clock::now();
  const long long now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  e.id = core::new_uuid();
  e.occurred_at = core::to_iso8601(now);
  store::Nullable detail(e.detail);
  tx.run(
      "INSERT INTO audit_log (id, occurred_at, occurred_at_us, tenant_id, actor_id, actor_role, "
      "action, target_type, target_id, outcome, detail) VALUES (:id, :at, :at_us, :tenant, :actor, "
      ":role, :action, :ttype, :target, :outcome, :detail)",
      soci::use(e.id), soci::use(e.occurred_at), soci::use(now_us), soci::use(e.tenant_id),
      soci::use(e.actor_id), soci::use(e.actor_role), soci::use(e.action), soci::use(e.target_type),
      soci::use(e.target_id), soci::use(e.outcome), soci::use(detail.value, detail.ind));
}

Page list(soci::session& s, const std::optional<std::string>& tenant_id, int page_number, int page_size) {
  Page page;
  // No tenant binds to a condition that is always true: one statement serves both.
  const int all_tenants = tenant_id ? 0 : 1;
  const std::string tenant = tenant_id.value_or("");
  const std::string where = " FROM audit_log WHERE (:all = 1 OR tenant_id = :t)";
  s << "SELECT COUNT(*)" << where, soci::use(all_tenants), soci::use(tenant), soci::into(page.total_count);
  const int offset = (page_number - 1) * page_size;
  soci::rowset<soci::row> rows =
      (s.prepare
           << "SELECT id, occurred_at, tenant_id, actor_id, actor_role, action, target_type, target_id, "
              "outcome, detail"
           << where << " ORDER BY occurred_at_us DESC, id DESC LIMIT :limit OFFSET :offset",
       soci::use(all_tenants), soci::use(tenant), soci::use(page_size), soci::use(offset));
  for (const auto& r : rows) {
    Entry e;
    e.id = r.get<std::string>(0);
    e.occurred_at = r.get<std::string>(1);
    e.tenant_id = r.get<std::string>(2);
    e.actor_id = r.get<std::string>(3);
    e.actor_role = r.get<std::string>(4);
    e.action = r.get<std::string>(5);
    e.target_type = r.get<std::string>(6);
    e.target_id = r.get<std::string>(7);
    e.outcome = r.get<std::string>(8);
    e.detail = store::optional_text(r, 9);
    page.items.push_back(std::move(e));
  }
  return page;
}

}  // namespace emis::audit
