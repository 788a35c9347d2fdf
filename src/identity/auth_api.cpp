#include "auth/password.hpp"
#include "core/clock.hpp"
#include "core/json_fields.hpp"
#include "core/phone.hpp"
#include "identity/account_events.hpp"
#include "identity/activation.hpp"
#include "identity/identity_api.hpp"
#include "identity/refresh_tokens.hpp"
#include "identity/user_store.hpp"

namespace emis::identity {
namespace {

using http::Method;
using http::Request;
using http::Response;

constexpr std::size_t kMinPasswordLength = 10;
constexpr std::size_t kMaxPasswordLength = 128;  // bounds the hashing work a request can ask for

// Secrets and codes are taken exactly as typed: no trimming.
std::string given_text(const nlohmann::json& body, const char* name, core::FieldErrors& errors) {
  return core::required_text(body, name, errors, core::Whitespace::keep).value_or("");
}

[[noreturn]] void invalid_credentials() {
  throw core::DomainError(core::ErrorKind::unauthorized, "Invalid credentials",
                          "The phone number or password is incorrect.");
}

// Verifying against this when no account matches keeps the answer's timing
// the same for unknown phones and wrong passwords.
const std::string& dummy_hash() {
  static const std::string hash = auth::hash_password("not-a-password-of-anyone");
  return hash;
}

Response login(const IdentityApiContext& ctx, const Request& request) {
  const auto body = request.json_object();
  core::FieldErrors errors;
  const auto phone_text = given_text(body, "phoneNumber", errors);
  const auto password = given_text(body, "password", errors);
  const auto tenant = core::optional_text(body, "tenantId", errors);
  errors.throw_if_any();
  if (password.size() > kMaxPasswordLength) invalid_credentials();
  const auto phone = core::normalize_phone(phone_text, ctx.phone_region).value_or(phone_text);

  ctx.throttle.begin_attempt(phone, request.remote_address);
  const auto candidates = ctx.db.read([&](soci::session& s) { return find_users_by_phone(s, phone); });
  const User* user = nullptr;
  for (const auto& c : candidates)
    if (c.password_hash && auth::verify_password(*c.password_hash, password)) {
      user = &c;
      break;
    }
  if (!user) {
    if (candidates.empty() || !candidates.front().password_hash)
      auth::verify_password(dummy_hash(), password);
    invalid_credentials();  // the attempt was counted as a failure in advance
  }
  ctx.throttle.succeeded(phone, request.remote_address);
  // Only now, with the password proven, may the answer say more about the account.
  if (user->status == status::disabled)
    throw core::DomainError(core::ErrorKind::forbidden, "AccountDisabled", "This account has been disabled.");
  if (user->status != status::active)
    throw core::DomainError(core::ErrorKind::forbidden, "PasswordNotSet",
                            "The account must be activated with its activation code first.");
  // The token is for one school: the one asked for, else the oldest
  // membership's; the answer lists them all, so a client can switch.
  const auto tenant_id = tenant.value_or(user->home_tenant());
  if (tenant_id.empty() || !user->member_of(tenant_id))
    throw core::DomainError(
        core::ErrorKind::forbidden, "NoMembership",
        tenant ? "The account has no role in this tenant." : "The account has no role left.");
  // Hashes made with weaker parameters than today's are upgraded while the
  // password is at hand (slow: before the write lock).
  const auto upgraded = auth::password_needs_rehash(*user->password_hash)
                            ? std::optional<std::string>(auth::hash_password(password))
                            : std::nullopt;
  const auto tokens = ctx.db.write([&](store::Transaction& tx) {
    if (upgraded) replace_password_hash(tx, user->id, *user->password_hash, *upgraded);
    return ctx.tokens.issue(tx, *user, tenant_id);
  });
  return Response::json(200, tokens);
}

// Sets the password of `user` if `code` is its live code for what the
// account's state allows: an activation code activates a PendingActivation
// account (UserActivated published); a reset code replaces an Active
// account's password and ends every session it has. True when it did.
bool set_password_with_code(const IdentityApiContext& ctx, store::Transaction& tx, User& user,
                            const std::string& code, const std::string& hash,
                            const std::string& traceparent) {
  const bool pending = user.status == status::pending_activation;
  if (!pending && user.status != status::active) return false;
  if (!redeem_activation_code(tx, ctx.codes, user.id, code,
                              pending ? CodePurpose::activation : CodePurpose::password_reset))
    return false;
  user.status = status::active;
  user.password_hash = hash;
  user.updated_at = user.password_set_at.emplace(core::now_iso8601());
  update_user(tx, user);
  if (pending)
    publish_account<contracts::UserActivated>(tx, ctx.outbox, user, traceparent);
  else
    revoke_user_tokens(tx, user.id);  // whoever knew the old password is signed out
  return true;
}

Response set_password(const IdentityApiContext& ctx, const Request& request) {
  const auto body = request.json_object();
  core::FieldErrors errors;
  const auto phone_text = given_text(body, "phoneNumber", errors);
  const auto code = given_text(body, "activationCode", errors);
  const auto password = given_text(body, "newPassword", errors);
  if (!password.empty() && (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength))
    errors.add("newPassword", "'newPassword' must be between 10 and 128 characters.");
  errors.throw_if_any();
  const auto phone = core::normalize_phone(phone_text, ctx.phone_region).value_or(phone_text);

  // Attempts are throttled like logins: a code is a password for a while.
  ctx.throttle.begin_attempt("activation:" + phone, request.remote_address);
  const auto hash = auth::hash_password(password);  // slow: before the write lock
  const auto traceparent = http::traceparent_of(request);
  const bool done = ctx.db.write([&](store::Transaction& tx) {
    for (auto& user : find_users_by_phone(tx.session(), phone))
      if (set_password_with_code(ctx, tx, user, code, hash, traceparent)) return true;
    return false;  // commits the counted attempt
  });
  if (!done) {
    // The same answer for an unknown phone, a disabled account and a wrong code.
    throw core::DomainError(core::ErrorKind::validation, "Invalid activation",
                            "The phone number or activation code is invalid or has expired.",
                            {{"activationCode", "The activation code is invalid or has expired."}});
  }
  ctx.throttle.succeeded("activation:" + phone, request.remote_address);
  return Response::no_content();
}

Response refresh(const IdentityApiContext& ctx, const Request& request) {
  const auto body = request.json_object();
  core::FieldErrors errors;
  const auto token = given_text(body, "refreshToken", errors);
  errors.throw_if_any();
  std::string failure;
  const auto tokens = ctx.db.write([&](store::Transaction& tx) -> nlohmann::json {
    const auto rotation = ctx.tokens.rotate(tx, token);
    if (!rotation.failure.empty()) {
      failure = rotation.failure;
      return nullptr;
    }
    const auto user = find_user_by_id(tx.session(), rotation.user_id);
    if (!user || user->status != status::active) {
      ctx.tokens.revoke(tx, token, rotation.user_id);
      failure = "The account is not active.";
      return nullptr;
    }
    // The session stays in its school, and ends when the account has no role there any more.
    const auto tenant_id = rotation.tenant_id.empty() ? user->home_tenant() : rotation.tenant_id;
    if (tenant_id.empty() || !user->member_of(tenant_id)) {
      ctx.tokens.revoke(tx, token, rotation.user_id);
      failure = "The account has no role in this tenant any more.";
      return nullptr;
    }
    return ctx.tokens.issue(tx, *user, tenant_id, rotation.family_id);
  });
  if (!failure.empty()) core::throw_unauthorized(failure);
  return Response::json(200, tokens);
}

// Ends the caller's session of this refresh token. A token of another user
// (or none known) is left alone, and the answer is 204 all the same: it
// tells nobody whether a token they hold is live.
Response logout(const IdentityApiContext& ctx, const Request& request) {
  const auto caller = http::authenticate(request, ctx.verify);
  const auto body = request.json_object();
  core::FieldErrors errors;
  const auto token = given_text(body, "refreshToken", errors);
  errors.throw_if_any();
  ctx.db.write([&](store::Transaction& tx) { ctx.tokens.revoke(tx, token, caller.user_id); });
  return Response::no_content();
}

Response me(const IdentityApiContext& ctx, const Request& request) {
  const auto principal = http::authenticate(request, ctx.verify);
  const auto user = ctx.db.read([&](soci::session& s) { return find_user_by_id(s, principal.user_id); });
  // A disabled account's access tokens stop working here at once.
  if (!user || user->status == status::disabled) core::throw_unauthorized("The account is not active.");
  return Response::json(200, to_json(*user, principal.tenant_id, MembershipScope::all));
}

}  // namespace

void add_auth_routes(http::Server& server, const IdentityApiContext& ctx) {
  server.route(Method::post, "/api/v1/auth/login", [&ctx](const Request& r) { return login(ctx, r); });
  server.route(Method::post, "/api/v1/auth/set-password",
               [&ctx](const Request& r) { return set_password(ctx, r); });
  server.route(Method::post, "/api/v1/auth/refresh-token",
               [&ctx](const Request& r) { return refresh(ctx, r); });
  server.route(Method::post, "/api/v1/auth/logout", [&ctx](const Request& r) { return logout(ctx, r); });
  server.route(Method::get, "/api/v1/auth/me", [&ctx](const Request& r) { return me(ctx, r); });
  server.route(
      Method::get, "/.well-known/jwks.json",
      [&ctx](const Request&) {
        return Response::json(200, ctx.jwks).with_header("Cache-Control", "public, max-age=300");
      },
      http::Dispatch::inline_io);
}

}  // namespace emis::identity
