"""End to end: the system rides out a Kafka outage and shuts down cleanly.

Stops the CTest fixture's broker (and always starts it again), so this file
must not run in parallel with other tests of the kafka fixture (ctest -j1, the
default, runs them one at a time).
"""

import os
import subprocess
import time
import unittest

from emis_harness import BROKER_SH, SystemTestCase, eventually, unique_phone

BROKER_DIR = os.environ.get("EMIS_TEST_KAFKA_DIR")


def broker(command, timeout=120):
    out = subprocess.run([BROKER_SH, command, BROKER_DIR], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"broker.sh {command} failed ({out.returncode}): {out.stdout}{out.stderr}")
    return out.stdout.strip()


def broker_jit_options():
    """The JIT options of the running broker's JVM, from its command line."""
    with open(os.path.join(BROKER_DIR, "broker.pid")) as f:
        pid = f.read().strip()
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        args = f.read().decode().split("\0")
    return [a for a in args if a.startswith("-XX:TieredStopAtLevel")]


@unittest.skipUnless(BROKER_DIR, "needs the CTest kafka fixture (EMIS_TEST_KAFKA_DIR)")
class ResilienceTest(SystemTestCase):
    # unittest runs the methods in name order: the outage first, the SIGTERM
    # (which ends teacher-service) last.

    def test_1_broker_outage(self):
        system = self.system
        bootstrap_before = broker("status")
        self.assertEqual(bootstrap_before, system.bootstrap)
        # Everything is reachable before the outage (and the admin logged in,
        # which needs no Kafka anyway).
        self.assertEqual(system.teacher.ready_status().status, 200)
        token = system.admin_token()
        jit_before = broker_jit_options()

        teachers = []
        try:
            broker("stop")

            # Readiness reports the broker as down, with the failing check named.
            def unready():
                r = system.teacher.ready_status()
                return r if r is not None and r.status == 503 else None
            r = eventually(unready, timeout=30, message="teacher /health/ready answering 503")
            self.assertEqual(r.json["status"], "Unhealthy", r)
            self.assertEqual(r.json["checks"]["kafka"], "Unhealthy", r)
            self.assertEqual(r.json["checks"]["database"], "Healthy", r)
            # Liveness is not readiness: the process itself is fine.
            self.assertEqual(system.teacher_client().get("/health/live").status, 200)

            # Writes still answer at once: no answer waits on Kafka.
            durations = []
            for i in range(5):
                phone = unique_phone()
                started = time.monotonic()
                r = system.teacher_client(token).post("/api/v1/teachers",
                                                      {"fullName": f"Outage Teacher {i}", "phoneNumber": phone})
                durations.append(time.monotonic() - started)
                self.assertEqual(r.status, 201, r)
                teachers.append(r.json)
            print(f"\nPOST /api/v1/teachers with the broker down: "
                  f"max {max(durations) * 1000:.1f} ms, all {[round(d * 1000, 1) for d in durations]} ms")
            self.assertLess(max(durations), 1.0, f"a POST waited on Kafka: {durations}")
            # Reads too.
            r = system.teacher_client(token).get(f"/api/v1/teachers/{teachers[0]['id']}")
            self.assertEqual(r.status, 200, r)
            # With no broker, no event can have reached Identity.
            for t in teachers:
                self.assertIsNone(system.find_user(t["phoneNumber"]))
        finally:
            restarted = broker("start")
        self.assertEqual(restarted, bootstrap_before, "the broker came back on other ports")
        # Restarted without being told, it runs the JIT it was started with.
        self.assertEqual(broker_jit_options(), jit_before)

        # Every row waiting in the outbox is delivered once the broker is back.
        started = time.monotonic()
        eventually(lambda: system.teacher.ready_status().status == 200, timeout=60,
                   message="teacher /health/ready back to 200")
        for t in teachers:
            user = system.wait_user(t["phoneNumber"], timeout=90)
            self.assertEqual(user["entityId"], t["id"])
            self.assertEqual(user["status"], "PendingActivation")
        users_after = time.monotonic() - started
        # ...and the way back (Identity's outbox, Teacher's consumer) works too.
        for t in teachers:
            system.wait_account_status(t["id"], "PendingActivation", timeout=60)
        print(f"after the broker restart: all 5 users in {users_after:.1f} s, "
              f"all accountStatus in {time.monotonic() - started:.1f} s")

        # And new writes flow as before.
        fresh = system.create_teacher()
        system.wait_user(fresh["phoneNumber"])

    def test_2_sigterm_when_idle(self):
        system = self.system
        # Idle: everything that was written has made it through.
        t = system.create_teacher()
        system.wait_account_status(t["id"], "PendingActivation")
        rc, took = system.teacher.terminate(timeout=10)
        print(f"\nteacher-service SIGTERM -> exit {rc} in {took:.2f} s")
        self.assertEqual(rc, 0)
        self.assertLess(took, 10.0)
        self.assertIsNone(system.teacher.ready_status(), "teacher-service still answers after it exited")
        # tearDownClass stops identity-service the same way and checks its exit code.


if __name__ == "__main__":
    unittest.main()
