"""End to end: codes that reach the person, and password reset.

With the development SMS sink (EMIS_SMS_DEV_SINK=1) Identity sends a new
teacher's or parent's first activation code by itself, the activation-code endpoint
answers 202 with the masked phone and never the code, and the teacher
activates with the code read from the sink file. Without a notifier the
code is answered (201) as before. A forgotten password comes back through
a reset code: the new password works, the old one and every refresh token
of the account stop working, and a code serves only its own account state.
"""

import json
import os
import re
import unittest

from emis_harness import SystemTestCase, e164, eventually, unique_phone

OTHER_TENANT = "00000000-0000-4000-8000-0000000000c3"
FOREIGN_ADMIN = (unique_phone(), "Foreign-Adm1n-Pass", OTHER_TENANT)
OLD_PASSWORD = "Teacher-Old-Passw0rd"
NEW_PASSWORD = "Teacher-New-Passw0rd"
SINK_FILE = "sms-dev-sink.jsonl"
CODE = re.compile(r"code is ([A-Z2-9]{10})\b")


def masked(phone):
    """The masking rule of the contract: first 5 and last 2 characters kept."""
    return phone[:5] + "•" * (len(phone) - 7) + phone[-2:]


class DevSinkCodesTest(SystemTestCase):
    system_options = {"extra_env": {"EMIS_SMS_DEV_SINK": "1"}, "student": True}

    def sent_to(self, phone):
        """The messages the sink holds for this phone, oldest first."""
        path = os.path.join(self.system.identity.data_dir, SINK_FILE)
        try:
            with open(path, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.endswith("\n")]  # whole lines only
        except FileNotFoundError:
            return []
        return [m for m in lines if m["to"] == e164(phone)]

    def wait_code(self, phone, nth):
        """The code of the nth message to this phone, once it is in the sink."""
        messages = eventually(lambda: len(self.sent_to(phone)) >= nth and self.sent_to(phone),
                              message=f"message {nth} to {phone} in the SMS sink")
        match = CODE.search(messages[nth - 1]["message"])
        self.assertIsNotNone(match, messages[nth - 1])
        return match.group(1), messages[nth - 1]["message"]

    def test_teacher_activates_with_the_code_sent_to_the_phone(self):
        phone = unique_phone()
        self.system.create_teacher(phoneNumber=phone)

        # The first code goes out when the account is made, with no request.
        first, text = self.wait_code(phone, 1)
        self.assertIn("activation code", text)
        user = self.system.wait_user(phone)
        self.assertEqual(user["status"], "PendingActivation")

        # Asking for a code answers where it went, never the code.
        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/activation-code")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(set(r.json), {"sentTo", "expiresAt"}, r)
        self.assertEqual(r.json["sentTo"], masked(e164(phone)))
        second, text = self.wait_code(phone, 2)
        self.assertNotEqual(first, second)
        self.assertIn(r.json["expiresAt"], text)
        self.assertNotIn(second, r.raw.decode())

        # The new code replaced the first; the teacher activates with it and logs in.
        self.assertProblem(self.system.set_password(phone, first, NEW_PASSWORD), 400, "activationCode")
        r = self.system.set_password(phone, second, NEW_PASSWORD)
        self.assertEqual(r.status, 204, r)
        login = self.system.login(phone, NEW_PASSWORD)
        self.assertEqual(login["user"]["status"], "Active")
        # Codes travel in messages only, never in the service's log.
        self.assertNotIn(second, self.system.identity.log_text())

    def test_parent_activates_with_the_code_sent_to_the_phone(self):
        phone = unique_phone()
        self.system.create_student([{"fullName": "Lê Thị Hoa", "phoneNumber": phone, "relationship": "Mother"}],
                                   fullName="Lê Minh Khoa")
        code, _ = self.wait_code(phone, 1)
        self.assertEqual(self.system.set_password(phone, code, NEW_PASSWORD).status, 204)
        login = self.system.login(phone, NEW_PASSWORD)
        self.assertEqual(login["user"]["role"], "Parent")

    def test_password_reset_code_is_sent_to_the_phone(self):
        phone = unique_phone()
        self.system.create_teacher(phoneNumber=phone)
        activation, _ = self.wait_code(phone, 1)
        self.assertEqual(self.system.set_password(phone, activation, OLD_PASSWORD).status, 204)
        user = self.system.wait_user(phone, status="Active")

        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/password-reset-code")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(set(r.json), {"sentTo", "expiresAt"}, r)
        self.assertEqual(r.json["sentTo"], masked(e164(phone)))
        reset, text = self.wait_code(phone, 2)
        self.assertIn("password reset code", text)
        r = self.system.set_password(phone, reset, NEW_PASSWORD)
        self.assertEqual(r.status, 204, r)
        self.system.login(phone, NEW_PASSWORD)
        self.system.login(phone, OLD_PASSWORD, expect=401)


