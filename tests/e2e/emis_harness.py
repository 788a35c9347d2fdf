"""Shared code of the end-to-end tests: the real service binaries as processes.

Python 3 standard library only. A `System` starts identity-service and
teacher-service on free ports, with a fresh data directory and a topic prefix
of its own, against a Kafka broker that is already running (the CTest fixture's,
whose DIR/bootstrap names it, or EMIS_KAFKA_BOOTSTRAP_SERVERS). Nothing here
sleeps to synchronise: every wait polls a condition until a deadline.

Environment (set by CTest, see tests/CMakeLists.txt):
  EMIS_TEST_KAFKA_DIR   fixture broker dir; its `bootstrap` file holds host:port
  EMIS_SOURCE_DIR       the source tree (configs, deploy/kafka/broker.sh)
  EMIS_TEACHER_BIN      teacher-service binary
  EMIS_IDENTITY_BIN     identity-service binary
Optional: EMIS_KAFKA_BOOTSTRAP_SERVERS (a broker to use instead of the fixture's),
EMIS_E2E_KEEP=1 (keep the data dirs for post-mortem), EMIS_E2E_LOG_LEVEL.
"""

import atexit
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

SOURCE_DIR = os.path.abspath(
    os.environ.get("EMIS_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BROKER_SH = os.path.join(SOURCE_DIR, "deploy", "kafka", "broker.sh")

DEFAULT_TENANT = "00000000-0000-4000-8000-000000000001"
ADMIN_PHONE = "0901000001"
ADMIN_PASSWORD = "Admin-Passw0rd!"

READY_TIMEOUT = 45.0  # seconds for a service to answer 200 on /health/ready
STOP_TIMEOUT = 15.0  # seconds for a clean SIGTERM shutdown
EVENT_TIMEOUT = 30.0  # seconds for an event to cross Kafka on a healthy broker


# ---------------------------------------------------------------- polling

def eventually(fn, timeout=EVENT_TIMEOUT, interval=0.02, message=None):
    """Calls fn until it returns something truthy (returned) or the deadline passes.

    An AssertionError raised by fn counts as "not yet"; on timeout the last
    value or assertion is part of the failure message.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = fn()
            if value:
                return value
            last = f"last value: {value!r}"
        except AssertionError as e:
            last = f"last assertion: {e}"
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message or 'condition'} not met within {timeout:.1f}s ({last})")
        time.sleep(interval)  # poll interval, not synchronisation


# ---------------------------------------------------------------- HTTP

class Response:
    """An HTTP answer: status, headers (case-insensitive), parsed JSON (or None)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        self.json = None
        if body:
            try:
                self.json = json.loads(body)
            except ValueError:
                self.json = None

    def __iter__(self):  # status, headers, json = client.get(...)
        return iter((self.status, self.headers, self.json))

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def __repr__(self):
        text = self.raw[:400].decode("utf-8", "replace") if self.raw else ""
        return f"<HTTP {self.status} {self.content_type} {text}>"


# Never go through a proxy from the environment: every service is on 127.0.0.1.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(method, url, body=None, token=None, headers=None, raw=None, timeout=15.0):
    """One HTTP request; returns a Response (which unpacks to status, headers, json).

    body is sent as JSON; raw (bytes or str) is sent as it is, with a JSON
    content type unless headers say otherwise.
    """
    data = None
    if raw is not None:
        data = raw.encode() if isinstance(raw, str) else raw
    elif body is not None:
        data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as e:
        try:
            payload = e.read()
        finally:
            e.close()
        return Response(e.code, e.headers, payload)


class Client:
    """HTTP helpers bound to a base URL and, optionally, a bearer token."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def with_token(self, token):
        return Client(self.base_url, token)

    def url(self, path, **query):
        query = {k: v for k, v in query.items() if v is not None}
        return self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")

    def call(self, method, path, body=None, token=..., query=None, **kw):
        return request(method, self.url(path, **(query or {})), body=body,
                       token=self.token if token is ... else token, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


class KeepAliveClient:
    """One persistent HTTP/1.1 connection (for tight polling in benchmarks)."""

    def __init__(self, host, port, token=None, timeout=15.0):
        self.host, self.port, self.token, self.timeout = host, port, token, timeout
        self.conn = None

    def request(self, method, path, body=None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return Response(resp.status, resp.headers, payload)
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---------------------------------------------------------------- ids, phones

_phone_lock = threading.Lock()
_phone_seq = [int.from_bytes(os.urandom(3), "big") % 9_000_000]


def unique_phone():
    """A fresh valid Vietnamese mobile number in national form (091xxxxxxx)."""
    with _phone_lock:
        _phone_seq[0] = (_phone_seq[0] + 1) % 10_000_000
        n = _phone_seq[0]
    return f"091{n:07d}"


def e164(national):
    """+84 form of a national VN number (0912345678 -> +84912345678)."""
    assert national.startswith("0"), national
    return "+84" + national[1:]


def jwt_parts(token):
    """Decodes a JWT's header and payload (no verification)."""
    def dec(part):
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    header, payload, _ = token.split(".")
    return dec(header), dec(payload)


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---------------------------------------------------------------- processes

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kafka_bootstrap():
    explicit = os.environ.get("EMIS_KAFKA_BOOTSTRAP_SERVERS")
    if explicit:
        return explicit
    kafka_dir = os.environ.get("EMIS_TEST_KAFKA_DIR")
    if not kafka_dir:
        raise RuntimeError("set EMIS_TEST_KAFKA_DIR (the CTest kafka fixture) or EMIS_KAFKA_BOOTSTRAP_SERVERS")
    with open(os.path.join(kafka_dir, "bootstrap")) as f:
        return f.read().strip()


def service_binary(name):
    path = os.environ.get(f"EMIS_{name.upper()}_BIN") or os.path.join(
        SOURCE_DIR, "build", "src", name, f"{name}-service")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{name}-service binary not found at {path} (set EMIS_{name.upper()}_BIN)")
    return path


def service_config(name):
    return os.path.join(SOURCE_DIR, "deploy", "config", f"{name}-service.json")


POSTGRES_DIR = os.environ.get("EMIS_TEST_POSTGRES_DIR")  # set: the services run on PostgreSQL
PSQL = "/usr/lib/postgresql/15/bin/psql"


def fresh_postgres_database(stem):
    """A new, empty database on the CTest fixture's PostgreSQL server; returns its URL."""
    with open(os.path.join(POSTGRES_DIR, "url")) as f:
        base = f.read().strip()
    name = f"e2e_{stem}_{uuid.uuid4().hex[:12]}"
    subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", base + "postgres", "-c", f"CREATE DATABASE {name}"],
                   check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return base + name


def _clean_env():
    """The caller's environment without EMIS_* (each is a config override)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("EMIS_")}


_live = set()  # every Service still running, killed at exit as a last resort


@atexit.register
def _kill_leftovers():
    for svc in list(_live):
        svc.kill()


class ServiceError(AssertionError):
    pass


class Service:
    """One service binary as a child process, with its log in a file."""

    def __init__(self, name, data_dir, env):
        self.name = name  # "teacher" or "identity"
        self.binary = service_binary(name)
        self.config = service_config(name)
        self.data_dir = data_dir
        self.env = dict(env)
        if POSTGRES_DIR and "EMIS_DB" not in self.env:
            self.env["EMIS_DB"] = fresh_postgres_database(name)  # kept across restarts, as a file would be
        self.port = None
        self.proc = None
        self.returncode = None
        self.log_path = os.path.join(data_dir, f"{name}-service.log")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, token=None):
        return Client(self.url, token)

    def start(self, port=None):
        os.makedirs(self.data_dir, exist_ok=True)
        self.port = port or free_port()
        env = dict(self.env)
        env["EMIS_HTTP_PORT"] = str(self.port)
        env["EMIS_HTTP_ADDRESS"] = "127.0.0.1"
        env["EMIS_DATA_DIR"] = self.data_dir
        log = open(self.log_path, "ab")
        log.write(f"--- {time.strftime('%H:%M:%S')} starting {self.name}-service on port {self.port}\n".encode())
        log.flush()
        try:
            self.proc = subprocess.Popen([self.binary, "--config", self.config], env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        self.returncode = None
        _live.add(self)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def ready_status(self):
        """Status of GET /health/ready, or None when nothing answers."""
        try:
            return request("GET", self.url + "/health/ready", timeout=5.0)
        except (OSError, http.client.HTTPException):
            return None

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if not self.running():
                raise ServiceError(f"{self.name}-service exited during startup with code {self.proc.poll()}\n"
                                   + self.log_tail())
            last = self.ready_status()
            if last is not None and last.status == 200:
                return
            if time.monotonic() >= deadline:
                raise ServiceError(f"{self.name}-service not ready after {timeout:.0f}s (last: {last!r})\n"
                                   + self.log_tail())
            time.sleep(0.05)  # poll interval

    def terminate(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns (exit code, seconds taken). Kills after the timeout."""
        if self.proc is None:
            return self.returncode, 0.0
        if self.proc.poll() is not None:
            self.returncode = self.proc.returncode
            _live.discard(self)
            return self.returncode, 0.0
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.returncode = f"killed after no exit in {timeout:.0f}s"
        _live.discard(self)
        return self.returncode, time.monotonic() - start

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        _live.discard(self)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=80):
        text = self.log_text().splitlines()
        return f"--- last {min(lines, len(text))} lines of {self.log_path}\n" + "\n".join(text[-lines:])


class System:
    """identity-service and teacher-service (and, with student=True, student-service), isolated from any
    other run."""

    def __init__(self, name="e2e", bootstrap=None, admin_phone=ADMIN_PHONE, admin_password=ADMIN_PASSWORD,
                 extra_admins=(), extra_env=None, student=False):
        run_id = uuid.uuid4().hex[:10]
        self.name = name
        self.bootstrap = bootstrap or kafka_bootstrap()
        self.root = tempfile.mkdtemp(prefix=f"emis-{name}-")
        self.topic_prefix = f"e2e.{name.lower()}.{run_id}"
        self.admin_phone = admin_phone
        self.admin_password = admin_password
        self.extra_admins = list(extra_admins)  # (phone, password, tenant)
        env = _clean_env()
        env.update({
            "EMIS_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "EMIS_KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "EMIS_LOG_LEVEL": os.environ.get("EMIS_E2E_LOG_LEVEL", "info"),
        })
        env.update(extra_env or {})
        identity_env = dict(env)
        identity_env.update({
            "EMIS_BOOTSTRAP_ADMIN_PHONE": admin_phone,
            "EMIS_BOOTSTRAP_ADMIN_PASSWORD": admin_password,
            "EMIS_BOOTSTRAP_TENANT_ID": DEFAULT_TENANT,
            # Consumer groups of their own: a run never joins (and waits on) a
            # group that a crashed earlier run left behind.
            "EMIS_KAFKA_GROUP_ID": f"identity-service-consumer.{run_id}",
        })
        teacher_env = dict(env)
        teacher_env["EMIS_KAFKA_GROUP_ID"] = f"teacher-service-consumer.{run_id}"
        self.identity = Service("identity", os.path.join(self.root, "identity"), identity_env)
        self.teacher = Service("teacher", os.path.join(self.root, "teacher"), teacher_env)
        self.student = None
        if student:
            student_env = dict(env)
            student_env["EMIS_KAFKA_GROUP_ID"] = f"student-service-consumer.{run_id}"
            self.student = Service("student", os.path.join(self.root, "student"), student_env)
        self._admin_tokens = {}
        self.logs_dumped = False

    @property
    def services(self):
        return tuple(svc for svc in (self.identity, self.teacher, self.student) if svc is not None)

    # -- lifecycle

    def create_admin(self, phone, password, tenant, operator=False):
        """Runs `identity-service create-admin` against identity's database; returns the user id."""
        os.makedirs(self.identity.data_dir, exist_ok=True)
        env = dict(self.identity.env)
        env["EMIS_DATA_DIR"] = self.identity.data_dir
        # The password goes on stdin: a command line is visible to everyone (ps).
        out = subprocess.run([self.identity.binary, "--config", self.identity.config, "create-admin",
                              "--phone", phone, "--tenant", tenant] + (["--operator"] if operator else []),
                             env=env, input=password + "\n", capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise ServiceError(f"create-admin failed ({out.returncode}): {out.stdout}{out.stderr}")
        return out.stdout.strip().splitlines()[-1]  # the id is the last line

    def start(self):
        try:
            if self.extra_admins:
                # The bootstrap admin is made only on an empty database, so once
                # create-admin has run, every admin comes from create-admin.
                self.create_admin(self.admin_phone, self.admin_password, DEFAULT_TENANT)
                for phone, password, tenant in self.extra_admins:
                    self.create_admin(phone, password, tenant)
            self.identity.start()
            for svc in self.services[1:]:
                svc.env["EMIS_JWKS_URL"] = self.identity.url + "/.well-known/jwks.json"
                svc.start()
            for svc in self.services:
                svc.wait_ready()
        except BaseException:
            self.dump_logs()
            self.kill()
            raise
        return self

    def stop(self, check=True):
        """SIGTERM every service (identity last); asserts each exited 0 unless check is False."""
        problems = []
        for svc in reversed(self.services):
            rc, took = svc.terminate()
            if rc not in (0, None):
                problems.append(f"{svc.name}-service exited with {rc} after SIGTERM ({took:.1f}s)")
        if problems:
            self.dump_logs()
        elif not os.environ.get("EMIS_E2E_KEEP"):
            shutil.rmtree(self.root, ignore_errors=True)
        if check and problems:
            raise AssertionError("; ".join(problems))

    def kill(self):
        for svc in self.services:
            svc.kill()

    def dump_logs(self, lines=120):
        if self.logs_dumped:
            return
        self.logs_dumped = True
        out = [f"===== service logs of {self.name} (data in {self.root}, topic prefix {self.topic_prefix},"
               f" kafka {self.bootstrap})"]
        for svc in self.services:
            out.append(svc.log_tail(lines))
        sys.stderr.write("\n".join(out) + "\n")
        sys.stderr.flush()
        os.environ["EMIS_E2E_KEEP"] = "1"  # keep the data dir of a failed run

    # -- Kafka

    def topic(self, name):
        """The full topic name of an event name (e.g. "teachercreated") in this run."""
        return f"{self.topic_prefix}.{name}"

    def read_topic(self, name, timeout=10.0):
        """Every message now in the topic, via `kcat -J` (an empty list if it does not exist yet)."""
        out = subprocess.run(["kcat", "-C", "-b", self.bootstrap, "-t", self.topic(name), "-o", "beginning",
                              "-e", "-J", "-q", "-m", "5"],
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        messages = []
        for line in out.stdout.splitlines():
            if line.strip().startswith("{"):
                m = json.loads(line)
                h = m.get("headers") or []
                m["headers"] = dict(zip(h[0::2], h[1::2]))
                try:
                    m["value"] = json.loads(m["payload"]) if m.get("payload") else None
                except ValueError:  # a malformed message, as a poison test produces
                    m["value"] = None
                messages.append(m)
        return messages

    def wait_message(self, name, key, timeout=EVENT_TIMEOUT):
        """The first message with this key on the topic, once it is there."""
        def find():
            return next((m for m in self.read_topic(name) if m.get("key") == key), None)
        return eventually(find, timeout, interval=0.2, message=f"a message with key {key} on {self.topic(name)}")

    # -- clients and flows

    def identity_client(self, token=None):
        return self.identity.client(token)

    def teacher_client(self, token=None):
        return self.teacher.client(token)

    def student_client(self, token=None):
        return self.student.client(token)

    def create_student(self, guardians, token=None, **fields):
        """POSTs a student with these guardians; asserts 201 and returns the student."""
        body = {"fullName": "Phạm Minh Khang", "guardians": guardians}
        body.update(fields)
        r = self.student_client(token or self.admin_token()).post("/api/v1/students", body)
        if r.status != 201:
            raise AssertionError(f"create student: expected 201, got {r!r}")
        return r.json

    def wait_parent_account_status(self, parent_id, account_status, timeout=EVENT_TIMEOUT, token=None):
        def check():
            r = self.student_client(token or self.admin_token()).get(f"/api/v1/parents/{parent_id}")
            assert r.status == 200, r
            return r.json if r.json.get("accountStatus") == account_status else None
        return eventually(check, timeout, message=f"parent {parent_id} accountStatus {account_status}")

    def login(self, phone, password, expect=200):
        r = self.identity_client().post("/api/v1/auth/login", {"phoneNumber": phone, "password": password})
        if r.status != expect:
            raise AssertionError(f"login of {phone}: expected {expect}, got {r!r}")
        return r.json

    def admin_token(self, phone=None, password=None):
        phone = phone or self.admin_phone
        if phone not in self._admin_tokens:
            self._admin_tokens[phone] = self.login(phone, password or self.admin_password)["accessToken"]
        return self._admin_tokens[phone]

    def create_teacher(self, token=None, **fields):
        """POSTs a teacher (a fresh phone unless given); asserts 201 and returns the teacher."""
        body = {"fullName": "Nguyễn Văn An", "phoneNumber": unique_phone()}
        body.update(fields)
        r = self.teacher_client(token or self.admin_token()).post("/api/v1/teachers", body)
        if r.status != 201:
            raise AssertionError(f"create teacher: expected 201, got {r!r}")
        return r.json

    def find_user(self, phone, token=None):
        """Identity's user with this phone, or None while there is none (404)."""
        r = self.identity_client(token or self.admin_token()).get("/api/v1/users", query={"phoneNumber": phone})
        if r.status == 404:
            return None
        if r.status != 200:
            raise AssertionError(f"GET /api/v1/users?phoneNumber={phone}: {r!r}")
        return r.json

    def wait_user(self, phone, timeout=EVENT_TIMEOUT, status=None, token=None):
        def found():
            user = self.find_user(phone, token)
            if user and (status is None or user["status"] == status):
                return user
            return None
        return eventually(found, timeout, message=f"user {phone}" + (f" in status {status}" if status else ""))

    def get_teacher(self, teacher_id, token=None):
        return self.teacher_client(token or self.admin_token()).get(f"/api/v1/teachers/{teacher_id}")

    def wait_account_status(self, teacher_id, account_status, timeout=EVENT_TIMEOUT, token=None):
        def check():
            r = self.get_teacher(teacher_id, token)
            assert r.status == 200, r
            return r.json if r.json.get("accountStatus") == account_status else None
        return eventually(check, timeout, message=f"teacher {teacher_id} accountStatus {account_status}")

    def set_password(self, phone, code, password):
        """POST /api/v1/auth/set-password with an activation or reset code; returns the answer."""
        return self.identity_client().post("/api/v1/auth/set-password", {
            "phoneNumber": phone, "activationCode": code, "newPassword": password})

    def activate(self, phone, password, token=None):
        """Waits for the user, issues a code as admin, sets the password; returns the user."""
        user = self.wait_user(phone, token=token)
        identity = self.identity_client(token or self.admin_token())
        r = identity.post(f"/api/v1/users/{user['id']}/activation-code")
        if r.status != 201:
            raise AssertionError(f"activation code for {phone}: {r!r}")
        r = self.set_password(phone, r.json["activationCode"], password)
        if r.status != 204:
            raise AssertionError(f"set-password for {phone}: {r!r}")
        return user


class SystemTestCase(unittest.TestCase):
    """A test class sharing one running System; logs are dumped when a test fails."""

    system_options = {}
    system = None

    @classmethod
    def setUpClass(cls):
        cls.system = System(cls.__name__, **cls.system_options).start()

    @classmethod
    def tearDownClass(cls):
        if cls.system is not None:
            cls.system.stop()

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > before and self.system is not None:
            self.system.dump_logs()
        return outcome

    @property
    def admin(self):
        return self.system.teacher_client(self.system.admin_token())

    @property
    def identity_admin(self):
        return self.system.identity_client(self.system.admin_token())

    def assertProblem(self, r, status, field=None):
        """Asserts an RFC 7807 answer with this status (and, if given, an error for this field)."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.content_type, "application/problem+json", r)
        self.assertIsInstance(r.json, dict, r)
        self.assertEqual(r.json.get("status"), status, r)
        self.assertIn("title", r.json, r)
        if field is not None:
            self.assertIn(field, r.json.get("errors") or {}, r)
