"""The "local start" row: seconds from starting the local stack (python -m infra.local.server, as `make run`
does once installed) until GET /v1/districts answers 200, first with no kept table (the demo load), then
again with the table kept by the first run (the everyday start). Own ports and own table directory."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra import ddb_local
from infra.template import ROOT


def _start(env: dict[str, str], port: int) -> tuple[float, subprocess.Popen[bytes]]:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "infra.local.server"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and time.monotonic() - started < 900:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/districts", timeout=5) as res:
                if res.status == 200:
                    return time.monotonic() - started, proc
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError("the local stack did not answer /v1/districts")


def _stop(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    return time.monotonic() - started


def run(log: Callable[[str], None]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zapis-bench-tables-") as tables:
        port = ddb_local.free_port()
        env = dict(os.environ, PORT=str(port), DYNAMODB_PORT=str(ddb_local.free_port()),
                   MOTO_PORT=str(ddb_local.free_port()), LOCAL_TABLES_DIR=tables, LOCAL_ACCESS_LOG="0",
                   LOCAL_STATE_DIR=str(Path(tables) / "state"))  # never the state file `make invoke` reads
        first, proc = _start(env, port)
        log(f"local start, no kept table: {first:.1f} s")
        time.sleep(2)
        stop_seconds = _stop(proc)
        second, proc = _start(env, port)
        log(f"local start, kept table: {second:.1f} s")
        _stop(proc)
    return {"first_seconds": round(first, 1), "second_seconds": round(second, 1),
            "stop_seconds": round(stop_seconds, 1)}
