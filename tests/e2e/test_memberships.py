"""End to end: one account per person, with a membership per school, role and entity.

A teacher who becomes a parent keeps one account with both roles and one password; deleting the
teacher leaves the Parent role working, deleting both disables the account. A parent with children
in two schools has one account, signs in to either school, and each token sees only that school's
data. An account an administrator disabled declines a new role (AccountProvisioningFailed, shown
as Failed on the parent) without naming the account to the other school.
"""

import unittest

from emis_harness import DEFAULT_TENANT, SystemTestCase, eventually, jwt_parts, unique_phone

OTHER_TENANT = "00000000-0000-4000-8000-0000000000b2"
OTHER_ADMIN = ("0901000062", "Other-School-Passw0rd!", OTHER_TENANT)
PASSWORD = "Person-Passw0rd!"


def guardian(phone, name="Trần Thị Hạnh", relationship="Mother"):
    return {"fullName": name, "phoneNumber": phone, "relationship": relationship}


class MembershipsTest(SystemTestCase):
    system_options = {"student": True, "extra_admins": [OTHER_ADMIN]}

    def other_admin(self):
        return self.system.admin_token(OTHER_ADMIN[0], OTHER_ADMIN[1])

    def login(self, phone, tenant=None, expect=200):
        body = {"phoneNumber": phone, "password": PASSWORD}
        if tenant:
            body["tenantId"] = tenant
        r = self.system.identity_client().post("/api/v1/auth/login", body)
        self.assertEqual(r.status, expect, r)
        return r.json

    def test_a_teacher_who_becomes_a_parent_keeps_one_account(self):
        system = self.system
        phone = unique_phone()
        teacher = system.create_teacher(phoneNumber=phone)
        system.activate(phone, PASSWORD)
        system.wait_account_status(teacher["id"], "Active")
        # A Teacher token manages no students.
        teacher_students = system.student_client(self.login(phone)["accessToken"])
        self.assertProblem(teacher_students.get("/api/v1/students"), 403)
        self.assertProblem(teacher_students.post("/api/v1/students", {"fullName": "X", "guardians": []}), 403)

        student = system.create_student([guardian(phone)])
        parent_id = student["guardians"][0]["parentId"]
        # The account is Active already: the parent shows it at once, nothing to activate again.
        shown = system.wait_parent_account_status(parent_id, "Active")
        user = system.wait_user(phone)
        self.assertEqual(shown["userId"], user["id"])
        self.assertEqual(user["roles"], ["Teacher", "Parent"])
        self.assertEqual(len(user["memberships"]), 2)

        login = self.login(phone)  # the one password
        _, claims = jwt_parts(login["accessToken"])
        self.assertEqual(claims["roles"], ["Teacher", "Parent"])
        self.assertEqual(sorted(e["entityId"] for e in claims["entities"]), sorted([teacher["id"], parent_id]))
        parent_client = system.student_client(login["accessToken"])
        self.assertEqual(parent_client.get(f"/api/v1/students/{student['id']}").status, 200)
        self.assertProblem(parent_client.post("/api/v1/students", {}), 403)  # a parent manages no students

        # Deleting the teacher leaves the Parent role working.
        admin = system.teacher_client(system.admin_token())
        self.assertEqual(admin.delete(f"/api/v1/teachers/{teacher['id']}").status, 204)
        eventually(lambda: system.find_user(phone)["roles"] == ["Parent"], message="the Teacher role removed")
        self.assertEqual(system.find_user(phone)["status"], "Active")
        login = self.login(phone)
        _, claims = jwt_parts(login["accessToken"])
        self.assertEqual(claims["roles"], ["Parent"])
        self.assertEqual(system.student_client(login["accessToken"]).get(
            f"/api/v1/students/{student['id']}").status, 200)

        # Deleting the last role disables the account.
        students = system.student_client(system.admin_token())
        self.assertEqual(students.delete(f"/api/v1/students/{student['id']}").status, 204)
        system.wait_user(phone, status="Disabled")
        self.login(phone, expect=403)

    def test_a_parent_of_two_schools_has_one_account_and_signs_in_to_either(self):
        system = self.system
        phone = unique_phone()
        here = system.create_student([guardian(phone)], fullName="Ngô Bảo Châu")
        here_parent = here["guardians"][0]["parentId"]
        system.wait_parent_account_status(here_parent, "PendingActivation")
        system.activate(phone, PASSWORD)  # while the account is this school's alone
        system.wait_parent_account_status(here_parent, "Active")

        # The second school's child: the parent is Active there at once, with the same password.
        there = system.create_student([guardian(phone)], token=self.other_admin(), fullName="Ngô Bảo Ngọc")
        there_parent = there["guardians"][0]["parentId"]
        system.wait_parent_account_status(there_parent, "Active", token=self.other_admin())

        # One account; each school's administrators see only their own membership.
        mine = system.wait_user(phone)
        theirs = system.wait_user(phone, token=self.other_admin())
        self.assertEqual(mine["id"], theirs["id"])
        self.assertEqual([m["entityId"] for m in mine["memberships"]], [here_parent])
        self.assertEqual([m["entityId"] for m in theirs["memberships"]], [there_parent])
        self.assertEqual(theirs["tenantId"], OTHER_TENANT)

        # A shared account is no one school's: neither administrator gets its codes or locks it.
        for token in (system.admin_token(), self.other_admin()):
            identity = system.identity_client(token)
            self.assertProblem(identity.post(f"/api/v1/users/{mine['id']}/password-reset-code"), 409)
            self.assertProblem(identity.post(f"/api/v1/users/{mine['id']}/disable"), 409)
        self.assertEqual(system.find_user(phone)["status"], "Active")

        # Without a tenant: the oldest membership's school; every membership is listed.
        home = self.login(phone)
        _, claims = jwt_parts(home["accessToken"])
        self.assertEqual(claims["tenantId"], DEFAULT_TENANT)
        self.assertEqual(len(home["user"]["memberships"]), 2)
        me = system.identity_client(home["accessToken"]).get("/api/v1/auth/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(sorted(m["tenantId"] for m in me.json["memberships"]), sorted([DEFAULT_TENANT, OTHER_TENANT]))

        away = self.login(phone, tenant=OTHER_TENANT)
        _, away_claims = jwt_parts(away["accessToken"])
        self.assertEqual(away_claims["tenantId"], OTHER_TENANT)
        self.assertEqual(away_claims["entities"], [{"role": "Parent", "entityType": "Parent",
                                                    "entityId": there_parent}])

        # Each token sees that school's data only.
        home_client = system.student_client(home["accessToken"])
        away_client = system.student_client(away["accessToken"])
        self.assertEqual(home_client.get(f"/api/v1/students/{here['id']}").status, 200)
        self.assertProblem(home_client.get(f"/api/v1/students/{there['id']}"), 404)
        self.assertEqual(away_client.get(f"/api/v1/students/{there['id']}").status, 200)
        self.assertProblem(away_client.get(f"/api/v1/students/{here['id']}"), 404)

        # A school the person has no role in.
        r = system.identity_client().post("/api/v1/auth/login", {
            "phoneNumber": phone, "password": PASSWORD, "tenantId": "00000000-0000-4000-8000-0000000000c3"})
        self.assertProblem(r, 403)

    def test_an_account_disabled_by_an_administrator_declines_a_new_role(self):
        system = self.system
        phone = unique_phone()
        system.create_teacher(phoneNumber=phone)
        user = system.wait_user(phone)
        r = system.identity_client(system.admin_token()).post(f"/api/v1/users/{user['id']}/disable")
        self.assertEqual(r.status, 200, r)

        student = system.create_student([guardian(phone)], token=self.other_admin())
        parent_id = student["guardians"][0]["parentId"]
        parent = system.wait_parent_account_status(parent_id, "Failed", token=self.other_admin())
        reason = parent["accountStatusReason"]
        self.assertIn("disabled by an administrator", reason)
        self.assertNotIn(user["id"], reason)  # nothing of the account reaches the other school
        self.assertNotIn(DEFAULT_TENANT, reason)
        self.assertIsNone(parent["userId"])
        self.assertEqual(system.read_topic("parentcreated.dlq"), [])  # handled, not dead-lettered
        self.assertIsNone(system.find_user(phone, token=self.other_admin()))


if __name__ == "__main__":
    unittest.main()
