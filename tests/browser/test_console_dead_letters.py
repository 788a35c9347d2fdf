"""Dead letters and message search in the console, for an Operator: a malformed
TeacherCreated produced with `kcat` is dead-lettered, shows among the dead
letters under its error class with its dlq-* headers and payload, cannot be
replayed as it is, and a fixed copy replayed after a dry run and a
confirmation reaches Identity (which makes the account), with the replay in
the log; the search finds the two messages by header and payload and says how
many it scanned."""

import json
import re
import subprocess
import unittest
import uuid

from playwright.sync_api import expect

from console_system import ConsoleTestCase
from emis_harness import DEFAULT_TENANT, e164, eventually, request, unique_phone

OPERATOR_PHONE = "0901000098"
OPERATOR_PASSWORD = "Operator-Passw0rd!"


class ConsoleDeadLettersTest(ConsoleTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.system.create_admin(OPERATOR_PHONE, OPERATOR_PASSWORD, DEFAULT_TENANT, operator=True)

    def produce_with_kcat(self, topic, key, value, headers):
        args = ["kcat", "-P", "-b", self.system.bootstrap, "-t", topic, "-k", key]
        for name, header_value in headers.items():
            args += ["-H", f"{name}={header_value}"]
        subprocess.run(args, input=value, text=True, check=True, timeout=30)

    def test_a_malformed_event_is_dead_lettered_and_a_fixed_copy_replayed(self):
        self.system.create_teacher()  # the topic exists and its consumers are assigned
        topic = self.system.topic("teachercreated")
        event_id, teacher_id, phone = str(uuid.uuid4()), str(uuid.uuid4()), unique_phone()
        fixed = {"id": event_id, "occurredOn": "2026-12-01T08:00:00.000Z", "teacherId": teacher_id,
                 "tenantId": DEFAULT_TENANT, "phoneNumber": e164(phone), "fullName": "Trần Thị Hoa",
                 "email": "hoa@example.edu.vn"}
        malformed = json.dumps(fixed, ensure_ascii=False)[:-40]  # cut off: not JSON any more
        self.produce_with_kcat(topic, teacher_id, malformed,
                               {"event-type": "TeacherCreatedIntegrationEvent", "event-version": "1"})

        page = self.new_page()
        self.sign_in(page, OPERATOR_PHONE, OPERATOR_PASSWORD, landing="Event flow")
        page.get_by_role("button", name="Dead letters").click()
        identity_group = self.system.identity.env["EMIS_KAFKA_GROUP_ID"]
        malformed_class = page.locator('.dlq-class[data-error-class="malformed"]')
        card = malformed_class.locator(f'.letter[data-topic="{topic}.dlq"]', has_text=identity_group)

        listing = page.locator("#dlq-classes")

        def dead_lettered_by_identity():
            page.get_by_role("button", name="Refresh").click()  # the list is busy from the click on
            expect(listing).to_have_attribute("aria-busy", "false")
            return card.count() == 1
        eventually(dead_lettered_by_identity, 30, interval=0.5, message="identity's dead letter in the console")
        expect(card).to_contain_text("value is not valid JSON")
        expect(card).to_contain_text(teacher_id)  # the key
        card.get_by_text("Headers (").click()
        expect(card.locator("details")).to_have_attribute("open", "")
        expect(card.locator("dl.headers")).to_contain_text("dlq-original-topic")
        expect(card.locator("pre.payload")).to_have_text(malformed)
        self.screenshot(page, "dead_letters")

        # As it is, the message would only be dead-lettered again: nothing to confirm.
        card.get_by_role("button", name="Replay…").click()
        dialog = page.locator("#replay-dialog")
        dialog.get_by_role("button", name="Dry run").click()
        expect(dialog.locator("#replay-plan")).to_contain_text("would be dead-lettered again (malformed)")
        expect(dialog.get_by_role("button", name="Confirm replay")).to_be_hidden()

        # A fixed copy: a dry run first, then the confirmed replay and its outcome.
        dialog.get_by_label("Payload (edit it to replay a fixed copy)").fill(json.dumps(fixed, ensure_ascii=False))
        dialog.get_by_role("button", name="Dry run").click()
        expect(dialog.locator("#replay-plan")).to_contain_text("Dry run: 1 would be replayed")
        expect(dialog.locator("#replay-plan")).to_contain_text(f"emis-replay-of {topic}.dlq/")
        dialog.get_by_role("button", name="Confirm replay of 1").click()
        expect(dialog.locator('.plan li[data-outcome="delivered"]')).to_contain_text(f"delivered to {topic}")
        self.screenshot(page, "replay_outcome", full_page=False)
        dialog.get_by_role("button", name="Close").click()

        # Identity takes the replay: the account exists, and the log says the group consumed it.
        user = self.system.wait_user(phone)
        self.assertEqual(user["entityId"], teacher_id)
        replayed = next(m for m in self.system.read_topic("teachercreated") if "emis-replay-of" in m["headers"])
        self.assertEqual(replayed["value"]["id"], event_id)
        self.assertTrue(replayed["headers"]["emis-replay-of"].startswith(f"{topic}.dlq/"))
        self.assertNotIn("dlq-error-class", replayed["headers"])
        log_row = page.locator("#replay-rows tr").first
        expect(log_row).to_contain_text("fixed copy")
        expect(log_row).to_contain_text(event_id)
        expect(log_row.locator(".badge.consumed")).to_have_text("Consumed", timeout=30_000)
        expect(card.locator(".badge", has_text="Replayed")).to_be_visible()
        self.screenshot(page, "replay_log")

        # The console dead-lettered the same message in its own group: one replay reached both.
        cookie = self.api_cookie()
        letters = request("GET", self.console.url + "/console/api/operator/dead-letters",
                          headers={"Cookie": cookie}).json
        ours = [d for c in letters["classes"] for d in c["letters"] if d["key"] == teacher_id]
        self.assertTrue(all(d["replayed"] for d in ours), ours)

        # Search: by header and payload, and the answer says how much was read.
        page.get_by_role("button", name="Search", exact=True).click()
        form = page.locator("#message-search-form")
        form.get_by_label("Topic").select_option(topic)
        form.get_by_label("Header name").fill("event-type")
        form.get_by_label("Header value equals").fill("TeacherCreatedIntegrationEvent")
        form.get_by_label("Payload contains").fill(teacher_id)
        form.get_by_role("button", name="Search").click()
        # Everything in the topic was read: the teacher made above, the malformed message and its replay.
        expect(page.locator("#search-summary")).to_have_text(
            re.compile(r"Scanned (\d+) of \1 messages in range: 2 match\."))
        expect(page.locator("#search-rows tr")).to_have_count(2)
        expect(page.locator("#search-rows")).to_contain_text("emis-replay-of")
        self.screenshot(page, "search")

        # A phone's width: the dead letters and the log still read.
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Dead letters").click()
        expect(card.locator(".badge", has_text="Replayed")).to_be_visible()
        expect(page.locator("#replay-rows tr").first).to_contain_text(event_id)
        self.screenshot(page, "dead_letters_phone")

    def api_cookie(self):
        r = request("POST", self.console.url + "/console/api/session",
                    body={"phoneNumber": OPERATOR_PHONE, "password": OPERATOR_PASSWORD})
        return r.headers["Set-Cookie"].split(";")[0]

    def test_a_replay_needs_a_confirmation_and_the_search_no_code(self):
        cookie = self.api_cookie()
        r = request("GET", self.console.url + "/console/api/session", headers={"Cookie": cookie})
        csrf = r.json["csrfToken"]
        headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
        url = self.console.url + "/console/api/operator/dead-letters/replay"
        r = request("POST", url, body={"all": True, "dryRun": False}, headers=headers)
        self.assertProblem(r, 400, "confirm")
        r = request("POST", url, body={"items": [{"topic": self.system.topic("teachercreated"), "partition": 0,
                                                  "offset": 0}]}, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["dryRun"])
        self.assertIn("is not a dead-letter topic of the system", r.json["items"][0]["skipped"])
        # A dry run of all: each dead letter with what would happen to it, nothing sent.
        r = request("POST", url, body={"all": True}, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["dryRun"])
        self.assertEqual(r.json["wouldReplay"] + r.json["skipped"], len(r.json["items"]))
        self.assertTrue(all(item["replay"] is None for item in r.json["items"]))
        r = request("POST", url, body={"all": True}, headers={"Cookie": cookie})  # no CSRF token
        self.assertProblem(r, 403)
        search = self.console.url + "/console/api/operator/messages"
        r = request("GET", search + "?topic=nope", headers={"Cookie": cookie})
        self.assertProblem(r, 400, "topic")
        r = request("GET", f"{search}?topic={self.system.topic('teachercreated')}&limit=999999",
                    headers={"Cookie": cookie})
        self.assertProblem(r, 400, "limit")


if __name__ == "__main__":
    unittest.main()
