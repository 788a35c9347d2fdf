"""End to end: each service keeps the audit trail of its administrative actions.

Teacher service: create, update, delete (and a refused create). Identity:
activation code, disable, enable. Each entry names the actor from the
token, the action and target, when, and the outcome; an administrator of
another tenant sees none of them.
"""

import unittest

from emis_harness import SystemTestCase, eventually, unique_phone

OTHER_TENANT = "00000000-0000-4000-8000-0000000000c3"
FOREIGN_ADMIN = (unique_phone(), "Foreign-Adm1n-Pass", OTHER_TENANT)


class AuditTest(SystemTestCase):
    system_options = {"extra_admins": [FOREIGN_ADMIN]}

    def admin_id(self):
        return self.system.login(self.system.admin_phone, self.system.admin_password)["user"]["id"]

    @staticmethod
    def entries(client, **query):
        r = client.get("/api/v1/audit", query=query or None)
        assert r.status == 200, r
        return r.json

    def test_teacher_actions_are_audited(self):
        admin = self.admin
        teacher = self.system.create_teacher()
        r = admin.put(f"/api/v1/teachers/{teacher['id']}", {"fullName": "Renamed", "phoneNumber": teacher["phoneNumber"]})
        self.assertEqual(r.status, 200, r)
        r = admin.post("/api/v1/teachers", {"fullName": "Twin", "phoneNumber": teacher["phoneNumber"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin.delete(f"/api/v1/teachers/{teacher['id']}").status, 204)

        def mine():
            page = self.entries(admin, pageSize=100)
            found = [e for e in page["items"] if e["targetId"] == teacher["id"]]
            refused = [e for e in page["items"] if e["action"] == "teacher.create" and e["outcome"] == "Refused"]
            assert len(found) == 3 and refused, page["items"]
            return found, refused
        found, refused = eventually(mine, message="the teacher's audit entries")
        self.assertEqual([e["action"] for e in found], ["teacher.delete", "teacher.update", "teacher.create"])
        admin_id = self.admin_id()
        for e in found + refused:
            self.assertEqual(e["actorId"], admin_id)
            self.assertEqual(e["actorRole"], "SchoolAdmin")
        self.assertTrue(all(e["outcome"] == "Succeeded" for e in found))
        self.assertEqual(refused[0]["detail"], "Duplicate phone number")

        page = self.entries(admin, pageNumber=1, pageSize=1)
        self.assertEqual((page["pageNumber"], page["pageSize"], len(page["items"])), (1, 1, 1))
        self.assertGreaterEqual(page["totalCount"], 4)
        self.assertProblem(admin.get("/api/v1/audit", query={"pageSize": 0}), 400, "pageSize")
        self.assertProblem(self.system.teacher_client().get("/api/v1/audit"), 401)
        foreign = self.system.teacher_client(self.system.admin_token(FOREIGN_ADMIN[0], FOREIGN_ADMIN[1]))
        self.assertEqual(self.entries(foreign)["totalCount"], 0)

    def test_identity_actions_are_audited(self):
        teacher = self.system.create_teacher()
        user = self.system.wait_user(teacher["phoneNumber"])
        identity = self.identity_admin
        self.assertEqual(identity.post(f"/api/v1/users/{user['id']}/activation-code").status, 201)
        self.assertEqual(identity.post(f"/api/v1/users/{user['id']}/disable").status, 200)
        self.assertEqual(identity.post(f"/api/v1/users/{user['id']}/activation-code").status, 409)
        self.assertEqual(identity.post(f"/api/v1/users/{user['id']}/enable").status, 200)

        page = self.entries(identity, pageSize=100)
        found = [(e["action"], e["outcome"]) for e in page["items"] if e["targetId"] == user["id"]]
        self.assertEqual(found, [("user.enable", "Succeeded"), ("user.activation_code.issue", "Refused"),
                                 ("user.disable", "Succeeded"), ("user.activation_code.issue", "Succeeded")])
        foreign = self.system.identity_client(self.system.admin_token(FOREIGN_ADMIN[0], FOREIGN_ADMIN[1]))
        self.assertEqual(self.entries(foreign)["totalCount"], 0)


if __name__ == "__main__":
    unittest.main()
