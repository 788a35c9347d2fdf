"""HTTP conformance and operator settings of both services, as processes.

- A known path asked with a method it does not support is 405 with Allow.
- EMIS_METRICS_TOKEN: /metrics answers only to that bearer token.
- EMIS_TRUSTED_PROXIES: the login throttle counts attempts by the client
  address a trusted proxy forwards, not by the proxy's.
"""

import json
import os
import unittest
import uuid

from emis_harness import SOURCE_DIR, SystemTestCase, request, unique_phone

METRICS_TOKEN = "e2e-scrape-" + uuid.uuid4().hex
ADDRESS_FAILURES_PER_MINUTE = 30  # identity/login_throttle.hpp


def documented_methods(service):
    """{path with ids filled in: set of methods} from the service's OpenAPI document."""
    with open(os.path.join(SOURCE_DIR, "docs", f"{service}-api.openapi.json")) as f:
        doc = json.load(f)
    some_id = str(uuid.uuid4())
    return {path.replace("{id}", some_id): {m.upper() for m in item if m != "parameters"}
            for path, item in doc["paths"].items()}


class HttpConformance(SystemTestCase):
    system_options = {"extra_env": {"EMIS_TRUSTED_PROXIES": "127.0.0.1", "EMIS_METRICS_TOKEN": METRICS_TOKEN}}

    def test_unsupported_method_on_a_known_path_is_405_with_allow(self):
        for service in self.system.services:
            for path, methods in documented_methods(service.name).items():
                for method in ("TRACE", "PATCH") + tuple({"GET", "POST", "PUT", "DELETE"} - methods):
                    with self.subTest(service=service.name, path=path, method=method):
                        r = request(method, service.url + path)
                        self.assertProblem(r, 405)
                        self.assertEqual(set(r.headers["Allow"].split(", ")), methods, r)
            with self.subTest(service=service.name, path="/nowhere"):
                r = request("TRACE", service.url + "/nowhere")
                self.assertProblem(r, 404)
                self.assertIsNone(r.headers.get("Allow"))

    def test_metrics_need_the_metrics_token(self):
        for service in self.system.services:
            with self.subTest(service=service.name):
                for token in (None, self.system.admin_token(), METRICS_TOKEN + "x"):
                    r = request("GET", service.url + "/metrics",
                                headers={"Authorization": f"Bearer {token}"} if token else None)
                    self.assertProblem(r, 401)
                    self.assertEqual(r.headers.get("WWW-Authenticate"), "Bearer")
                r = request("GET", service.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
                self.assertEqual(r.status, 200, r)
                self.assertIn(b"emis_http_requests_total", r.raw)

    def test_login_throttle_counts_the_forwarded_client(self):
        login = self.system.identity.url + "/api/v1/auth/login"

        def attempt(client):
            # A client-supplied address left of the one the proxy appended must not matter.
            return request("POST", login, body={"phoneNumber": unique_phone(), "password": "not-the-password"},
                           headers={"X-Forwarded-For": f"{uuid.uuid4().int % 200 + 1}.0.0.1, {client}"})

        for _ in range(ADDRESS_FAILURES_PER_MINUTE):
            self.assertProblem(attempt("198.51.100.7"), 401)
        limited = attempt("198.51.100.7")
        self.assertProblem(limited, 429)
        self.assertIn("Retry-After", limited.headers)
        # Another client behind the same proxy is not held back.
        self.assertProblem(attempt("198.51.100.8"), 401)


if __name__ == "__main__":
    unittest.main()
