#include "audit/audited_write.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/phone.hpp"
#include "identity/account_status.hpp"
#include "identity/activation.hpp"
#include "identity/identity_api.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

using http::Method;
using http::Request;
using http::Response;

// Another tenant's user is answered exactly like a missing one.
User tenant_user(const IdentityApiContext& ctx, const http::Principal& admin, const std::string& id) {
  if (!core::is_uuid(id)) core::throw_not_found("User " + id);
  auto user = ctx.db.read([&](soci::session& s) { return find_user(s, admin.tenant_id, id); });
  if (!user) core::throw_not_found("User " + id);
  return *user;
}

// Disables or enables a user of the admin's tenant: 200 with the user, also
// when it already was in that state (idempotent). An admin cannot lock
// itself out.
Response change_status(const IdentityApiContext& ctx, const Request& request, bool enable) {
  const auto admin = http::require_role(request, ctx.verify, role::school_admin);
  const auto& id = request.param("id");
  if (id == admin.user_id)
    core::throw_forbidden("An administrator cannot disable or enable its own account.");
  tenant_user(ctx, admin, id);
  const auto traceparent = http::traceparent_of(request);
  const auto entry = audit::entry_of(admin, enable ? "user.enable" : "user.disable", "User", id);
  const auto user = audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
    // Read again inside the transaction: the account may have moved on.
    auto current = find_user(tx.session(), admin.tenant_id, id);
    if (!current) core::throw_not_found("User " + id);
    const AccountEffects effects{ctx.outbox, ctx.revoked};
    if (!enable) {
      disable_account(tx, effects, *current, traceparent);
    } else {
      // An account that lost its teacher has nothing to come back to.
      if (current->status == status::disabled && current->entity_id &&
          has_tombstone(tx.session(), *current->entity_id))
        core::throw_conflict("Entity deleted", "The account's " + current->entity_type.value_or("entity") +
                                                   " was deleted; the account cannot be enabled.");
      enable_account(tx, effects, *current, traceparent);
    }
    return *current;
  });
  return Response::json(200, to_json(user));
}

}  // namespace

void add_user_routes(http::Server& server, const IdentityApiContext& ctx) {
  server.route(Method::get, "/api/v1/users", [&ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, role::school_admin);
    const auto phone_text = request.query_param("phoneNumber");
    if (!phone_text || phone_text->empty())
      throw core::DomainError(core::ErrorKind::validation, "Missing query",
                              "Give phoneNumber to look a user up.",
                              {{"phoneNumber", "'phoneNumber' is required."}});
    const auto phone = core::normalize_phone(*phone_text, ctx.phone_region);
    if (!phone)
      throw core::DomainError(core::ErrorKind::validation, "Invalid phone number", "",
                              {{"phoneNumber", "'phoneNumber' is not a valid phone number."}});
    const auto user =
        ctx.db.read([&](soci::session& s) { return find_user_by_phone(s, admin.tenant_id, *phone); });
    if (!user) core::throw_not_found("User with phone " + *phone);
    return Response::json(200, to_json(*user));
  });

  server.route(Method::get, "/api/v1/users/:id", [&ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, role::school_admin);
    return Response::json(200, to_json(tenant_user(ctx, admin, request.param("id"))));
  });

  server.route(Method::post, "/api/v1/users/:id/activation-code", [&ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, role::school_admin);
    const auto user = tenant_user(ctx, admin, request.param("id"));
    const auto entry = audit::entry_of(admin, "user.activation_code.issue", "User", user.id);
    const auto issued = audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
      // Read again inside the transaction: the account may have moved on.
      const auto current = find_user(tx.session(), admin.tenant_id, user.id);
      if (!current || current->status != status::pending_activation)
        core::throw_conflict("Account not pending activation",
                             "Activation codes are only issued for accounts in PendingActivation.");
      return issue_activation_code(tx, ctx.codes, user.id);
    });
    return Response::json(201, {{"activationCode", issued.code}, {"expiresAt", issued.expires_at}});
  });

  server.route(Method::post, "/api/v1/users/:id/disable",
               [&ctx](const Request& request) { return change_status(ctx, request, false); });
  server.route(Method::post, "/api/v1/users/:id/enable",
               [&ctx](const Request& request) { return change_status(ctx, request, true); });
}

}  // namespace emis::identity
