"""The compat suite: real third-party gorzdrav clients, unchanged, against the local stack (`make run`).

The client is found through GORZDRAV_CLIENT_DIR (default: ../shared/compat/vispar-tech beside the
repository, when it exists) and put on sys.path; the project never copies it. Missing, the tests skip with
how to get one, except under CI=true where that is a failure.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CLIENT = ROOT.parent / "shared" / "compat" / "vispar-tech"
ARTIFACTS = ROOT / "test-artifacts" / "compat"
HOW_TO_GET = ("get vispar-tech/gorzdrav_autoappointments (MIT) at commit d29b435a817ea2de6b4838189c3baf5d2f8a1387 "
              "and set GORZDRAV_CLIENT_DIR to the folder holding its bot/ package")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def client_dir() -> Path | None:
    configured = os.environ.get("GORZDRAV_CLIENT_DIR")
    folder = Path(configured) if configured else DEFAULT_CLIENT
    return folder if (folder / "bot" / "api" / "client.py").exists() else None


@pytest.fixture(scope="session")
def gorzdrav_client() -> Path:
    """The vendored client's folder, already on sys.path (`import bot.api.client`)."""
    folder = client_dir()
    if folder is None:
        message = f"the gorzdrav client is missing: {HOW_TO_GET}"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def local_stack() -> Iterator[str]:
    """`python -m infra.local.server` (what `make run` starts) on free ports; its base URL."""
    port, ddb_port = _free_port(), _free_port()
    env = dict(os.environ, PORT=str(port), DYNAMODB_PORT=str(ddb_port), LOCAL_ACCESS_LOG="0", LOCAL_WORKERS="2",
               LOCAL_PERSIST="0")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "stack.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "infra.local.server"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            if proc.poll() is not None:
                message = f"the local stack exited with {proc.returncode}; see {ARTIFACTS / 'stack.log'}"
                # Only a missing DynamoDB Local (Java, npm) may skip, and never under CI=true.
                if "make run: " in (ARTIFACTS / "stack.log").read_text() and not _in_ci():
                    pytest.skip(message)
                pytest.fail(message, pytrace=False)
            try:
                with urllib.request.urlopen(f"{base}/_api/api/v2/shared/districts", timeout=5) as res:
                    if res.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("the local stack did not answer within 900 s (seeding is slow on a busy machine)",
                            pytrace=False)
            time.sleep(1)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
