"""The operator's event flow in the console: an Operator account sees every
component ready, the system's topics with their end offsets, and the consumer
groups' lag per partition; a SchoolAdmin is refused the same API."""

import unittest

from playwright.sync_api import expect

from console_system import ConsoleTestCase
from emis_harness import DEFAULT_TENANT, request

OPERATOR_PHONE = "0901000099"
OPERATOR_PASSWORD = "Operator-Passw0rd!"


class ConsoleOperatorTest(ConsoleTestCase):

    system_options = {"student": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.system.create_admin(OPERATOR_PHONE, OPERATOR_PASSWORD, DEFAULT_TENANT, operator=True)

    def test_the_operator_sees_health_topics_and_lag(self):
        teacher = self.system.create_teacher()
        self.system.wait_account_status(teacher["id"], "PendingActivation")
        page = self.new_page()
        self.sign_in(page, OPERATOR_PHONE, OPERATOR_PASSWORD, landing="Event flow")
        expect(page.get_by_role("button", name="Teachers")).to_be_hidden()  # not a SchoolAdmin
        expect(page.locator("#health li")).to_have_count(4)  # the three services and Kafka
        expect(page.locator("#health .badge.NotReady")).to_have_count(0)
        expect(page.locator("#health li", has_text="teacher-service")).to_contain_text("outbox backlog 0")
        expect(page.locator("#health li", has_text="student-service")).to_contain_text("Ready")
        created = page.locator(f'#topic-rows tr[data-topic="{self.system.topic("teachercreated")}"]')
        expect(created).to_be_visible()
        identity_group = self.system.identity.env["EMIS_KAFKA_GROUP_ID"]
        lag_row = page.locator(f'#lag-rows tr[data-group="{identity_group}"]',
                               has_text=self.system.topic("teachercreated"))
        expect(lag_row.first).to_be_visible()
        expect(lag_row.first.locator("td").nth(4)).to_have_text("0")  # identity has consumed it
        self.screenshot(page, "event_flow")

    def test_one_teachers_story_from_creation_to_activation(self):
        teacher = self.system.create_teacher()
        self.system.activate(teacher["phoneNumber"], "Teacher-Passw0rd!")
        self.system.wait_account_status(teacher["id"], "Active")
        page = self.new_page()
        self.sign_in(page, OPERATOR_PHONE, OPERATOR_PASSWORD, landing="Event flow")
        page.get_by_label("Teacher id, event key or trace id").fill(teacher["id"])
        page.get_by_role("button", name="Show story").click()
        rows = page.locator("#story-rows tr")
        expect(rows).to_have_count(3, timeout=15_000)
        events = [t.strip() for t in page.locator("#story-rows tr td:nth-child(2)").all_inner_texts()]
        self.assertEqual(events, ["TeacherCreated", "UserAccountCreated", "UserActivated"])
        self.screenshot(page, "story")
        # The story is reachable from the trace id of the POST that created the teacher.
        rows.first.locator("td:nth-child(5) button").click()
        expect(page.locator("#story-summary")).to_contain_text(teacher["id"])
        expect(rows).to_have_count(3)

    def test_a_school_admin_is_refused_the_event_flow(self):
        r = request("POST", self.console.url + "/console/api/session",
                    body={"phoneNumber": self.system.admin_phone, "password": self.system.admin_password})
        cookie = r.headers["Set-Cookie"].split(";")[0]
        r = request("GET", self.console.url + "/console/api/operator/topics", headers={"Cookie": cookie})
        self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
