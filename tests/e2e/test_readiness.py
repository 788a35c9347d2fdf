"""End to end: a service is ready only once its consumer has partitions.

An event published before the consumer group has assigned the consumer its
partitions waits for the join, which on a fresh broker (no group coordinator
yet) takes a second or more. So /health/ready must answer 503 until the first
assignment. The test holds the join up deterministically: another member of
the service's consumer group (kcat) is stopped with SIGSTOP, so the group's
rebalance waits for it; once that member leaves, the service is assigned and
becomes ready.
"""

import os
import signal
import subprocess
import unittest

from emis_harness import System, eventually


def _ready_checks(service):
    r = service.ready_status()
    return r if r is not None and r.json else None


@unittest.skipUnless(os.environ.get("EMIS_TEST_KAFKA_DIR") or os.environ.get("EMIS_KAFKA_BOOTSTRAP_SERVERS"),
                     "needs a Kafka broker")
class ReadinessWaitsForAssignmentTest(unittest.TestCase):
    def setUp(self):
        self.system = System("Readiness")
        self.member = None

    def tearDown(self):
        if self.member is not None and self.member.poll() is None:
            self.member.send_signal(signal.SIGCONT)
            self.member.kill()
            self.member.wait()
        if self.member is not None:
            self.member.stderr.close()
        self.system.stop(check=False)

    def start_group_member(self, group):
        """A kcat consumer in `group`, once it has joined; returns the process."""
        topic = self.system.topic("readiness-blocker")
        # The topic exists once something was produced to it (the broker creates topics on demand).
        subprocess.run(["kcat", "-P", "-b", self.system.bootstrap, "-t", topic], input="x\n", text=True,
                       check=True, timeout=30, capture_output=True)
        member = subprocess.Popen(
            ["kcat", "-b", self.system.bootstrap, "-G", group, "-X", "session.timeout.ms=120000", "-o", "end", topic],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in member.stderr:  # kcat reports each rebalance on stderr
            if "rebalanced" in line and "assigned" in line:
                return member
        raise AssertionError(f"kcat exited with {member.wait()} before joining group {group}")

    def test_not_ready_until_the_consumer_is_assigned(self):
        identity = self.system.identity
        group = identity.env["EMIS_KAFKA_GROUP_ID"]
        self.member = self.start_group_member(group)
        # A stopped member keeps its place in the group until its session times
        # out, and the rebalance the service's join starts waits for it.
        self.member.send_signal(signal.SIGSTOP)

        identity.start()
        r = eventually(lambda: (lambda c: c if c and c.json["checks"].get("kafka") == "Healthy" else None)(
            _ready_checks(identity)), message="identity reaching the broker")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json["checks"].get("consumer"), "Unhealthy", r)
        self.assertEqual(r.json["checks"]["database"], "Healthy", r)

        # The other member leaves cleanly: the rebalance completes, the service gets partitions.
        self.member.send_signal(signal.SIGCONT)
        self.member.terminate()
        self.member.wait(timeout=30)
        identity.wait_ready()
        r = identity.ready_status()
        self.assertEqual(r.json["checks"]["consumer"], "Healthy", r)


if __name__ == "__main__":
    unittest.main()
