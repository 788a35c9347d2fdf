#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include "auth/base64url.hpp"
#include "auth/ecdsa_signature.hpp"
#include "auth/jwt.hpp"
#include "core/ids.hpp"

namespace emis::auth {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const core::SystemTime kNow{std::chrono::seconds{1'780'000'000}};
const std::int64_t kNowSeconds = 1'780'000'000;

Claims sample_claims() {
  Claims c;
  c.sub = "5b0a3c1e-7d7a-4b57-9d9e-2f3c1d0e9a11";
  c.tenant_id = "tenant-1";
  c.roles = {"Teacher"};
  c.phone = "+84912345678";
  c.name = "Nguyễn Văn A";
  c.entities = {{"Teacher", "Teacher", "teacher-42"}};
  c.iss = "emis-identity";
  c.aud = "emis";
  c.jti = "jti-1";
  c.iat = kNowSeconds;
  c.exp = kNowSeconds + 900;
  return c;
}

VerifyOptions options() { return {.issuer = "emis-identity", .audience = "emis", .leeway = {}, .now = kNow}; }

std::string b64(const json& j) { return base64url_encode(j.dump()); }

std::string decode(std::string_view part) {
  auto text = base64url_decode(part);
  EXPECT_TRUE(text.has_value()) << part;
  return text.value_or("");
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::stringstream in(token);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  return parts;
}

// header.payload signed with `key`, whatever the header says.
std::string sign_raw(const SigningKey& key, const json& header, const std::string& payload_text) {
  const std::string input = b64(header) + "." + base64url_encode(payload_text);
  return input + "." + base64url_encode(key.sign(input));
}

std::string sign_raw(const SigningKey& key, const json& header, const json& payload) {
  return sign_raw(key, header, payload.dump());
}

std::string hmac_sha256(std::string_view secret, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

// The SubjectPublicKeyInfo PEM of a P-256 key, as an attacker would copy it
// from the issuer, built from the JWK coordinates.
std::string public_key_pem(const json& jwk) {
  std::string der;
  for (unsigned char c : {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
                          0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04}) {
    der.push_back(static_cast<char>(c));
  }
  der += decode(jwk["x"].get<std::string>()) + decode(jwk["y"].get<std::string>());
  std::string b64(sodium_base64_ENCODED_LEN(der.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(b64.size() - 1);
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END PUBLIC KEY-----\n";
}

class AuthJwt : public ::testing::Test {
 protected:
  AuthJwt() : key_(SigningKey::generate()) { keys_.add(key_); }

  json header() const { return {{"alg", "ES256"}, {"typ", "JWT"}, {"kid", key_.kid()}}; }

  // Verification must fail as unauthorized with `reason` in the detail, and
  // not as an unknown key (which would make a JWKS client refetch).
  void expect_rejected(std::string_view token, std::string_view reason, VerifyOptions opts = options()) {
    SCOPED_TRACE(std::string(token.substr(0, 200)));
    try {
      verify_token(token, keys_, opts);
      ADD_FAILURE() << "token was accepted";
    } catch (const UnknownKeyId& e) {
      ADD_FAILURE() << "rejected as unknown key, expected: " << reason;
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::unauthorized);
      EXPECT_EQ(e.title(), "Unauthorized");
      EXPECT_NE(e.detail().find(reason), std::string::npos) << "detail: " << e.detail();
    }
  }

  SigningKey key_;
  KeySet keys_;
};

TEST_F(AuthJwt, IssuedTokenVerifiesToTheSameClaims) {
  const Claims claims = sample_claims();
  EXPECT_EQ(verify_token(issue_token(key_, claims), keys_, options()), claims);
}

TEST_F(AuthJwt, TokenHasEs256HeaderWithKidAndRaw64ByteSignature) {
  const auto parts = split(issue_token(key_, sample_claims()));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(json::parse(decode(parts[0])), header());
  EXPECT_EQ(decode(parts[2]).size(), 64u);
}

TEST_F(AuthJwt, ClaimsUseJwtNamesAndOmitEmptyEntityId) {
  Claims claims = sample_claims();
  const json with = claims;
  EXPECT_EQ(with, json::parse(R"({"sub":"5b0a3c1e-7d7a-4b57-9d9e-2f3c1d0e9a11","tenantId":"tenant-1",
      "role":"Teacher","phone":"+84912345678","name":"Nguyễn Văn A","entityId":"teacher-42",
      "iss":"emis-identity","aud":"emis","iat":1780000000,"exp":1780000900,"jti":"jti-1",
      "roles":["Teacher"],"entities":[{"role":"Teacher","entityType":"Teacher","entityId":"teacher-42"}]})"));
  EXPECT_EQ(with.get<Claims>(), claims);
  claims.entities.clear();
  const json without = claims;
  EXPECT_FALSE(without.contains("entityId"));
  EXPECT_EQ(without.get<Claims>(), claims);
}

// A teacher who is also a parent in the same school: both roles, both
// entities; `role` and `entityId` stay the first ones for older clients.
TEST_F(AuthJwt, ClaimsCarryEveryRoleAndEntityOfTheTenant) {
  Claims claims = sample_claims();
  claims.roles = {"Teacher", "Parent"};
  claims.entities = {{"Teacher", "Teacher", "teacher-42"}, {"Parent", "Parent", "parent-7"}};
  const json j = claims;
  EXPECT_EQ(j["role"], "Teacher");
  EXPECT_EQ(j["entityId"], "teacher-42");
  EXPECT_EQ(j["roles"], json::parse(R"(["Teacher","Parent"])"));
  EXPECT_EQ(j["entities"][1],
            json::parse(R"({"role":"Parent","entityType":"Parent","entityId":"parent-7"})"));
  EXPECT_EQ(j.get<Claims>(), claims);
}

// A token issued before `roles` existed still names its one role.
TEST_F(AuthJwt, ClaimsWithoutRolesFallBackToRole) {
  json j = sample_claims();
  j.erase("roles");
  EXPECT_EQ(j.get<Claims>().roles, std::vector<std::string>{"Teacher"});
  j["roles"] = "Teacher";
  EXPECT_THROW(j.get<Claims>(), std::invalid_argument);
}

TEST_F(AuthJwt, KidIsTheRfc7638Thumbprint) {
  const json jwk = key_.public_jwk();
  const std::string canonical =
      json{{"crv", "P-256"}, {"kty", "EC"}, {"x", jwk["x"]}, {"y", jwk["y"]}}.dump();
  ASSERT_EQ(canonical.find(' '), std::string::npos);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  EXPECT_EQ(key_.kid(), base64url_encode(std::span<const unsigned char>(digest)));
  EXPECT_NE(SigningKey::generate().kid(), key_.kid());
}

TEST_F(AuthJwt, PublicJwkHasOnlyPublicMembers) {
  const json jwk = key_.public_jwk();
  EXPECT_EQ(jwk["kty"], "EC");
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(jwk["kid"], key_.kid());
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["alg"], "ES256");
  EXPECT_EQ(decode(jwk["x"].get<std::string>()).size(), 32u);
  EXPECT_EQ(decode(jwk["y"].get<std::string>()).size(), 32u);
  EXPECT_EQ(jwk.size(), 7u);  // in particular no private "d"
}

TEST_F(AuthJwt, RejectsAlgNone) {
  const std::string payload = b64(json(sample_claims()));
  for (const char* alg : {"none", "None", "NONE"}) {
    SCOPED_TRACE(alg);
    expect_rejected(b64(json{{"alg", alg}, {"typ", "JWT"}}) + "." + payload + ".", "algorithm");
    expect_rejected(b64(json{{"alg", alg}, {"kid", key_.kid()}}) + "." + payload + ".", "algorithm");
  }
}

TEST_F(AuthJwt, RejectsHs256SignedWithThePublicKey) {
  const json jwk = key_.public_jwk();
  const std::string point = decode(jwk["x"].get<std::string>()) + decode(jwk["y"].get<std::string>());
  for (const std::string& secret : {public_key_pem(jwk), jwk.dump(), point, std::string("\x04") + point}) {
    for (const char* alg : {"HS256", "HS384", "HS512"}) {
      const std::string input =
          b64(json{{"alg", alg}, {"typ", "JWT"}, {"kid", key_.kid()}}) + "." + b64(json(sample_claims()));
      expect_rejected(input + "." + base64url_encode(hmac_sha256(secret, input)), "algorithm");
    }
  }
}

TEST_F(AuthJwt, RejectsEveryAlgorithmButExactlyEs256) {
  for (const json& alg : {json("ES384"), json("ES512"), json("RS256"), json("PS256"), json("EdDSA"),
                          json("es256"), json("ES256 "), json(nullptr), json(json::array({"ES256"}))}) {
    json h = header();
    h["alg"] = alg;
    // Properly signed with our key, so only the algorithm can be at fault.
    expect_rejected(sign_raw(key_, h, json(sample_claims())), "algorithm");
  }
  json h = header();
  h.erase("alg");
  expect_rejected(sign_raw(key_, h, json(sample_claims())), "algorithm");
}

TEST_F(AuthJwt, RejectsTamperedPayload) {
  const auto parts = split(issue_token(key_, sample_claims()));
  json payload = json::parse(decode(parts[1]));
  payload["role"] = "SchoolAdmin";
  expect_rejected(parts[0] + "." + b64(payload) + "." + parts[2], "signature");
}

TEST_F(AuthJwt, RejectsTamperedHeader) {
  const auto parts = split(issue_token(key_, sample_claims()));
  json h = header();
  h["typ"] = "jwt";
  expect_rejected(b64(h) + "." + parts[1] + "." + parts[2], "signature");
}

TEST_F(AuthJwt, RejectsTokenSignedByAnotherKeyClaimingOurKid) {
  const SigningKey attacker = SigningKey::generate();
  expect_rejected(sign_raw(attacker, header(), json(sample_claims())), "signature");
}

TEST_F(AuthJwt, RejectsSignaturesThatAreNotExactly64Bytes) {
  const auto parts = split(issue_token(key_, sample_claims()));
  const std::string input = parts[0] + "." + parts[1];
  const std::string raw = decode(parts[2]);
  expect_rejected(input + "." + base64url_encode(raw.substr(0, 63)), "signature");
  expect_rejected(input + "." + base64url_encode(raw + '\0'), "signature");
  expect_rejected(input + "." + base64url_encode(std::string(128, 'A')), "signature");
  expect_rejected(input + ".", "signature");
  // The same valid signature in OpenSSL's DER form is not a JWS signature.
  const auto der = der_from_raw(
      std::span<const unsigned char, 64>(reinterpret_cast<const unsigned char*>(raw.data()), 64));
  expect_rejected(input + "." + base64url_encode(der), "signature");
  // An all-zero r||s is never valid.
  expect_rejected(input + "." + base64url_encode(std::string(64, '\0')), "signature");
}

TEST_F(AuthJwt, RejectsExpiredTokensAfterTheLeeway) {
  VerifyOptions opts = options();
  opts.leeway = std::chrono::seconds{30};
  Claims claims = sample_claims();
  claims.iat = kNowSeconds - 1000;
  claims.exp = kNowSeconds - 29;
  EXPECT_EQ(verify_token(issue_token(key_, claims), keys_, opts), claims);
  claims.exp = kNowSeconds - 30;
  expect_rejected(issue_token(key_, claims), "expired", opts);
  opts.leeway = {};
  claims.exp = kNowSeconds;  // valid only strictly before exp
  expect_rejected(issue_token(key_, claims), "expired", opts);
}

TEST_F(AuthJwt, RejectsTokensIssuedInTheFutureBeyondTheLeeway) {
  VerifyOptions opts = options();
  opts.leeway = std::chrono::seconds{30};
  Claims claims = sample_claims();
  claims.iat = kNowSeconds + 30;
  EXPECT_EQ(verify_token(issue_token(key_, claims), keys_, opts), claims);
  claims.iat = kNowSeconds + 31;
  expect_rejected(issue_token(key_, claims), "not yet valid", opts);
}

TEST_F(AuthJwt, RejectsNotBeforeInTheFuture) {
  json payload = sample_claims();
  payload["nbf"] = kNowSeconds + 60;
  expect_rejected(sign_raw(key_, header(), payload), "not yet valid");
  payload["nbf"] = kNowSeconds;
  EXPECT_EQ(verify_token(sign_raw(key_, header(), payload), keys_, options()), sample_claims());
}

TEST_F(AuthJwt, RejectsWrongAudience) {
  Claims claims = sample_claims();
  claims.aud = "another-system";
  expect_rejected(issue_token(key_, claims), "audience");
  json payload = sample_claims();
  payload["aud"] = json::array({"emis"});  // never issued; not accepted either
  expect_rejected(sign_raw(key_, header(), payload), "aud");
}

TEST_F(AuthJwt, RejectsWrongIssuer) {
  Claims claims = sample_claims();
  claims.iss = "https://evil.example";
  expect_rejected(issue_token(key_, claims), "issuer");
}

TEST_F(AuthJwt, UnknownKidRaisesUnknownKeyId) {
  const SigningKey other = SigningKey::generate();
  const std::string token = issue_token(other, sample_claims());
  try {
    verify_token(token, keys_, options());
    FAIL() << "token was accepted";
  } catch (const UnknownKeyId& e) {
    EXPECT_EQ(e.kid(), other.kid());
    EXPECT_EQ(e.kind(), core::ErrorKind::unauthorized);
    EXPECT_EQ(e.title(), "Unauthorized");
  }
  keys_.add(other);
  EXPECT_EQ(verify_token(token, keys_, options()), sample_claims());
}

TEST_F(AuthJwt, MissingKidIsMalformedNotUnknown) {
  json h = header();
  h.erase("kid");
  expect_rejected(sign_raw(key_, h, json(sample_claims())), "key id");
  h["kid"] = 7;
  expect_rejected(sign_raw(key_, h, json(sample_claims())), "key id");
}

TEST_F(AuthJwt, RejectsCriticalHeaderExtensions) {
  json h = header();
  h["crit"] = json::array({"exp"});
  h["exp"] = 0;
  expect_rejected(sign_raw(key_, h, json(sample_claims())), "critical");
}

TEST_F(AuthJwt, RejectsMalformedTokens) {
  const auto parts = split(issue_token(key_, sample_claims()));
  const std::string valid = parts[0] + "." + parts[1] + "." + parts[2];
  for (const std::string& token : {
           std::string(),
           std::string("abc"),
           std::string("a.b"),
           parts[0] + "." + parts[1],
           valid + ".",
           valid + "." + parts[2],
           "." + parts[1] + "." + parts[2],
           parts[0] + "=." + parts[1] + "." + parts[2],  // padding
           parts[0] + "." + parts[1] + "." + parts[2] + "=",
           "!!!." + parts[1] + "." + parts[2],
           base64url_encode(std::string_view("not json")) + "." + parts[1] + "." + parts[2],
           b64(json::array({header()})) + "." + parts[1] + "." + parts[2],
           " " + valid,
           valid + "\n",
       }) {
    expect_rejected(token, "malformed");
  }
  expect_rejected(std::string(kMaxTokenLength + 1, 'a'), "malformed");
}

TEST_F(AuthJwt, RejectsBadClaimsEvenWhenProperlySigned) {
  expect_rejected(sign_raw(key_, header(), std::string("not json")), "malformed token payload");
  expect_rejected(sign_raw(key_, header(), json::array({1, 2})), "malformed token payload");
  for (const char* name : {"sub", "iss", "aud", "iat", "exp"}) {
    json payload = sample_claims();
    payload.erase(name);
    expect_rejected(sign_raw(key_, header(), payload), "malformed token claims");
  }
  for (const auto& [name, value] :
       std::initializer_list<std::pair<const char*, json>>{{"exp", "1780000900"},
                                                           {"exp", 1780000900.5},
                                                           {"iat", nullptr},
                                                           {"sub", ""},
                                                           {"role", 1},
                                                           {"tenantId", json::object()},
                                                           {"exp", 18446744073709551615ull}}) {
    SCOPED_TRACE(name);
    json payload = sample_claims();
    payload[name] = value;
    expect_rejected(sign_raw(key_, header(), payload), "malformed token claims");
  }
}

TEST_F(AuthJwt, VerificationNeedsAnIssuerAndAnAudience) {
  const std::string token = issue_token(key_, sample_claims());
  VerifyOptions opts = options();
  opts.issuer.clear();
  EXPECT_THROW(verify_token(token, keys_, opts), std::invalid_argument);
  opts = options();
  opts.audience.clear();
  EXPECT_THROW(verify_token(token, keys_, opts), std::invalid_argument);
}

class AuthSigningKeyFile : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(root_); }

