"""From SQLite to PostgreSQL: a deployment that ran on SQLite files is moved
with `<service> import-sqlite FILE` and goes on where it stopped: its
teachers, users and their link, a live activation code, and new teachers
onboarded on PostgreSQL. Runs in the PostgreSQL pass only."""

import os
import subprocess
import unittest

from emis_harness import POSTGRES_DIR, System, fresh_postgres_database


@unittest.skipUnless(POSTGRES_DIR, "moves data into the PostgreSQL fixture")
class SqliteImportTest(unittest.TestCase):

    def test_a_sqlite_deployment_goes_on_on_postgresql(self):
        system = System("import")
        self.addCleanup(system.stop, check=False)
        files = {svc.name: os.path.join(svc.data_dir, f"{svc.name}.db") for svc in system.services}
        for svc in system.services:
            svc.env["EMIS_DB"] = files[svc.name]  # SQLite first
        system.start()
        teacher = system.create_teacher()
        user = system.wait_user(teacher["phoneNumber"])
        system.wait_account_status(teacher["id"], "PendingActivation")
        code = system.identity_client(system.admin_token()).post(f"/api/v1/users/{user['id']}/activation-code")
        self.assertEqual(code.status, 201, code)
        for svc in (system.teacher, system.identity):
            self.assertEqual(svc.terminate()[0], 0)

        for svc in system.services:
            svc.env["EMIS_DB"] = fresh_postgres_database(svc.name)
            out = subprocess.run([svc.binary, "import-sqlite", files[svc.name], "--config", svc.config],
                                 env=dict(svc.env, EMIS_DATA_DIR=svc.data_dir), stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertIn("outbox:", out.stdout)
            # A second import finds the rows there and writes nothing.
            again = subprocess.run([svc.binary, "import-sqlite", files[svc.name], "--config", svc.config],
                                   env=dict(svc.env, EMIS_DATA_DIR=svc.data_dir), stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=120)
            self.assertEqual(again.returncode, 1, again.stdout + again.stderr)

        system.start()  # now on PostgreSQL
        moved = system.get_teacher(teacher["id"])
        self.assertEqual(moved.status, 200, moved)
        self.assertEqual((moved.json["accountStatus"], moved.json["userId"]), ("PendingActivation", user["id"]))
        r = system.identity_client().post("/api/v1/auth/set-password", {
            "phoneNumber": teacher["phoneNumber"], "activationCode": code.json["activationCode"],
            "newPassword": "Moved-Passw0rd!"})
        self.assertEqual(r.status, 204, r)
        system.wait_account_status(teacher["id"], "Active")
        newcomer = system.create_teacher()
        system.wait_user(newcomer["phoneNumber"])
        system.wait_account_status(newcomer["id"], "PendingActivation")


if __name__ == "__main__":
    unittest.main()
