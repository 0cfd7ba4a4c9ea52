"""The gateway's whole contract, fuzzed: schemathesis generates requests from `openapi/`
(valid and invalid, property-based, with a fixed seed) and sends them over HTTP to a stack of
real processes with a database of its own, signed in as the province-wide administrator. No
request may get a 5xx, and every answer must be a status the contract documents, with the
content type and the schema it documents. (It found a 500 on Excel export of text with control
characters and one on out-of-range dead-letter ids.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import demo_database, sign_in, whole_stack

pytestmark = pytest.mark.e2e

SEED = "20261122"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The feeds' long poll holds a request for up to 30 s by design.
LONG_POLL = r"^/internal/v1/[a-z]+/events$"


def schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is not installed (it is a dev dependency: make install)")
    return [found]


def test_no_request_gets_a_server_error_or_an_undocumented_answer(pg_server: str,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    logs = tmp_path_factory.mktemp("fuzz-logs")
    with demo_database(pg_server, f"anju_fuzz_{os.getpid()}") as url, whole_stack(url, logs) as urls:
        token = sign_in(urls["gateway"], "admin")
        done = subprocess.run(
            [*schemathesis(), "run", f"{urls['gateway']}/openapi.json", "--header", f"Authorization: Bearer {token}",
             "--checks", CHECKS, "--max-examples", "5", "--seed", SEED, "--generation-deterministic",
             "--exclude-path-regex", LONG_POLL, "--phases", "examples,coverage,fuzzing", "--workers", "1",
             "--request-timeout", "20", "--no-color"],
            capture_output=True, text=True, timeout=900, check=False, cwd=logs)
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
