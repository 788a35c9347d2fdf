"""The console's own API over plain HTTP: what the browser tests cannot show
directly. A change without the session's CSRF token is refused, no cookie
means 401, bad input is problem+json, and the pages carry a strict CSP."""

import http.cookies
import unittest

from console_system import ConsoleService
from emis_harness import SystemTestCase, request, unique_phone


class ConsoleApiTest(SystemTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.console = ConsoleService(cls.system)
        cls.console.start()
        cls.console.wait_ready()

    @classmethod
    def tearDownClass(cls):
        rc, _ = cls.console.terminate()
        super().tearDownClass()
        assert rc in (0, None), f"console exited with {rc}"

    def sign_in(self):
        r = request("POST", self.console.url + "/console/api/session",
                    body={"phoneNumber": self.system.admin_phone, "password": self.system.admin_password})
        self.assertEqual(r.status, 200, r)
        cookie = http.cookies.SimpleCookie(r.headers["Set-Cookie"])["emis_console_session"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")
        self.assertNotIn("accessToken", r.json)
        return {"Cookie": f"emis_console_session={cookie.value}"}, r.json["csrfToken"]

    def test_a_change_without_the_csrf_token_is_refused(self):
        cookie, csrf = self.sign_in()
        body = {"fullName": "Bùi Thị Mai", "phoneNumber": unique_phone()}
        r = request("POST", self.console.url + "/console/api/teachers", body=body, headers=cookie)
        self.assertProblem(r, 403)
        r = request("POST", self.console.url + "/console/api/teachers", body=body,
                    headers={**cookie, "X-CSRF-Token": "forged"})
        self.assertProblem(r, 403)
        r = request("POST", self.console.url + "/console/api/teachers", body=body,
                    headers={**cookie, "X-CSRF-Token": csrf})
        self.assertEqual(r.status, 201, r)

    def test_without_a_session_the_api_answers_401(self):
        for path in ("/console/api/session", "/console/api/teachers", "/console/api/onboarding/overview"):
            self.assertProblem(request("GET", self.console.url + path), 401)

    def test_bad_input_is_problem_json(self):
        cookie, csrf = self.sign_in()
        self.assertProblem(request("GET", self.console.url + "/console/api/onboarding?ids=1,2", headers=cookie),
                           400, "ids")
        self.assertProblem(request("POST", self.console.url + "/console/api/teachers", raw="{not json",
                                   headers={**cookie, "X-CSRF-Token": csrf}), 400)
        r = request("POST", self.console.url + "/console/api/teachers", body={"fullName": "X"},
                    headers={**cookie, "X-CSRF-Token": csrf})
        self.assertProblem(r, 400, "phoneNumber")  # the Teacher API's own answer, passed on
        self.assertProblem(request("GET", self.console.url + "/console/api/teachers/not-a-uuid", headers=cookie), 404)

    def test_signing_out_ends_the_session(self):
        cookie, csrf = self.sign_in()
        r = request("DELETE", self.console.url + "/console/api/session", headers={**cookie, "X-CSRF-Token": csrf})
        self.assertEqual(r.status, 204, r)
        self.assertProblem(request("GET", self.console.url + "/console/api/session", headers=cookie), 401)

    def test_the_page_carries_a_strict_content_security_policy(self):
        r = request("GET", self.console.url + "/")
        self.assertEqual(r.status, 200)
        self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")


if __name__ == "__main__":
    unittest.main()
