"""`identity-service create-admin` never takes the password on the command line.

The command line of a process is visible to every user of the machine (ps,
/proc/PID/cmdline), so `--password` is refused with a clear message; the
password comes from standard input or EMIS_ADMIN_PASSWORD.
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from emis_harness import DEFAULT_TENANT, _clean_env, service_binary, service_config, unique_phone


class CreateAdminTest(unittest.TestCase):

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="emis-create-admin-")
        self.addCleanup(shutil.rmtree, self.data_dir, ignore_errors=True)

    def run_create_admin(self, *args, stdin="", env=None):
        full_env = _clean_env()
        full_env["EMIS_DATA_DIR"] = self.data_dir
        full_env.update(env or {})
        return subprocess.run([service_binary("identity"), "--config", service_config("identity"), "create-admin",
                               "--phone", unique_phone(), "--tenant", DEFAULT_TENANT, *args],
                              env=full_env, input=stdin, capture_output=True, text=True, timeout=60)

    def test_password_on_the_command_line_is_refused(self):
        out = self.run_create_admin("--password", "Visible-To-All-1")
        self.assertEqual(out.returncode, 2, out)
        self.assertIn("--password is not accepted", out.stderr)
        self.assertIn("EMIS_ADMIN_PASSWORD", out.stderr)

    def test_password_from_stdin(self):
        out = self.run_create_admin(stdin="From-Stdin-Pass1\n")
        self.assertEqual(out.returncode, 0, out)
        self.assertRegex(out.stdout.strip().splitlines()[-1], r"^[0-9a-f-]{36}$")  # the id is the last line

    def test_password_from_the_environment(self):
        out = self.run_create_admin(env={"EMIS_ADMIN_PASSWORD": "From-The-Env-Pass1"})
        self.assertEqual(out.returncode, 0, out)

    def test_no_password_is_an_error(self):
        out = self.run_create_admin()
        self.assertEqual(out.returncode, 1, out)
        self.assertIn("EMIS_ADMIN_PASSWORD", out.stderr)


if __name__ == "__main__":
    unittest.main()
