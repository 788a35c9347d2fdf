"""End to end: disabling an account stops its tokens on every service.

An administrator disables another administrator of the tenant: the very
access token that worked a moment ago is refused (401 problem+json) by
Identity at once and by the Teacher service within a second (it learns it
from UserDisabled). Enabling makes the account's tokens work again on both.
Also the rules of the two endpoints: not oneself, own tenant only,
idempotent, and an account that never set a password goes back to
PendingActivation.
"""

import time
import unittest

from emis_harness import DEFAULT_TENANT, SystemTestCase, eventually, unique_phone

OTHER_TENANT = "00000000-0000-4000-8000-0000000000b2"
SECOND_ADMIN = (unique_phone(), "Second-Adm1n-Pass", DEFAULT_TENANT)
FOREIGN_ADMIN = (unique_phone(), "Foreign-Adm1n-Pass", OTHER_TENANT)
REVOCATION_DEADLINE = 1.0  # seconds: the contract for every service


class AccountDisableTest(SystemTestCase):
    system_options = {"extra_admins": [SECOND_ADMIN, FOREIGN_ADMIN]}

    def second_admin(self):
        phone, password, _ = SECOND_ADMIN
        login = self.system.login(phone, password)
        return login["user"]["id"], login["accessToken"]

    def statuses(self, token):
        """What Identity and the Teacher service answer to this token now."""
        me = self.system.identity_client(token).get("/api/v1/auth/me")
        teachers = self.system.teacher_client(token).get("/api/v1/teachers")
        return me, teachers

    def test_disabled_tokens_stop_on_both_services_and_enable_restores_them(self):
        user_id, token = self.second_admin()
        me, teachers = self.statuses(token)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(teachers.status, 200, teachers)  # the token is in teacher's verified cache now

        r = self.identity_admin.post(f"/api/v1/users/{user_id}/disable")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "Disabled")
        disabled_at = time.monotonic()

        # Identity: at once, on the same token.
        self.assertProblem(self.system.identity_client(token).get("/api/v1/auth/me"), 401)
        # Teacher: within a second of the disable's answer.
        eventually(lambda: self.system.teacher_client(token).get("/api/v1/teachers").status == 401,
                   timeout=REVOCATION_DEADLINE - (time.monotonic() - disabled_at),
                   interval=0.01, message="teacher-service refusing the disabled account's token")
        self.assertProblem(self.system.teacher_client(token).get("/api/v1/teachers"), 401)
        # No new session either.
        phone, password, _ = SECOND_ADMIN
        self.assertProblem(self.system.identity_client().post(
            "/api/v1/auth/login", {"phoneNumber": phone, "password": password}), 403)

        # Disabling again changes nothing and says so the same way.
        r = self.identity_admin.post(f"/api/v1/users/{user_id}/disable")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "Disabled")

        r = self.identity_admin.post(f"/api/v1/users/{user_id}/enable")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "Active")
        self.assertEqual(self.system.identity_client(token).get("/api/v1/auth/me").status, 200)
        eventually(lambda: self.system.teacher_client(token).get("/api/v1/teachers").status == 200,
                   message="teacher-service accepting the enabled account's token again")
        r = self.identity_admin.post(f"/api/v1/users/{user_id}/enable")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "Active")

    def test_rules(self):
        admin_id = self.system.login(self.system.admin_phone, self.system.admin_password)["user"]["id"]
        for action in ("disable", "enable"):
            self.assertProblem(self.identity_admin.post(f"/api/v1/users/{admin_id}/{action}"), 403)
            foreign = self.system.login(FOREIGN_ADMIN[0], FOREIGN_ADMIN[1])["user"]["id"]
            self.assertProblem(self.identity_admin.post(f"/api/v1/users/{foreign}/{action}"), 404)
            self.assertProblem(self.identity_admin.post(
                "/api/v1/users/00000000-0000-4000-8000-00000000dead/" + action), 404)
            self.assertProblem(self.identity_admin.post(f"/api/v1/users/not-a-uuid/{action}"), 404)
            self.assertProblem(self.system.identity_client().post(f"/api/v1/users/{admin_id}/{action}"), 401)

    def test_pending_account_is_enabled_back_to_pending_and_teacher_follows(self):
        teacher = self.system.create_teacher()
        user = self.system.wait_user(teacher["phoneNumber"])
        self.system.wait_account_status(teacher["id"], "PendingActivation")
        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/disable")
        self.assertEqual(r.json["status"], "Disabled", r)
        self.system.wait_account_status(teacher["id"], "Disabled")
        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/enable")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "PendingActivation")
        self.system.wait_account_status(teacher["id"], "PendingActivation")


if __name__ == "__main__":
    unittest.main()
