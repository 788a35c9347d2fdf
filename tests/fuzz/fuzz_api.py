"""Property-based fuzzing of one service's HTTP API from its OpenAPI document.

Usage: fuzz_api.py teacher|identity|student

Starts identity-service and teacher-service (and student-service for
`student`) the way the end-to-end tests do (tests/e2e/emis_harness.py: fresh
data dirs, free ports, the CTest Kafka fixture), logs in as the bootstrap SchoolAdmin and runs Schemathesis (`st run`,
from the project's virtual environment made by `./emis deps`) against the
service with the document in docs/, every check on. Exits with st's code.

Environment: those of emis_harness, plus
  EMIS_FUZZ_EXAMPLES  test cases per operation (default 400: both services
                      within a few minutes on two cores)
  EMIS_FUZZ_SEED      Schemathesis seed (default fixed, so a failure in CI
                      reproduces; set another to explore)
  EMIS_FUZZ_ST        the `st` executable (default SOURCE/.venv/bin/st)
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import emis_harness  # noqa: E402  (found through the path above)

# Checks that cannot apply, each with its reason. Everything else runs.
EXCLUDED_CHECKS = {
    # Generated "valid" phone numbers are strings of digits that JSON Schema
    # cannot tell from real numbers: validity is libphonenumber's numbering
    # plan (region VN by default), which no pattern can express, so a
    # schema-valid but unassigned number is rightly answered 400.
    "positive_data_acceptance": "phone number validity is libphonenumber's, not expressible in JSON Schema",
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("teacher", "identity", "student"):
        sys.exit(__doc__)
    name = sys.argv[1]
    st = os.environ.get("EMIS_FUZZ_ST") or os.path.join(emis_harness.SOURCE_DIR, ".venv", "bin", "st")
    if not os.access(st, os.X_OK):
        sys.exit(f"fuzz_api: {st} not found; `./emis deps` installs Schemathesis into .venv/")
    document = os.path.join(emis_harness.SOURCE_DIR, "docs", f"{name}-api.openapi.json")

    system = emis_harness.System(f"fuzz-{name}", student=name == "student").start()
    ok = False
    try:
        service = getattr(system, name)
        token = system.admin_token()
        for check, reason in EXCLUDED_CHECKS.items():
            print(f"fuzz_api: excluding check {check}: {reason}", flush=True)
        command = [
            st, "--config-file", os.path.join(HERE, "schemathesis.toml"), "run", document,
            "--url", service.url,
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all",
            "--exclude-checks", ",".join(EXCLUDED_CHECKS),
            "--max-examples", os.environ.get("EMIS_FUZZ_EXAMPLES", "400"),
            "--seed", os.environ.get("EMIS_FUZZ_SEED", "20261201"),
            # One worker: hypothesis parses lambdas' source with ast, which in
            # Debian's Python 3.11.2 fails from concurrent threads ("AST
            # constructor recursion depth mismatch", CPython gh-106905).
            "--workers", "1",
            "--request-timeout", "10",
            "--no-color",
        ]
        started = time.monotonic()
        env = dict(os.environ, SCHEMATHESIS_TELEMETRY="false", NO_COLOR="1")
        rc = subprocess.run(command, stdin=subprocess.DEVNULL, env=env, cwd=system.root).returncode
        print(f"fuzz_api: {name} fuzzed in {time.monotonic() - started:.1f}s, st exit code {rc}", flush=True)
        ok = rc == 0
    finally:
        if not ok:
            system.dump_logs()
        system.stop(check=ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