class PasswordResetTest(SystemTestCase):
    """No notifier: codes are answered to the administrator, as before."""
    system_options = {"extra_admins": [FOREIGN_ADMIN]}

    def test_without_a_notifier_the_activation_code_is_answered(self):
        phone = unique_phone()
        self.system.create_teacher(phoneNumber=phone)
        user = self.system.wait_user(phone)
        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/activation-code")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json), {"activationCode", "expiresAt"}, r)
        self.assertRegex(r.json["activationCode"], r"^[A-Z2-9]{10}$")
        self.assertFalse(os.path.exists(os.path.join(self.system.identity.data_dir, SINK_FILE)))
        self.assertEqual(self.system.set_password(phone, r.json["activationCode"], OLD_PASSWORD).status, 204)

    def test_reset_sets_a_new_password_and_ends_every_session(self):
        phone = unique_phone()
        self.system.create_teacher(phoneNumber=phone)
        user = self.system.activate(phone, OLD_PASSWORD)
        sessions = [self.system.login(phone, OLD_PASSWORD)["refreshToken"] for _ in range(2)]

        r = self.identity_admin.post(f"/api/v1/users/{user['id']}/password-reset-code")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json), {"resetCode", "expiresAt"}, r)
        code = r.json["resetCode"]
        self.assertProblem(self.system.set_password(phone, code, "short"), 400, "newPassword")
        r = self.system.set_password(phone, code, NEW_PASSWORD)
        self.assertEqual(r.status, 204, r)

        anonymous = self.system.identity_client()
        for token in sessions:
            self.assertProblem(anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": token}), 401)
        login = self.system.login(phone, NEW_PASSWORD)
        self.assertEqual(login["user"]["status"], "Active")
        self.system.login(phone, OLD_PASSWORD, expect=401)
        # Used once: the same code does not reset again.
        self.assertProblem(self.system.set_password(phone, code, "Yet-Another-Passw0rd"), 400, "activationCode")
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": login["refreshToken"]})
        self.assertEqual(r.status, 200, r)  # the session made after the reset lives on

    def test_codes_serve_only_their_own_account_state(self):
        pending_phone, active_phone = unique_phone(), unique_phone()
        self.system.create_teacher(phoneNumber=pending_phone)
        self.system.create_teacher(phoneNumber=active_phone)
        pending = self.system.wait_user(pending_phone)
        active = self.system.activate(active_phone, OLD_PASSWORD)
        admin = self.identity_admin

        # A pending account gets no reset code, an active one no activation code.
        r = admin.post(f"/api/v1/users/{pending['id']}/password-reset-code")
        self.assertProblem(r, 409)
        self.assertEqual(r.json["title"], "Account not active")
        self.assertProblem(admin.post(f"/api/v1/users/{active['id']}/activation-code"), 409)

        # A reset code is the active account's alone: it activates nothing.
        r = admin.post(f"/api/v1/users/{active['id']}/password-reset-code")
        self.assertEqual(r.status, 201, r)
        self.assertProblem(self.system.set_password(pending_phone, r.json["resetCode"], NEW_PASSWORD), 400,
                           "activationCode")

        # Unknown, another tenant's, and not an administrator.
        self.assertProblem(admin.post("/api/v1/users/00000000-0000-4000-8000-00000000dead/password-reset-code"),
                           404)
        foreign = self.system.identity_client(self.system.admin_token(FOREIGN_ADMIN[0], FOREIGN_ADMIN[1]))
        self.assertProblem(foreign.post(f"/api/v1/users/{active['id']}/password-reset-code"), 404)
        teacher = self.system.identity_client(self.system.login(active_phone, OLD_PASSWORD)["accessToken"])
        self.assertProblem(teacher.post(f"/api/v1/users/{active['id']}/password-reset-code"), 403)

        # Disabled: no reset code either.
        self.assertEqual(admin.post(f"/api/v1/users/{active['id']}/disable").status, 200)
        self.assertProblem(admin.post(f"/api/v1/users/{active['id']}/password-reset-code"), 409)


if __name__ == "__main__":
    unittest.main()
