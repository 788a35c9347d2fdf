"""End to end: students and their parents over real processes and a real broker.

One parent per phone per tenant, linked to all of its children; ParentCreated
with the first child and ParentDeleted after the last; validation and tenant
isolation as for teachers.
"""

import unittest

from emis_harness import SystemTestCase, e164, unique_phone


def guardian(phone, name="Phạm Thị Hoa", relationship="Mother", **extra):
    return dict({"fullName": name, "phoneNumber": phone, "relationship": relationship}, **extra)


class StudentsTest(SystemTestCase):
    system_options = {"student": True}

    @property
    def students(self):
        return self.system.student_client(self.system.admin_token())

    def parent_by_phone(self, phone):
        r = self.students.get("/api/v1/parents", query={"phoneNumber": phone})
        self.assertEqual(r.status, 200, r)
        self.assertLessEqual(len(r.json["items"]), 1, r)
        return r.json["items"][0] if r.json["items"] else None

    def test_two_children_with_one_guardian_phone_share_one_parent(self):
        phone = unique_phone()
        first = self.system.create_student([guardian(phone)], fullName="Phạm Minh Khang", studentCode="HS-1")
        second = self.system.create_student([guardian(e164(phone), name="Hoa Phạm")], fullName="Phạm Minh Anh")
        self.assertEqual(first["guardians"][0]["phoneNumber"], e164(phone))
        parent_id = first["guardians"][0]["parentId"]
        self.assertEqual(second["guardians"][0]["parentId"], parent_id)

        parent = self.parent_by_phone(phone)
        self.assertEqual(parent["id"], parent_id)
        self.assertEqual(parent["studentIds"], [first["id"], second["id"]])
        self.assertEqual(parent["fullName"], "Phạm Thị Hoa")  # the first registration names the person
        r = self.students.get(f"/api/v1/parents/{parent_id}")
        self.assertEqual(r.status, 200, r)

        # Exactly one ParentCreated for the phone, keyed by the parent, with its first child.
        created = self.system.wait_message("parentcreated", parent_id)
        self.assertEqual(created["headers"]["event-type"], "ParentCreatedIntegrationEvent")
        self.assertEqual(created["value"]["phoneNumber"], e164(phone))
        self.assertEqual(created["value"]["studentIds"], [first["id"]])
        self.system.wait_message("studentcreated", second["id"])
        same_phone = [m for m in self.system.read_topic("parentcreated")
                      if m["value"]["phoneNumber"] == e164(phone)]
        self.assertEqual(len(same_phone), 1, same_phone)

    def test_deleting_the_last_child_deletes_the_parent(self):
        phone = unique_phone()
        first = self.system.create_student([guardian(phone)])
        second = self.system.create_student([guardian(phone)])
        parent_id = first["guardians"][0]["parentId"]

        self.assertEqual(self.students.delete(f"/api/v1/students/{first['id']}").status, 204)
        self.assertEqual(self.students.get(f"/api/v1/students/{first['id']}").status, 404)
        self.assertEqual(self.parent_by_phone(phone)["studentIds"], [second["id"]])

        self.assertEqual(self.students.delete(f"/api/v1/students/{second['id']}").status, 204)
        self.assertIsNone(self.parent_by_phone(phone))
        self.assertEqual(self.students.get(f"/api/v1/parents/{parent_id}").status, 404)
        deleted = self.system.wait_message("parentdeleted", parent_id)
        self.assertEqual(deleted["value"], {**deleted["value"], "parentId": parent_id})
        self.system.wait_message("studentdeleted", second["id"])

    def test_put_replaces_the_guardians(self):
        mother, father = unique_phone(), unique_phone()
        student = self.system.create_student([guardian(mother)])
        r = self.students.put(f"/api/v1/students/{student['id']}", {
            "fullName": "Phạm Minh Khang", "className": "5B",
            "guardians": [guardian(father, name="Phạm Văn Nam", relationship="Father")]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["className"], "5B")
        self.assertEqual([g["phoneNumber"] for g in r.json["guardians"]], [e164(father)])
        self.assertIsNone(self.parent_by_phone(mother))
        self.assertEqual(self.parent_by_phone(father)["studentIds"], [student["id"]])
        updated = self.system.wait_message("studentupdated", student["id"])
        self.assertEqual(updated["value"]["parentIds"], [r.json["guardians"][0]["parentId"]])

    def test_list_and_search(self):
        marker = unique_phone()[-6:]
        created = self.system.create_student([guardian(unique_phone())], fullName=f"Lê Văn {marker}")
        r = self.students.get("/api/v1/students", query={"searchTerm": marker})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["id"] for s in r.json["items"]], [created["id"]])
        self.assertEqual(r.json["totalCount"], 1)
        self.assertEqual(r.json["pageNumber"], 1)

    def test_invalid_input_names_each_field(self):
        r = self.students.post("/api/v1/students", {
            "fullName": "A", "guardians": [guardian("0123456789"), {"fullName": "Ba"}]})
        self.assertProblem(r, 400, "fullName")
        for field in ("guardians[0].phoneNumber", "guardians[1].phoneNumber", "guardians[1].relationship"):
            self.assertIn(field, r.json["errors"], r)
        self.assertProblem(self.students.post("/api/v1/students", {"fullName": "An Pham"}), 400, "guardians")
        self.assertProblem(self.students.get("/api/v1/parents"), 400, "phoneNumber")
        self.assertProblem(self.students.get("/api/v1/students/not-a-uuid"), 404)

    def test_writes_need_a_school_admin(self):
        anonymous = self.system.student_client()
        self.assertProblem(anonymous.get("/api/v1/students"), 401)
        self.assertProblem(anonymous.post("/api/v1/students", {}), 401)

    def test_serves_its_openapi_document(self):
        r = self.system.student_client().get("/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertIn("/api/v1/students", r.json["paths"])


if __name__ == "__main__":
    unittest.main()
