"""End to end: every code path that writes an event wakes the outbox relay.

The relay also polls the outbox every outbox_idle_poll_ms as a safety net; here
that poll is an hour, so only the wake-up after each commit can deliver. The
onboarding flow goes through each kind of writer: an HTTP handler in
teacher-service (TeacherCreated), a consumer transaction in identity-service
(UserAccountCreated) and an HTTP handler in identity-service (UserActivated).
Without the wake-up on one of them, the flow stops at that step until the
deadline.
"""

import os
import unittest

from emis_harness import SystemTestCase, unique_phone


@unittest.skipUnless(os.environ.get("EMIS_TEST_KAFKA_DIR") or os.environ.get("EMIS_KAFKA_BOOTSTRAP_SERVERS"),
                     "needs a Kafka broker")
class RelayWakeUpTest(SystemTestCase):
    system_options = {"extra_env": {"EMIS_OUTBOX_IDLE_POLL_MS": str(3600 * 1000)}}

    def test_each_writer_wakes_the_relay(self):
        phone = unique_phone()
        teacher = self.system.create_teacher(phoneNumber=phone)  # HTTP handler, teacher-service
        # Consumer transaction in identity-service, then its event back in teacher-service.
        self.system.wait_account_status(teacher["id"], "PendingActivation")
        self.system.activate(phone, "Teacher-Passw0rd!")  # HTTP handler, identity-service
        self.system.wait_account_status(teacher["id"], "Active")


if __name__ == "__main__":
    unittest.main()
