"""The system as a district runs it, under failure: two instances of each
service sharing a PostgreSQL database per service, a three-node Kafka
cluster (replication 3, min.insync.replicas 2). During a load spread over
both teacher instances, one teacher instance, one identity instance and the
Kafka node that leads the most event partitions are killed with SIGKILL and
restarted. Afterwards every teacher must have exactly one user in
PendingActivation, every teacher must show that status, and nothing may have
gone to a dead-letter topic.

The cluster is the test's own (free ports, fresh directories); the databases
are new ones on the CTest PostgreSQL fixture. EMIS_CLUSTER_TEACHERS sets the
load (default 5000)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from emis_harness import (ADMIN_PASSWORD, ADMIN_PHONE, DEFAULT_TENANT, PSQL, SOURCE_DIR,  # noqa: E402
                          KeepAliveClient, Service, _clean_env, eventually, fresh_postgres_database, request,
                          unique_phone)

CLUSTER_SH = os.path.join(SOURCE_DIR, "deploy", "kafka", "cluster.sh")
BROKER_SH = os.path.join(SOURCE_DIR, "deploy", "kafka", "broker.sh")
TEACHERS = int(os.environ.get("EMIS_CLUSTER_TEACHERS", "5000"))
CLIENT_THREADS = 8
CONVERGENCE_TIMEOUT = 180.0


def sql(url, query):
    """The rows of `query` on the database at `url`, as lists of strings."""
    out = subprocess.run([PSQL, "-X", "-q", "-At", "-F", "\t", url, "-c", query], check=True,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def scalar(url, query):
    return int(sql(url, query)[0][0])


class ClusterFaultTest(unittest.TestCase):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="emis-cluster-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)  # runs last: after the stops
        self.kafka_dir = os.path.join(self.root, "kafka")
        self.addCleanup(self.stop_kafka)
        self.bootstrap = subprocess.run([CLUSTER_SH, "start", self.kafka_dir], check=True, capture_output=True,
                                        text=True, stdin=subprocess.DEVNULL, timeout=180).stdout.strip()
        run_id = uuid.uuid4().hex[:10]
        self.prefix = f"cluster.{run_id}"
        self.db = {kind: fresh_postgres_database(kind) for kind in ("identity", "teacher")}
        env = _clean_env()
        env.update({
            "EMIS_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "EMIS_KAFKA_TOPIC_PREFIX": self.prefix,
            "EMIS_LOG_LEVEL": "info",
            # The identity instances sign with one key pair and one code secret.
            "EMIS_JWT_KEY_DIR": os.path.join(self.root, "identity-keys"),
            "EMIS_ACTIVATION_SECRET_FILE": os.path.join(self.root, "identity-keys", "activation-secret"),
        })
        self.instances = {}
        for kind in ("identity", "teacher"):
            for n in (1, 2):
                name = f"{kind}-{n}"
                instance_env = dict(env, EMIS_DB=self.db[kind], EMIS_INSTANCE_ID=name,
                                    EMIS_KAFKA_GROUP_ID=f"{kind}-service-consumer.{run_id}")
                if kind == "identity":
                    instance_env.update({"EMIS_BOOTSTRAP_ADMIN_PHONE": ADMIN_PHONE,
                                         "EMIS_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
                                         "EMIS_BOOTSTRAP_TENANT_ID": DEFAULT_TENANT})
                self.instances[name] = Service(kind, os.path.join(self.root, name), instance_env)
        self.addCleanup(self.stop_services)
        # identity-1 alone first: it makes the bootstrap admin and the key pair.
        self.start("identity-1")
        self.start("identity-2")
        jwks = ",".join(self.instances[f"identity-{n}"].url + "/.well-known/jwks.json" for n in (1, 2))
        for n in (1, 2):
            self.instances[f"teacher-{n}"].env["EMIS_JWKS_URL"] = jwks
            self.start(f"teacher-{n}")

    def start(self, name, port=None):
        svc = self.instances[name]
        svc.start(port=port)
        svc.wait_ready(timeout=90)

    def stop_services(self):
        for name, svc in self.instances.items():
            code, _ = svc.terminate()
            if code not in (0, None):
                print(f"{name} exited with {code}\n{svc.log_tail(40)}", flush=True)

    def stop_kafka(self):
        subprocess.run([CLUSTER_SH, "stop", self.kafka_dir], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)

    def kafka_metadata(self):
        out = subprocess.run(["kcat", "-L", "-J", "-b", self.bootstrap], check=True, capture_output=True,
                             text=True, stdin=subprocess.DEVNULL, timeout=30).stdout
        return json.loads(out)

    def busiest_leader(self):
        """The node that leads the most partitions of this run's event topics."""
        counts = {}
        for topic in self.kafka_metadata()["topics"]:
            if topic["topic"].startswith(self.prefix):
                for p in topic["partitions"]:
                    counts[p["leader"]] = counts.get(p["leader"], 0) + 1
        return max(counts, key=counts.get), counts

    def dead_letters(self):
        total = 0
        for topic in self.kafka_metadata()["topics"]:
            if topic["topic"].startswith(self.prefix) and topic["topic"].endswith(".dlq"):
                out = subprocess.run(["kcat", "-C", "-b", self.bootstrap, "-t", topic["topic"], "-o", "beginning",
                                      "-e", "-q", "-f", "x\n"], capture_output=True, text=True,
                                     stdin=subprocess.DEVNULL, timeout=60).stdout
                total += out.count("x")
        return total

    def run_load(self, token, created, failures, progress):
        """Creates at least TEACHERS teachers (201s) from CLIENT_THREADS threads, each on one teacher instance."""
        def worker(i):
            svc = self.instances[f"teacher-{i % 2 + 1}"]
            client = None
            while len(created) < TEACHERS:
                phone = unique_phone()
                try:
                    if client is None:
                        client = KeepAliveClient("127.0.0.1", svc.port, token, timeout=30)
                    r = client.request("POST", "/api/v1/teachers", {"fullName": f"Teacher {phone}", "phoneNumber": phone})
                    if r.status == 201:
                        created.append(r.json["id"])
                    else:
                        failures.append(r.status)
                except OSError as e:  # the instance was killed: this request's outcome is unknown
                    failures.append(type(e).__name__)
                    client = None
                    time.sleep(0.05)  # not a sync: the instance is down; don't spin on refused connects
                progress[0] += 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENT_THREADS)]
        for t in threads:
            t.start()
        return threads

    def test_kills_under_load_lose_and_duplicate_nothing(self):
        identity = self.instances["identity-1"]
        login = request("POST", identity.url + "/api/v1/auth/login",
                        {"phoneNumber": ADMIN_PHONE, "password": ADMIN_PASSWORD})
        self.assertEqual(login.status, 200, login)
        token = login.json["accessToken"]

        created, failures, progress = [], [], [0]
        started = time.monotonic()
        threads = self.run_load(token, created, failures, progress)
        eventually(lambda: progress[0] >= TEACHERS // 4, timeout=300, message="a quarter of the load")

        # The faults, a moment apart, while the load goes on.
        teacher_port = self.instances["teacher-1"].port
        identity_port = self.instances["identity-2"].port
        self.instances["teacher-1"].kill()
        self.instances["identity-2"].kill()
        node, leaders = self.busiest_leader()
        node_dir = os.path.join(self.kafka_dir, f"node-{node}")
        subprocess.run([BROKER_SH, "kill", node_dir], check=True, stdin=subprocess.DEVNULL, timeout=60)
        last_kill = time.monotonic()
        print(f"killed teacher-1, identity-2 and kafka node {node} (leader counts {leaders}) "
              f"after {progress[0]} requests", flush=True)
        # The broker in the background: a node restarts in seconds, and the
        # instances must not wait for it (the cluster runs on two nodes).
        broker = subprocess.Popen([BROKER_SH, "start", node_dir], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.start("teacher-1", port=teacher_port)
        print(f"teacher-1 ready again {time.monotonic() - last_kill:.1f}s after the last kill", flush=True)
        self.start("identity-2", port=identity_port)
        print(f"identity-2 ready again {time.monotonic() - last_kill:.1f}s after the last kill", flush=True)
        _, broker_errors = broker.communicate(timeout=120)
        if broker.returncode != 0:
            # Seen once in five runs on this 2-core machine; an operator would start it again.
            print(f"kafka node {node} failed to start ({broker_errors.strip()}); starting it again", flush=True)
            again = subprocess.run([BROKER_SH, "start", node_dir], stdin=subprocess.DEVNULL, capture_output=True,
                                   text=True, timeout=120)
            self.assertEqual(again.returncode, 0, f"the killed kafka node did not start again: {again.stderr}")
        print(f"kafka node {node} ready again {time.monotonic() - last_kill:.1f}s after the last kill", flush=True)

        for t in threads:
            t.join()
        load_ended = time.monotonic()
        load_time = load_ended - started
        print(f"load: {len(created)} teachers created (201) in {load_time:.1f}s, {len(failures)} requests failed "
              f"while an instance was down", flush=True)
        self.assertGreaterEqual(len(created), TEACHERS)

        teacher_db, identity_db = self.db["teacher"], self.db["identity"]

        def converged():
            teachers = scalar(teacher_db, "SELECT COUNT(*) FROM teachers WHERE deleted_at IS NULL")
            shown = scalar(teacher_db, "SELECT COUNT(*) FROM teachers WHERE deleted_at IS NULL "
                                       "AND account_status = 'PendingActivation'")
            users = scalar(identity_db, "SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id "
                                        "WHERE m.entity_type = 'Teacher' AND m.removed_at IS NULL "
                                        "AND u.status = 'PendingActivation'")
            return teachers == shown == users and teachers >= len(created)

        eventually(converged, timeout=CONVERGENCE_TIMEOUT, interval=0.2, message="every teacher onboarded")
        now = time.monotonic()
        print(f"converged {now - last_kill:.1f}s after the last kill, {now - load_ended:.1f}s after the load ended",
              flush=True)

        # Every 201 is a teacher with its one user, and nothing more.
        teacher_ids = {row[0] for row in sql(teacher_db, "SELECT id FROM teachers WHERE deleted_at IS NULL")}
        self.assertTrue(set(created) <= teacher_ids, "a teacher that got a 201 is missing")
        duplicates = sql(identity_db, "SELECT phone_number, COUNT(*) FROM users GROUP BY phone_number "
                                      "HAVING COUNT(*) > 1")
        self.assertEqual(duplicates, [], "a teacher got more than one user")
        unlinked = scalar(teacher_db, "SELECT COUNT(*) FROM teachers WHERE deleted_at IS NULL AND user_id IS NULL")
        self.assertEqual(unlinked, 0, "a teacher does not show its user")
        self.assertEqual(self.dead_letters(), 0, "an event went to a dead-letter topic")
        # Each handled event is one inbox row: a redelivered one changed nothing.
        for db in (teacher_db, identity_db):
            self.assertEqual(sql(db, "SELECT event_id FROM inbox GROUP BY consumer, event_id HAVING COUNT(*) > 1"), [])

        # The identity instances share keys and the code secret: a code issued by
        # one activates on the other, whose token the teacher instances accept.
        user_id, phone = sql(identity_db, "SELECT u.id, u.phone_number FROM users u JOIN memberships m "
                                          "ON m.user_id = u.id WHERE m.entity_type = 'Teacher' LIMIT 1")[0]
        one, two = self.instances["identity-1"], self.instances["identity-2"]
        code = request("POST", f"{one.url}/api/v1/users/{user_id}/activation-code", token=token)
        self.assertEqual(code.status, 201, code)
        r = request("POST", f"{two.url}/api/v1/auth/set-password", {
            "phoneNumber": phone, "activationCode": code.json["activationCode"], "newPassword": "Cluster-Passw0rd!"})
        self.assertEqual(r.status, 204, r)
        login = request("POST", f"{two.url}/api/v1/auth/login", {"phoneNumber": phone, "password": "Cluster-Passw0rd!"})
        self.assertEqual(login.status, 200, login)
        admin = request("POST", f"{two.url}/api/v1/auth/login", {"phoneNumber": ADMIN_PHONE, "password": ADMIN_PASSWORD})
        self.assertEqual(admin.status, 200, admin)
        for n in (1, 2):  # a token of identity-2 works on both teacher instances
            r = request("GET", self.instances[f"teacher-{n}"].url + "/api/v1/teachers",
                        token=admin.json["accessToken"])
            self.assertEqual(r.status, 200, r)

        self.check_static_membership(token)

    def check_static_membership(self, token):
        """An instance killed and restarted with its instance id takes its
        partitions back without a rebalance: the other instance of its group
        keeps its own partitions throughout, and events flow at once."""
        survivor = self.instances["identity-1"]
        revokes_before = survivor.log_text().count("revoked")
        restarted = self.instances["identity-2"]
        port = restarted.port
        restarted.kill()
        killed = time.monotonic()
        self.start("identity-2", port=port)
        print(f"identity-2 killed alone and ready again in {time.monotonic() - killed:.1f}s", flush=True)
        self.assertIn("assigned", restarted.log_text().rsplit("starting identity-service", 1)[-1])
        phone = unique_phone()
        r = request("POST", self.instances["teacher-2"].url + "/api/v1/teachers",
                    {"fullName": "After a restart", "phoneNumber": phone}, token=token)
        self.assertEqual(r.status, 201, r)
        posted = time.monotonic()
        eventually(lambda: scalar(self.db["teacher"], "SELECT COUNT(*) FROM teachers WHERE id = "
                                  f"'{r.json['id']}' AND account_status = 'PendingActivation'") == 1,
                   message="the teacher created after the restart onboarded")
        print(f"a teacher created after the restart onboarded in {1000 * (time.monotonic() - posted):.0f} ms",
              flush=True)
        self.assertEqual(survivor.log_text().count("revoked"), revokes_before,
                         "the restart rebalanced the group: the survivor gave its partitions up")


if __name__ == "__main__":
    unittest.main()
