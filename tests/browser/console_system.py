"""The console as a process beside an e2e System, and a headless Chromium.

The console consumes the System's topics (same prefix) in a consumer group of
its own and calls the System's services; everything on free ports. The
browser is Debian's chromium through Playwright (never a downloaded one).

Environment (set by CTest): as emis_harness, plus EMIS_CONSOLE_BIN and
EMIS_SCREENSHOT_DIR (where each test leaves its screenshots).
"""

import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from emis_harness import SOURCE_DIR, Service, System, SystemTestCase  # noqa: E402

CHROMIUM = os.environ.get("EMIS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = os.environ.get("EMIS_SCREENSHOT_DIR") or os.path.join(SOURCE_DIR, "build", "screenshots")


class ConsoleService(Service):
    """The console binary, configured to follow `system`."""

    def __init__(self, system):
        env = dict(system.teacher.env)
        env.update({
            "EMIS_KAFKA_GROUP_ID": f"console-consumer.{uuid.uuid4().hex[:10]}",
            "EMIS_TEACHER_URL": system.teacher.url,
            "EMIS_IDENTITY_URL": system.identity.url,
            "EMIS_WATCHED_GROUPS": ",".join(svc.env["EMIS_KAFKA_GROUP_ID"] for svc in system.services),
            # Only this system's instances: never a default port another run may hold.
            "EMIS_COMPONENT_URLS": ",".join(f"{svc.name}-service={svc.url}" for svc in system.services),
        })
        if system.student is not None:
            env["EMIS_STUDENT_URL"] = system.student.url
        env.pop("EMIS_DB", None)  # its own SQLite read model in its data dir
        env.pop("EMIS_JWKS_URL", None)
        super().__init__("console", os.path.join(system.root, "console"), env)
        self.config = os.path.join(SOURCE_DIR, "deploy", "config", "console.json")


class ConsoleTestCase(SystemTestCase):
    """A System, a console in front of it and a browser, shared by a class's tests."""

    console = None
    playwright = None
    browser = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.console = ConsoleService(cls.system)
            cls.console.start()
            cls.console.wait_ready()
            from playwright.sync_api import sync_playwright
            cls.playwright = sync_playwright().start()
            # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
            cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                         args=["--no-sandbox"])
        except BaseException:
            cls.tearDownClass()
            raise
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        if cls.browser is not None:
            cls.browser.close()
        if cls.playwright is not None:
            cls.playwright.stop()
        if cls.console is not None:
            rc, _ = cls.console.terminate()
            if rc not in (0, None):
                sys.stderr.write(cls.console.log_tail())
        super().tearDownClass()

    def new_page(self, width=1280, height=800):
        context = self.browser.new_context(viewport={"width": width, "height": height})
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    def screenshot(self, page, name, full_page=True):
        """Saves the page as SCREENSHOT_DIR/<test class>.<name>.png."""
        path = os.path.join(SCREENSHOT_DIR, f"{type(self).__name__}.{name}.png")
        page.screenshot(path=path, full_page=full_page)
        return path

    def sign_in(self, page, phone=None, password=None, landing="Teachers"):
        page.goto(self.console.url + "/")
        form = page.locator("#sign-in")
        form.get_by_label("Phone number").fill(phone or self.system.admin_phone)
        form.get_by_label("Password").fill(password or self.system.admin_password)
        form.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name=landing).wait_for()
