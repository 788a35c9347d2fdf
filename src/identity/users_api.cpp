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

// An administrator sees the account as its own tenant's, and only that
// tenant's memberships.
nlohmann::json admin_view(const User& user, const http::Principal& admin) {
  return to_json(user, admin.tenant_id, MembershipScope::tenant);
}

// Another tenant's user is answered exactly like a missing one.
User tenant_user(const IdentityApiContext& ctx, const http::Principal& admin, const std::string& id) {
  if (!core::is_uuid(id)) core::throw_not_found("User " + id);
  auto user = ctx.db.read([&](soci::session& s) { return find_user_in_tenant(s, admin.tenant_id, id); });
  if (!user) core::throw_not_found("User " + id);
  return *user;
}

// An account with roles in other schools too is not one school's to lock,
// unlock or hand a code for: each school's administrators would otherwise
// reach into the others (a code returned to one of them is a password).
void require_own_account(const User& user, const http::Principal& admin, const char* action) {
  if (!user.member_of(admin.tenant_id)) core::throw_not_found("User " + user.id);
  if (!user.only_in(admin.tenant_id))
    core::throw_conflict("Shared account", std::string("The account also has roles in another school, so no "
                                                       "single school's administrator may ") +
                                               action + ".");
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
    auto current = find_user_in_tenant(tx.session(), admin.tenant_id, id);
    if (!current) core::throw_not_found("User " + id);
    const AccountEffects effects{ctx.outbox, ctx.revoked};
    if (!enable) {
      if (current->status == status::disabled) return *current;  // idempotent
      require_own_account(*current, admin, "disable it");
      disable_account(tx, effects, *current, traceparent);
    } else {
      if (current->status != status::disabled) return *current;  // idempotent
      // An account whose every entity was deleted has nothing to come back to.
      if (current->memberships.empty())
        core::throw_conflict("No membership left",
                             "Every role of the account was removed; the account cannot be enabled.");
      require_own_account(*current, admin, "enable it");
      enable_account(tx, effects, *current, traceparent);
    }
    return *current;
  });
  return Response::json(200, admin_view(user, admin));
}

// Which code a route issues, for accounts in which state.
struct CodeRule {
  CodePurpose purpose;
  const char* required_status;
  const char* audit_action;
  const char* code_field;  // where the 201 answer carries the code
  const char* conflict_title;
  const char* conflict_detail;
};

const CodeRule kActivationRule{
    CodePurpose::activation,          status::pending_activation,
    "user.activation_code.issue",     "activationCode",
    "Account not pending activation", "Activation codes are only issued for accounts in PendingActivation."};
const CodeRule kPasswordResetRule{CodePurpose::password_reset,
                                  status::active,
                                  "user.password_reset_code.issue",
                                  "resetCode",
                                  "Account not active",
                                  "Password reset codes are only issued for Active accounts; a pending "
                                  "account gets an activation code."};

// A fresh code for a user of the admin's tenant in the rule's state. With a
// notifier it goes to the user's phone and only where it went is answered
// (202); without one the administrator gets it (201).
Response issue_code(const IdentityApiContext& ctx, const Request& request, const CodeRule& rule) {
  const auto admin = http::require_role(request, ctx.verify, role::school_admin);
  const auto user = tenant_user(ctx, admin, request.param("id"));
  const auto entry = audit::entry_of(admin, rule.audit_action, "User", user.id);
  return audit::audited_write(ctx.db, entry, [&](store::Transaction& tx) {
    // Read again inside the transaction: the account may have moved on.
    const auto current = find_user_in_tenant(tx.session(), admin.tenant_id, user.id);
    if (!current || current->status != rule.required_status)
      core::throw_conflict(rule.conflict_title, rule.conflict_detail);
    if (!current->member_of(admin.tenant_id)) core::throw_not_found("User " + user.id);
    if (ctx.delivery) {
      const auto sent = ctx.delivery->send_new_code(tx, *current, rule.purpose);
      return Response::json(202, {{"sentTo", sent.sent_to}, {"expiresAt", sent.expires_at}});
    }
    // Handed to the administrator: only for an account of this school alone.
    require_own_account(*current, admin, "see its code (an SMS notifier sends it to the person's phone)");
    const auto issued = issue_activation_code(tx, ctx.codes, current->id, rule.purpose);
    return Response::json(201, {{rule.code_field, issued.code}, {"expiresAt", issued.expires_at}});
  });
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
    const auto user = ctx.db.read(
        [&](soci::session& s) { return find_user_by_phone_in_tenant(s, admin.tenant_id, *phone); });
    if (!user) core::throw_not_found("User with phone " + *phone);
    return Response::json(200, admin_view(*user, admin));
  });

  server.route(Method::get, "/api/v1/users/:id", [&ctx](const Request& request) {
    const auto admin = http::require_role(request, ctx.verify, role::school_admin);
    return Response::json(200, admin_view(tenant_user(ctx, admin, request.param("id")), admin));
  });

  server.route(Method::post, "/api/v1/users/:id/activation-code",
               [&ctx](const Request& request) { return issue_code(ctx, request, kActivationRule); });
  server.route(Method::post, "/api/v1/users/:id/password-reset-code",
               [&ctx](const Request& request) { return issue_code(ctx, request, kPasswordResetRule); });

  server.route(Method::post, "/api/v1/users/:id/disable",
               [&ctx](const Request& request) { return change_status(ctx, request, false); });
  server.route(Method::post, "/api/v1/users/:id/enable",
               [&ctx](const Request& request) { return change_status(ctx, request, true); });
}

}  // namespace emis::identity
