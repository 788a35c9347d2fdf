"""/docs on the teacher service: Swagger UI from swagger-ui-dist over the
service's /openapi.json; an administrator authorizes with a token and creates
a teacher with try-it-out."""

import json
import unittest

from playwright.sync_api import expect

from console_system import ConsoleTestCase
from emis_harness import e164, unique_phone


class ApiDocsTest(ConsoleTestCase):

    def test_docs_creates_a_teacher_with_try_it_out(self):
        page = self.new_page()
        page.goto(self.system.teacher.url + "/docs")
        page.locator(".btn.authorize").first.click()
        page.locator(".auth-container input").first.fill(self.system.admin_token())
        page.locator(".auth-btn-wrapper .modal-btn.auth").first.click()
        page.locator(".btn-done").first.click()

        operation = page.locator(".opblock-post").filter(has=page.locator("[data-path='/api/v1/teachers']")).first
        operation.locator(".opblock-summary").first.click()
        operation.locator(".try-out__btn").click()
        phone = unique_phone()
        operation.locator("textarea.body-param__text").fill(
            json.dumps({"fullName": "Hoàng Thị Lan", "phoneNumber": phone}, ensure_ascii=False))
        operation.locator(".execute").click()
        expect(operation.locator(".live-responses-table tr.response .response-col_status").first).to_have_text(
            "201", timeout=15_000)
        operation.locator(".live-responses-table").scroll_into_view_if_needed()
        self.screenshot(page, "teacher_created", full_page=False)  # the whole document is 6000 px tall
        r = self.admin.get("/api/v1/teachers", query={"searchTerm": e164(phone)})
        self.assertEqual(r.json["totalCount"], 1, r)


if __name__ == "__main__":
    unittest.main()
