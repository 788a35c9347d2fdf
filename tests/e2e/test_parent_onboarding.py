"""End to end: a parent's onboarding, from the Student service through Kafka to Identity and back.

ParentCreated -> a PendingActivation account with role Parent -> the parent shows
it -> activation -> Active on both sides -> the parent signs in; the last child's
deletion disables the account. (A create Identity declines, shown as Failed on
the parent, and the accounts of people with several roles: test_memberships.)
"""

import unittest

from emis_harness import SystemTestCase, e164, jwt_parts, unique_phone

PARENT_PASSWORD = "Parent-Passw0rd!"


def guardian(phone, name="Đỗ Thị Mai", relationship="Mother"):
    return {"fullName": name, "phoneNumber": phone, "relationship": relationship}


class ParentOnboardingTest(SystemTestCase):
    system_options = {"student": True}

    def test_parent_onboarding_lifecycle(self):
        system = self.system
        phone = unique_phone()
        first = system.create_student([guardian(phone)], fullName="Đỗ Minh Quân")
        second = system.create_student([guardian(phone)], fullName="Đỗ Minh Thư")
        parent_id = first["guardians"][0]["parentId"]
        self.assertEqual(second["guardians"][0]["parentId"], parent_id)

        # One parent, one account.
        user = system.wait_user(phone)
        self.assertEqual(user["role"], "Parent")
        self.assertEqual(user["entityType"], "Parent")
        self.assertEqual(user["entityId"], parent_id)
        self.assertEqual(user["status"], "PendingActivation")
        self.assertEqual(user["phoneNumber"], e164(phone))
        self.assertEqual(user["roles"], ["Parent"])
        self.assertEqual(user["memberships"], [{"tenantId": user["tenantId"], "role": "Parent",
                                                "entityType": "Parent", "entityId": parent_id}])
        created = [m for m in system.read_topic("useraccountcreated") if m["value"]["entityId"] == parent_id]
        self.assertEqual(len(created), 1, created)

        shown = system.wait_parent_account_status(parent_id, "PendingActivation")
        self.assertEqual(shown["userId"], user["id"])

        # Activation, then the parent signs in with role Parent.
        system.activate(phone, PARENT_PASSWORD)
        system.wait_parent_account_status(parent_id, "Active")
        login = system.login(phone, PARENT_PASSWORD)
        self.assertEqual(login["user"]["role"], "Parent")
        _, claims = jwt_parts(login["accessToken"])
        self.assertEqual(claims["entityId"], parent_id)
        self.assertEqual(claims["roles"], ["Parent"])
        self.assertEqual(claims["entities"], [{"role": "Parent", "entityType": "Parent", "entityId": parent_id}])
        # A Parent token reads itself and its own children, and manages nothing.
        parent_client = system.student_client(login["accessToken"])
        r = parent_client.get(f"/api/v1/parents/{parent_id}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["accountStatus"], "Active")
        self.assertEqual(parent_client.get(f"/api/v1/students/{first['id']}").status, 200)
        stranger = system.create_student([guardian(unique_phone(), name="Lý Văn Hải", relationship="Father")])
        self.assertProblem(parent_client.get(f"/api/v1/students/{stranger['id']}"), 404)
        self.assertProblem(parent_client.get(f"/api/v1/parents/{stranger['guardians'][0]['parentId']}"), 404)
        self.assertProblem(parent_client.get("/api/v1/students"), 403)
        self.assertProblem(parent_client.post("/api/v1/students", {}), 403)

        # Deleting one child keeps the parent; deleting the last disables the account.
        admin = system.student_client(system.admin_token())
        self.assertEqual(admin.delete(f"/api/v1/students/{first['id']}").status, 204)
        self.assertEqual(admin.delete(f"/api/v1/students/{second['id']}").status, 204)
        system.wait_user(phone, status="Disabled")
        system.login(phone, PARENT_PASSWORD, expect=403)  # AccountDisabled


if __name__ == "__main__":
    unittest.main()