  const fs::path root_ = fs::temp_directory_path() / ("emis-auth-test-" + core::new_uuid());
  const fs::path dir_ = root_ / "data" / "keys";
  const fs::path file_ = dir_ / "jwt-signing-key.pem";
};

TEST_F(AuthSigningKeyFile, IsCreatedPrivateAndReusedOnTheNextStart) {
  const SigningKey first = SigningKey::load_or_create(dir_);
  ASSERT_TRUE(fs::exists(file_));
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);  // no temp left

  const SigningKey second = SigningKey::load_or_create(dir_);
  EXPECT_EQ(second.kid(), first.kid());
  KeySet keys;
  keys.add(first);
  EXPECT_EQ(verify_token(issue_token(second, sample_claims()), keys, options()), sample_claims());
}

TEST_F(AuthSigningKeyFile, UnreadableKeyIsAnErrorAndIsNotReplaced) {
  fs::create_directories(dir_);
  std::ofstream(file_) << "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n";
  EXPECT_THROW(SigningKey::load_or_create(dir_), std::runtime_error);
  std::ifstream in(file_);
  std::string first_line;
  std::getline(in, first_line);
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "garbage");
}

TEST_F(AuthSigningKeyFile, RefusesKeysOfAnotherCurve) {
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  ASSERT_NE(p384, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(p384);
  try {
    SigningKey::from_pem(pem);
    FAIL() << "a P-384 key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("P-256"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace emis::auth
