"""End to end: a teacher's whole onboarding over real processes and a real broker.

Admin creates a teacher -> Identity makes a PendingActivation user from the
event -> the teacher shows the account -> activation code -> set-password ->
Active on both sides -> login, /auth/me, refresh rotation and reuse detection
-> delete -> the account is Disabled and its tokens stop working.
"""

import unittest

from emis_harness import DEFAULT_TENANT, SystemTestCase, e164, jwt_parts, unique_phone

TEACHER_PASSWORD = "Teacher-Passw0rd!"


class OnboardingTest(SystemTestCase):

    def test_admin_login(self):
        r = self.system.identity_client().post(
            "/api/v1/auth/login", {"phoneNumber": self.system.admin_phone, "password": self.system.admin_password})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["tokenType"], "Bearer")
        self.assertEqual(r.json["user"]["role"], "SchoolAdmin")
        header, claims = jwt_parts(r.json["accessToken"])
        self.assertIn(header["alg"], ("ES256", "RS256"))
        self.assertTrue(header.get("kid"))
        self.assertEqual(claims["role"], "SchoolAdmin")
        self.assertEqual(claims["tenantId"], DEFAULT_TENANT)

    def test_onboarding_lifecycle(self):
        system = self.system
        admin = self.admin
        identity_admin = self.identity_admin
        anonymous = system.identity_client()

        # The administrator creates a teacher (national phone form in, E.164 out).
        phone = unique_phone()
        r = admin.post("/api/v1/teachers", {"fullName": "  Trần Thị Bình  ", "phoneNumber": phone,
                                            "email": "binh@example.edu.vn", "gender": "Female",
                                            "dateOfBirth": "1990-04-30", "hireDate": "2020-09-01",
                                            "address": {"city": "Hà Nội"}})
        self.assertEqual(r.status, 201, r)
        teacher = r.json
        self.assertEqual(r.headers.get("Location"), f"/api/v1/teachers/{teacher['id']}")
        self.assertEqual(teacher["phoneNumber"], e164(phone))
        self.assertEqual(teacher["fullName"], "Trần Thị Bình")
        self.assertEqual(teacher["tenantId"], DEFAULT_TENANT)
        self.assertEqual(teacher["status"], "Active")
        self.assertEqual(teacher["accountStatus"], "None")
        self.assertIsNone(teacher["userId"])
        r = admin.get(r.headers["Location"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], teacher["id"])

        # Identity makes the user from TeacherCreated.
        user = system.wait_user(phone)
        self.assertEqual(user["status"], "PendingActivation")
        self.assertEqual(user["role"], "Teacher")
        self.assertEqual(user["entityId"], teacher["id"])
        self.assertEqual(user["tenantId"], DEFAULT_TENANT)
        self.assertEqual(user["phoneNumber"], e164(phone))
        self.assertEqual(user["fullName"], "Trần Thị Bình")
        self.assertEqual(user["email"], "binh@example.edu.vn")
        self.assertEqual(system.find_user(e164(phone))["id"], user["id"])  # either phone form finds it
        r = identity_admin.get(f"/api/v1/users/{user['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], user["id"])

        # ...and the teacher follows UserAccountCreated.
        shown = system.wait_account_status(teacher["id"], "PendingActivation")
        self.assertEqual(shown["userId"], user["id"])

        # Before activation the password is not set: login cannot succeed.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": TEACHER_PASSWORD})
        self.assertEqual(r.status, 401, r)

        # Activation code.
        r = identity_admin.post(f"/api/v1/users/{user['id']}/activation-code")
        self.assertEqual(r.status, 201, r)
        code = r.json["activationCode"]
        self.assertGreaterEqual(len(code), 8)
        self.assertTrue(r.json["expiresAt"])

        # A wrong code and an unknown phone get the same answer.
        wrong = anonymous.post("/api/v1/auth/set-password", {
            "phoneNumber": phone, "activationCode": "WRONG-" + code, "newPassword": TEACHER_PASSWORD})
        self.assertProblem(wrong, 400)
        unknown = anonymous.post("/api/v1/auth/set-password", {
            "phoneNumber": unique_phone(), "activationCode": code, "newPassword": TEACHER_PASSWORD})
        self.assertProblem(unknown, 400)
        self.assertEqual(wrong.json, unknown.json)
        self.assertEqual(system.find_user(phone)["status"], "PendingActivation")

        # The right code activates the account.
        r = anonymous.post("/api/v1/auth/set-password", {
            "phoneNumber": phone, "activationCode": code, "newPassword": TEACHER_PASSWORD})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(system.find_user(phone)["status"], "Active")
        # The code is single-use.
        r = anonymous.post("/api/v1/auth/set-password", {
            "phoneNumber": phone, "activationCode": code, "newPassword": "Another-Passw0rd!"})
        self.assertProblem(r, 400)
        self.assertEqual(r.json, unknown.json)
        system.wait_account_status(teacher["id"], "Active")

        # The teacher logs in.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": TEACHER_PASSWORD})
        self.assertEqual(r.status, 200, r)
        session = r.json
        for key in ("accessToken", "refreshToken", "expiresAt", "user"):
            self.assertTrue(session.get(key), f"{key} missing in {session}")
        self.assertEqual(session["tokenType"], "Bearer")
        self.assertEqual(session["user"]["id"], user["id"])
        self.assertEqual(session["user"]["role"], "Teacher")
        _, claims = jwt_parts(session["accessToken"])
        self.assertEqual(claims["sub"], user["id"])
        self.assertEqual(claims["role"], "Teacher")
        self.assertEqual(claims["entityId"], teacher["id"])
        self.assertEqual(claims["tenantId"], DEFAULT_TENANT)
        # The E.164 form logs in too.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": e164(phone), "password": TEACHER_PASSWORD})
        self.assertEqual(r.status, 200, r)

        r = system.identity_client(session["accessToken"]).get("/api/v1/auth/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], user["id"])
        self.assertEqual(r.json["status"], "Active")

        # Refresh rotates; reusing the rotated token revokes the whole family.
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": session["refreshToken"]})
        self.assertEqual(r.status, 200, r)
        rotated = r.json
        self.assertNotEqual(rotated["refreshToken"], session["refreshToken"])
        self.assertTrue(rotated["accessToken"])
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": session["refreshToken"]})
        self.assertProblem(r, 401)
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": rotated["refreshToken"]})
        self.assertProblem(r, 401)

        # Logout revokes the refresh token of a new session.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": TEACHER_PASSWORD})
        self.assertEqual(r.status, 200, r)
        other = r.json
        r = system.identity_client(other["accessToken"]).post("/api/v1/auth/logout",
                                                             {"refreshToken": other["refreshToken"]})
        self.assertEqual(r.status, 204, r)
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": other["refreshToken"]})
        self.assertProblem(r, 401)

        # A live session to be cut off by the delete.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": TEACHER_PASSWORD})
        self.assertEqual(r.status, 200, r)
        live = r.json

        # Delete: 204, then 404; the account is disabled.
        r = admin.delete(f"/api/v1/teachers/{teacher['id']}")
        self.assertEqual(r.status, 204, r)
        r = admin.delete(f"/api/v1/teachers/{teacher['id']}")
        self.assertProblem(r, 404)
        r = admin.get(f"/api/v1/teachers/{teacher['id']}")
        self.assertProblem(r, 404)
        system.wait_user(phone, status="Disabled")

        # Disabled shows only after the password is proven.
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": "Wrong-Passw0rd!"})
        self.assertProblem(r, 401)
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": phone, "password": TEACHER_PASSWORD})
        self.assertProblem(r, 403)
        self.assertEqual(r.json["title"], "AccountDisabled", r)
        r = system.identity_client(live["accessToken"]).get("/api/v1/auth/me")
        self.assertProblem(r, 401)
        r = anonymous.post("/api/v1/auth/refresh-token", {"refreshToken": live["refreshToken"]})
        self.assertProblem(r, 401)
        # No activation code for a disabled account.
        r = identity_admin.post(f"/api/v1/users/{user['id']}/activation-code")
        self.assertProblem(r, 409)

    def test_phone_is_free_again_after_delete(self):
        """A deleted teacher frees its phone in the Teacher service (its old user stays Disabled)."""
        phone = unique_phone()
        first = self.system.create_teacher(phoneNumber=phone)
        r = self.admin.post("/api/v1/teachers", {"fullName": "Dup", "phoneNumber": phone})
        self.assertProblem(r, 409, "phoneNumber")
        self.assertEqual(self.admin.delete(f"/api/v1/teachers/{first['id']}").status, 204)
        second = self.system.create_teacher(phoneNumber=phone)
        self.assertNotEqual(second["id"], first["id"])

    def test_login_errors(self):
        anonymous = self.system.identity_client()
        unknown = anonymous.post("/api/v1/auth/login", {"phoneNumber": unique_phone(), "password": "Whatever-123"})
        self.assertProblem(unknown, 401)
        wrong = anonymous.post("/api/v1/auth/login",
                               {"phoneNumber": self.system.admin_phone, "password": "Wrong-Passw0rd!"})
        self.assertProblem(wrong, 401)
        self.assertEqual(unknown.json.get("title"), wrong.json.get("title"))
        self.assertEqual(unknown.json.get("detail"), wrong.json.get("detail"))
        r = anonymous.post("/api/v1/auth/login", {"phoneNumber": self.system.admin_phone})
        self.assertProblem(r, 400, "password")
        r = anonymous.get("/api/v1/auth/me")
        self.assertProblem(r, 401)


if __name__ == "__main__":
    unittest.main()
