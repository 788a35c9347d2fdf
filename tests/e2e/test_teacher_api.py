"""End to end: the Teacher service's API as an administrator (and an attacker) sees it."""

import datetime
import hashlib
import hmac
import json
import threading
import unittest
import urllib.parse
import uuid

from emis_harness import (DEFAULT_TENANT, SystemTestCase, b64url, e164, eventually, jwt_parts, request,
                          unique_phone)

OTHER_TENANT = "00000000-0000-4000-8000-000000000002"
OTHER_ADMIN_PHONE = "0901000002"
OTHER_ADMIN_PASSWORD = "Other-Admin-Passw0rd!"
TEACHER_PASSWORD = "Teacher-Passw0rd!"


def years_ago(years, days=0):
    today = datetime.date.today()
    try:
        d = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        d = today.replace(year=today.year - years, day=28)
    return (d + datetime.timedelta(days=days)).isoformat()


class TeacherApiTest(SystemTestCase):
    system_options = {"extra_admins": [(OTHER_ADMIN_PHONE, OTHER_ADMIN_PASSWORD, OTHER_TENANT)]}

    def count(self, **query):
        r = self.admin.get("/api/v1/teachers", query=dict(query, pageSize=1))
        self.assertEqual(r.status, 200, r)
        return r.json["totalCount"]

    # ------------------------------------------------------------ validation

    def test_validation_table(self):
        def case(**fields):
            body = {"fullName": "Lê Văn Cường", "phoneNumber": unique_phone()}
            body.update(fields)
            return {k: v for k, v in body.items() if v is not ...}

        cases = [
            ("missing fullName", case(fullName=...), "fullName"),
            ("blank fullName", case(fullName="   "), "fullName"),
            ("1-char fullName", case(fullName="A"), "fullName"),
            ("256-char fullName", case(fullName="A" * 256), "fullName"),
            ("missing phone", case(phoneNumber=...), "phoneNumber"),
            ("retired-range phone", case(phoneNumber="0123456789"), "phoneNumber"),
            ("letters for phone", case(phoneNumber="not a phone"), "phoneNumber"),
            ("bad email", case(email="not-an-email"), "email"),
            ("email without domain dot", case(email="a@b"), "email"),
            ("gender Foo", case(gender="Foo"), "gender"),
            ("under 18", case(dateOfBirth=years_ago(18, days=1)), "dateOfBirth"),
            ("dateOfBirth in the future", case(dateOfBirth="2999-01-01"), "dateOfBirth"),
            ("dateOfBirth dd/mm/yyyy", case(dateOfBirth="30/04/1990"), "dateOfBirth"),
            ("dateOfBirth impossible", case(dateOfBirth="1990-02-30"), "dateOfBirth"),
            ("hireDate month 13", case(hireDate="2020-13-01"), "hireDate"),
            ("status Foo", case(status="Foo"), "status"),
            ("fullName a number", case(fullName=123), "fullName"),
            ("phoneNumber a number", case(phoneNumber=912345678), "phoneNumber"),
            ("email a bool", case(email=True), "email"),
            ("gender an array", case(gender=["Male"]), "gender"),
            ("dateOfBirth a number", case(dateOfBirth=19900430), "dateOfBirth"),
            ("address a string", case(address="1 Tràng Tiền"), "address"),
            ("address with a nested object", case(address={"street": {"no": 1}}), "address"),
        ]
        before = self.count()
        for name, body, field in cases:
            with self.subTest(name):
                r = self.admin.post("/api/v1/teachers", body)
                self.assertProblem(r, 400, field)
                phone = body.get("phoneNumber")
                if isinstance(phone, str) and phone.startswith("09"):
                    self.assertEqual(self.count(searchTerm=phone), 0, f"{name}: a teacher was stored")

        raw_cases = [
            ("malformed JSON", '{"fullName": "Lê Văn Cường", "phoneNumber": '),
            ("JSON array body", json.dumps([{"fullName": "Lê Văn Cường", "phoneNumber": unique_phone()}])),
            ("JSON string body", '"hello"'),
            ("empty body", ""),
        ]
        for name, raw in raw_cases:
            with self.subTest(name):
                r = self.admin.post("/api/v1/teachers", raw=raw)
                self.assertProblem(r, 400)
                self.assertTrue(r.json.get("errors"), r)

        # Several errors at once are all reported.
        r = self.admin.post("/api/v1/teachers", {"fullName": "A", "phoneNumber": "0123456789", "gender": "Foo"})
        self.assertProblem(r, 400)
        self.assertLessEqual({"fullName", "phoneNumber", "gender"}, set(r.json["errors"]), r)
        self.assertEqual(self.count(), before, "a rejected request stored a teacher")

        # Exactly 18 today is old enough; optional fields may be null.
        t = self.system.create_teacher(dateOfBirth=years_ago(18), email=None, gender=None, address=None)
        self.assertEqual(t["dateOfBirth"], years_ago(18))
        self.assertIsNone(t["email"])

    def test_body_over_64k_is_413(self):
        before = self.count()
        body = {"fullName": "Lê Văn Cường", "phoneNumber": unique_phone(), "address": {"note": "x" * (65 * 1024)}}
        r = self.admin.post("/api/v1/teachers", body)
        self.assertProblem(r, 413)
        self.assertEqual(self.count(), before)
        # Just under the limit is judged on its content (here: a valid teacher).
        body["address"] = {"note": "x" * (60 * 1024)}
        r = self.admin.post("/api/v1/teachers", body)
        self.assertEqual(r.status, 201, r)

    def test_duplicate_phone_is_409(self):
        phone = unique_phone()
        self.system.create_teacher(phoneNumber=phone)
        before = self.count()
        for form in (phone, e164(phone), f"{phone[:4]} {phone[4:7]} {phone[7:]}"):
            with self.subTest(form):
                r = self.admin.post("/api/v1/teachers", {"fullName": "Someone Else", "phoneNumber": form})
                self.assertProblem(r, 409, "phoneNumber")
        self.assertEqual(self.count(), before)

    def test_invalid_and_unknown_ids(self):
        for path in ("/api/v1/teachers/not-a-uuid", f"/api/v1/teachers/{uuid.uuid4()}"):
            with self.subTest(path):
                self.assertIn(self.admin.get(path).status, (400, 404))
                self.assertIn(self.admin.delete(path).status, (400, 404))
                r = self.admin.put(path, {"fullName": "Nobody Here", "phoneNumber": unique_phone()})
                self.assertIn(r.status, (400, 404), r)
                self.assertEqual(r.content_type, "application/problem+json")
        r = self.admin.get("/api/v1/nothing-here")
        self.assertProblem(r, 404)

    # ------------------------------------------------------------ auth

    def test_no_or_bad_authorization_is_401(self):
        teacher = self.system.create_teacher()
        client = self.system.teacher_client()
        for name, headers in [("none", {}), ("Basic", {"Authorization": "Basic YWRtaW46YWRtaW4="}),
                              ("empty Bearer", {"Authorization": "Bearer "}),
                              ("garbage", {"Authorization": "Bearer not.a.jwt"})]:
            with self.subTest(name):
                self.assertProblem(client.get("/api/v1/teachers", headers=headers), 401)
                self.assertProblem(client.get(f"/api/v1/teachers/{teacher['id']}", headers=headers), 401)
                r = client.post("/api/v1/teachers", {"fullName": "No Token", "phoneNumber": unique_phone()},
                                headers=headers)
                self.assertProblem(r, 401)
                self.assertProblem(client.delete(f"/api/v1/teachers/{teacher['id']}", headers=headers), 401)
        self.assertEqual(self.system.get_teacher(teacher["id"]).status, 200)

    def test_forged_tokens_are_401(self):
        system = self.system
        real = system.admin_token()
        header, claims = jwt_parts(real)
        h64, p64, sig = real.split(".")
        jwks = request("GET", system.identity.url + "/.well-known/jwks.json").json
        self.assertTrue(jwks["keys"], jwks)
        jwk = jwks["keys"][0]
        self.assertNotIn("d", jwk, "the JWKS leaks a private key")

        def hs256(key, hdr, payload):
            signing_input = b64url(json.dumps(hdr)) + "." + b64url(json.dumps(payload))
            return signing_input + "." + b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())

        other_tenant = dict(claims, tenantId=OTHER_TENANT)
        forged = {
            "alg none": b64url(json.dumps({"alg": "none", "typ": "JWT"})) + "." + p64 + ".",
            "alg none, real sig": b64url(json.dumps(dict(header, alg="none"))) + "." + p64 + "." + sig,
            "HS256 with the JWKS as key": hs256(json.dumps(jwk).encode(), dict(header, alg="HS256"), claims),
            "HS256 with the key's x": hs256(jwk.get("x", "k").encode(), dict(header, alg="HS256"), claims),
            "tampered tenant": h64 + "." + b64url(json.dumps(other_tenant)) + "." + sig,
            "tampered role": h64 + "." + b64url(json.dumps(dict(claims, role="SuperAdmin"))) + "." + sig,
            "wrong aud": h64 + "." + b64url(json.dumps(dict(claims, aud="someone-else"))) + "." + sig,
            "signature cut": h64 + "." + p64 + ".",
            "signature of another token": h64 + "." + p64 + "." + sig[::-1],
            "unknown kid": b64url(json.dumps(dict(header, kid="no-such-key"))) + "." + p64 + "." + sig,
        }
        for name, token in forged.items():
            with self.subTest(name):
                self.assertProblem(system.teacher_client(token).get("/api/v1/teachers"), 401)
                self.assertProblem(system.identity_client(token).get("/api/v1/auth/me"), 401)
        # The real one still works.
        self.assertEqual(system.teacher_client(real).get("/api/v1/teachers").status, 200)

    def test_teacher_role_is_403(self):
        system = self.system
        phone = unique_phone()
        teacher = system.create_teacher(phoneNumber=phone)
        system.activate(phone, TEACHER_PASSWORD)
        token = system.login(phone, TEACHER_PASSWORD)["accessToken"]
        as_teacher = system.teacher_client(token)
        self.assertProblem(as_teacher.get("/api/v1/teachers"), 403)
        self.assertProblem(as_teacher.get(f"/api/v1/teachers/{teacher['id']}"), 403)
        self.assertProblem(as_teacher.post("/api/v1/teachers", {"fullName": "By Teacher",
                                                                "phoneNumber": unique_phone()}), 403)
        self.assertProblem(as_teacher.put(f"/api/v1/teachers/{teacher['id']}",
                                          {"fullName": "Renamed By Self", "phoneNumber": phone}), 403)
        self.assertProblem(as_teacher.delete(f"/api/v1/teachers/{teacher['id']}"), 403)
        # Nor can a teacher use the admin side of Identity.
        as_teacher_identity = system.identity_client(token)
        self.assertProblem(as_teacher_identity.get("/api/v1/users", query={"phoneNumber": phone}), 403)
        self.assertEqual(self.system.get_teacher(teacher["id"]).json["fullName"], teacher["fullName"])

    # ------------------------------------------------------------ tenants

    def test_tenant_isolation(self):
        system = self.system
        phone = unique_phone()
        teacher = system.create_teacher(phoneNumber=phone, fullName="Tenant One Teacher")
        user = system.wait_user(phone)
        other_token = system.admin_token(OTHER_ADMIN_PHONE, OTHER_ADMIN_PASSWORD)
        self.assertEqual(jwt_parts(other_token)[1]["tenantId"], OTHER_TENANT)
        other = system.teacher_client(other_token)
        other_identity = system.identity_client(other_token)
        path = f"/api/v1/teachers/{teacher['id']}"

        self.assertProblem(other.get(path), 404)
        self.assertProblem(other.put(path, {"fullName": "Hijacked", "phoneNumber": phone}), 404)
        self.assertProblem(other.delete(path), 404)
        r = other.get("/api/v1/teachers", query={"searchTerm": phone})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["totalCount"], 0, r)
        r = other.get("/api/v1/teachers", query={"pageSize": 100})
        self.assertNotIn(teacher["id"], [t["id"] for t in r.json["items"]])
        self.assertProblem(other_identity.get("/api/v1/users", query={"phoneNumber": phone}), 404)
        self.assertProblem(other_identity.get(f"/api/v1/users/{user['id']}"), 404)
        self.assertProblem(other_identity.post(f"/api/v1/users/{user['id']}/activation-code"), 404)

        # Untouched for its own tenant.
        r = system.get_teacher(teacher["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["fullName"], "Tenant One Teacher")

        # The other tenant may have the same phone; its teacher lives in its tenant.
        r = other.post("/api/v1/teachers", {"fullName": "Tenant Two Teacher", "phoneNumber": phone})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["tenantId"], OTHER_TENANT)
        self.assertProblem(self.admin.get(f"/api/v1/teachers/{r.json['id']}"), 404)
        mine = self.admin.get("/api/v1/teachers", query={"searchTerm": phone}).json
        self.assertEqual([t["id"] for t in mine["items"]], [teacher["id"]])
        theirs = system.wait_user(phone, token=other_token)
        self.assertEqual(theirs["tenantId"], OTHER_TENANT)
        self.assertEqual(theirs["entityId"], r.json["id"])
        self.assertEqual(system.find_user(phone)["id"], user["id"])

    # ------------------------------------------------------------ list

    def test_pagination_and_search(self):
        marker = uuid.uuid4().hex[:8]
        created = []
        for i in range(5):
            created.append(self.system.create_teacher(
                fullName=f"Paging {marker} {chr(65 + i)}", email=f"p{i}.{marker}@school.example",
                status="Inactive" if i == 4 else "Active"))
        ids = {t["id"] for t in created}

        seen = []
        for page in (1, 2, 3):
            r = self.admin.get("/api/v1/teachers", query={"searchTerm": marker, "pageSize": 2, "pageNumber": page})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["totalCount"], 5, r)
            self.assertEqual(r.json["pageNumber"], page)
            self.assertEqual(r.json["pageSize"], 2)
            self.assertEqual(len(r.json["items"]), 2 if page < 3 else 1, r)
            seen += [t["id"] for t in r.json["items"]]
        self.assertEqual(len(seen), 5, "pages overlap")
        self.assertEqual(set(seen), ids)
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": marker, "pageSize": 2, "pageNumber": 4})
        self.assertEqual(r.json["items"], [])
        self.assertEqual(r.json["totalCount"], 5)

        # Defaults.
        r = self.admin.get("/api/v1/teachers")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["pageNumber"], r.json["pageSize"]), (1, 20))

        # Search by name (case-insensitive), phone (any form, or part of it) and email.
        target = created[2]
        national = "0" + target["phoneNumber"][3:]
        for term in (f"paging {marker} c".upper(), target["phoneNumber"], national,
                     f"p2.{marker}@school.example"):
            with self.subTest(term=term):
                r = self.admin.get("/api/v1/teachers", query={"searchTerm": term})
                self.assertEqual(r.status, 200, r)
                self.assertEqual([t["id"] for t in r.json["items"]], [target["id"]], r)
                self.assertEqual(r.json["totalCount"], 1)
        # A name that libphonenumber would read as a keypad phone number
        # (3501bbe5 -> +84350122352) is still searched as a name.
        keypad = self.system.create_teacher(fullName="Lan 3501bbe5")
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": "Lan 3501bbe5"})
        self.assertEqual([t["id"] for t in r.json["items"]], [keypad["id"]], r)
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": "@school.example"})
        self.assertGreaterEqual(r.json["totalCount"], 5)
        # LIKE wildcards in a search term are taken literally.
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": "%"})
        self.assertEqual(r.json["totalCount"], 0, r)

        # Query strings as clients really send them: non-ASCII, '+' or %20
        # for a space, a raw '@'; a broken escape is a 400, not a dropped connection.
        viet = self.system.create_teacher(fullName=f"Phạm Thị Đào {marker}")
        base = self.system.teacher.url + "/api/v1/teachers?searchTerm="
        token = self.system.admin_token()
        for raw_term in (urllib.parse.quote(f"Thị Đào {marker}"), urllib.parse.quote_plus(f"Đào {marker}"),
                         f"%C4%90%C3%A0o%20{marker}"):
            with self.subTest(raw_term=raw_term):
                r = request("GET", base + raw_term, token=token)
                self.assertEqual(r.status, 200, r)
                self.assertEqual([t["id"] for t in r.json["items"]], [viet["id"]], r)
        r = request("GET", base + f"p2.{marker}@school.example", token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([t["id"] for t in r.json["items"]], [target["id"]], r)
        for bad in ("%zz", "%", "abc%4"):
            with self.subTest(bad_escape=bad):
                self.assertProblem(request("GET", base + bad, token=token), 400)

        # Status filter.
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": marker, "status": "Inactive"})
        self.assertEqual([t["id"] for t in r.json["items"]], [created[4]["id"]])
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": marker, "status": "Active"})
        self.assertEqual(r.json["totalCount"], 5)  # 4 of the first five, and the Vietnamese name

        # Bad paging or filters.
        for query, field in [({"pageSize": 101}, "pageSize"), ({"pageSize": 0}, "pageSize"),
                             ({"pageSize": "ten"}, "pageSize"), ({"pageNumber": 0}, "pageNumber"),
                             ({"pageNumber": "-1"}, "pageNumber"), ({"status": "Foo"}, "status"),
                             ({"status": ""}, "status"), ({"pageSize": ""}, "pageSize")]:
            with self.subTest(query=query):
                self.assertProblem(self.admin.get("/api/v1/teachers", query=query), 400, field)
        r = self.admin.get("/api/v1/teachers", query={"pageSize": 100})
        self.assertEqual(r.status, 200, r)

    # ------------------------------------------------------------ update

    def test_put_is_a_full_update(self):
        system = self.system
        phone = unique_phone()
        teacher = system.create_teacher(phoneNumber=phone, fullName="Before Update", email="before@school.example",
                                        gender="Male", hireDate="2019-09-01", address={"city": "Huế"})
        system.wait_user(phone)
        # The account's status comes back to the teacher by its own event; let it land first, so
        # that it cannot change the teacher between the PUT's answer and the GET compared with it.
        eventually(lambda: system.get_teacher(teacher["id"]).json.get("accountStatus") == "PendingActivation",
                   message="the teacher shows its account")
        new_phone = unique_phone()
        path = f"/api/v1/teachers/{teacher['id']}"
        r = self.admin.put(path, {"fullName": "After Update", "phoneNumber": new_phone, "gender": "Female",
                                  "status": "Inactive"})
        self.assertEqual(r.status, 200, r)
        got = self.system.get_teacher(teacher["id"]).json
        self.assertEqual(got["fullName"], "After Update")
        self.assertEqual(got["phoneNumber"], e164(new_phone))
        self.assertEqual(got["gender"], "Female")
        self.assertEqual(got["status"], "Inactive")
        for field in ("email", "hireDate", "address"):  # left out = cleared: a full update
            self.assertIsNone(got[field], field)
        self.assertEqual(got["createdAt"], teacher["createdAt"])
        self.assertGreaterEqual(got["updatedAt"], teacher["updatedAt"])
        self.assertEqual(r.json, got)

        # Identity follows TeacherUpdated (name, phone).
        user = system.wait_user(new_phone)
        self.assertEqual(user["entityId"], teacher["id"])
        eventually(lambda: system.find_user(new_phone)["fullName"] == "After Update",
                   message="user's name follows the teacher")
        self.assertIsNone(system.find_user(phone))

        # An invalid update changes nothing.
        r = self.admin.put(path, {"fullName": "X", "phoneNumber": new_phone})
        self.assertProblem(r, 400, "fullName")
        self.assertEqual(self.system.get_teacher(teacher["id"]).json, got)

        # Taking another teacher's phone is a conflict.
        other = system.create_teacher()
        r = self.admin.put(path, {"fullName": "After Update", "phoneNumber": other["phoneNumber"]})
        self.assertProblem(r, 409, "phoneNumber")
        self.assertEqual(self.system.get_teacher(teacher["id"]).json, got)

    # ------------------------------------------------------------ events

    def test_each_write_publishes_its_event(self):
        """Each write's event on its topic, in the wire format of DESIGN.md, with the caller's trace."""
        system = self.system
        trace_id = uuid.uuid4().hex
        traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
        phone = unique_phone()
        r = self.admin.post("/api/v1/teachers", {"fullName": "Wire Format", "phoneNumber": phone,
                                                 "email": "wire@school.example"},
                            headers={"traceparent": traceparent})
        self.assertEqual(r.status, 201, r)
        teacher = r.json

        def check_envelope(m, name, class_name, source):
            h = m["headers"]
            self.assertEqual(h.get("event-type"), class_name, m)
            self.assertEqual(h.get("ce_type"), system.topic(name), m)
            self.assertEqual(h.get("ce_source"), source, m)
            self.assertEqual(h.get("ce_specversion"), "1.0", m)
            self.assertEqual(h.get("ce_id"), m["value"]["id"], m)
            self.assertEqual(h.get("content-type"), "application/json", m)
            self.assertEqual(h.get("event-version"), "1", m)
            self.assertTrue(h.get("timestamp", "").isdigit(), m)
            self.assertTrue(h.get("ce_time"), m)
            self.assertTrue(m["value"].get("occurredOn"), m)
            self.assertRegex(h.get("traceparent", ""), rf"^00-{trace_id}-[0-9a-f]{{16}}-[0-9a-f]{{2}}$",
                             "the trace of the HTTP request is not carried")

        m = system.wait_message("teachercreated", teacher["id"])
        check_envelope(m, "teachercreated", "TeacherCreatedIntegrationEvent", "/emis/teacher-service")
        self.assertEqual(m["value"]["teacherId"], teacher["id"])
        self.assertEqual(m["value"]["tenantId"], DEFAULT_TENANT)
        self.assertEqual(m["value"]["phoneNumber"], e164(phone))
        self.assertEqual(m["value"]["fullName"], "Wire Format")
        self.assertEqual(m["value"]["email"], "wire@school.example")

        # Identity answers with UserAccountCreated, keyed by the user, in the same trace.
        user = system.wait_user(phone)
        # The consumer's log line for the event carries the trace too.
        eventually(lambda: any("handled TeacherCreatedIntegrationEvent" in line and trace_id in line
                               for line in system.identity.log_text().splitlines()),
                   message="identity's log has no line for the event with its traceparent")
        m = system.wait_message("useraccountcreated", user["id"])
        check_envelope(m, "useraccountcreated", "UserAccountCreatedIntegrationEvent", "/emis/identity-service")
        self.assertEqual(m["value"]["userId"], user["id"])
        self.assertEqual(m["value"]["entityId"], teacher["id"])
        self.assertEqual(m["value"]["entityType"], "Teacher")
        self.assertEqual(m["value"]["status"], "PendingActivation")
        self.assertEqual(m["value"]["tenantId"], DEFAULT_TENANT)

        # PUT: TeacherUpdated with the changed fields only.
        r = self.admin.put(f"/api/v1/teachers/{teacher['id']}",
                           {"fullName": "Wire Format Renamed", "phoneNumber": phone, "email": "wire@school.example"},
                           headers={"traceparent": traceparent})
        self.assertEqual(r.status, 200, r)
        m = system.wait_message("teacherupdated", teacher["id"])
        check_envelope(m, "teacherupdated", "TeacherUpdatedIntegrationEvent", "/emis/teacher-service")
        self.assertEqual(m["value"]["teacherId"], teacher["id"])
        self.assertEqual(m["value"]["fullName"], "Wire Format Renamed")
        self.assertIsNone(m["value"].get("phoneNumber"), m)
        self.assertIsNone(m["value"].get("email"), m)

        # DELETE: TeacherDeleted.
        r = self.admin.delete(f"/api/v1/teachers/{teacher['id']}", headers={"traceparent": traceparent})
        self.assertEqual(r.status, 204, r)
        m = system.wait_message("teacherdeleted", teacher["id"])
        check_envelope(m, "teacherdeleted", "TeacherDeletedIntegrationEvent", "/emis/teacher-service")
        self.assertEqual((m["value"]["teacherId"], m["value"]["tenantId"]), (teacher["id"], DEFAULT_TENANT))

    def test_health_and_metrics(self):
        for svc in self.system.services:
            with self.subTest(svc.name):
                r = svc.client().get("/health/live")
                self.assertEqual(r.status, 200, r)
                r = svc.client().get("/health/ready")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["status"], "Healthy", r)
                self.assertEqual(set(r.json["checks"].values()), {"Healthy"}, r)
                r = svc.client().get("/metrics")
                self.assertEqual(r.status, 200, r)
                self.assertTrue(r.headers.get("Content-Type", "").startswith("text/plain"), r.headers)
                self.assertIn("emis_http_requests_total", r.raw.decode())

    # ------------------------------------------------------------ concurrency

    def test_concurrent_creates_of_one_phone(self):
        phone = unique_phone()
        n = 8
        barrier = threading.Barrier(n)
        token = self.system.admin_token()
        results = [None] * n

        def worker(i):
            client = self.system.teacher_client(token)
            barrier.wait(timeout=10)
            results[i] = client.post("/api/v1/teachers", {"fullName": f"Racer {i}", "phoneNumber": phone})

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201] + [409] * (n - 1), results)
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": phone})
        self.assertEqual(r.json["totalCount"], 1, r)
        winner = next(r for r in results if r.status == 201).json
        self.assertEqual(self.system.wait_user(phone)["entityId"], winner["id"])


if __name__ == "__main__":
    unittest.main()
