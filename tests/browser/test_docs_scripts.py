"""The docs' code blocks that talk to the local stack are scripts in docs/ (tests/unit/test_docs.py holds each block
to its script), and each script runs here against the local stack the browser suite starts."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser  # they need the local stack the browser suite starts
ROOT = Path(__file__).resolve().parents[2]
# In this order: the walks clean up after themselves (what they book they cancel), the staff walk works on a
# clinic of its own (cl1802), so the rest of the suite finds the demo as it was.
SCRIPTS = ("docs/try-the-api.sh", "docs/booking-walk.sh", "docs/fhir-walk.py", "docs/staff-walk.sh")


def run(stack: Any, script: str) -> str:
    command = [sys.executable if script.endswith(".py") else "bash", str(ROOT / script)]
    done = subprocess.run(command, env=dict(os.environ, B=stack.base), capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_first_look_runs(stack: Any) -> None:
    out = run(stack, "docs/try-the-api.sh")
    assert '"admiralteysky"' in out and '"window"' in out


def test_the_booking_walk_runs(stack: Any) -> None:
    out = run(stack, "docs/booking-walk.sh")
    statuses = re.findall(r"-> HTTP (\d{3})", out)
    # booked, the ticket by its link, the search, the history, both cancellations
    assert statuses == ["201", "200", "200", "200", "200", "200"], out
    appointment = re.search(r"the same appointment again: (\S+)", out)
    assert appointment and f'"id":"{appointment.group(1)}"' in out.replace(" ", "")
    assert out.count('"status":"cancelled"') >= 2, out


def test_the_fhir_walk_runs(stack: Any) -> None:
    booked, cancelled = run(stack, "docs/fhir-walk.py").split("\n")[:2]
    assert booked.endswith(" booked") and cancelled == booked.replace(" booked", " cancelled")


def test_the_staff_walk_runs(stack: Any) -> None:
    out = run(stack, "docs/staff-walk.sh")
    assert re.findall(r"-> HTTP (\d{3})", out) == ["200", "200", "200", "200", "200"], out
    assert '"id":"cl1802-d20"' in out.replace(" ", "") and '"dryRun":true' in out.replace(" ", "")
    assert '"action":"plan.publish"' in out.replace(" ", "") and '"action":"daylist.read"' in out.replace(" ", "")
