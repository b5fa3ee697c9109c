"""README's "Booking, step by step" is docs/booking-walk.sh, and the script runs against the local stack."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser  # it needs the local stack the browser suite starts
SCRIPT = ROOT / "docs" / "booking-walk.sh"


def test_readme_shows_the_script() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Booking, step by step", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "no bash block in the README's walk"
    lines = SCRIPT.read_text(encoding="utf-8").split("\n")
    body = "\n".join(lines[lines.index("set -euo pipefail") + 1:]).strip()
    assert block.group(1).strip() == body


def test_the_walk_runs(stack) -> None:
    done = subprocess.run(["bash", str(SCRIPT)], env=dict(os.environ, B=stack.base), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    statuses = re.findall(r"-> HTTP (\d{3})", out)
    # booked, the ticket by its link, the search, the history, both cancellations
    assert statuses == ["201", "200", "200", "200", "200", "200"], out
    appointment = re.search(r"the same appointment again: (\S+)", out)
    assert appointment and f'"id":"{appointment.group(1)}"' in out.replace(" ", "")
    assert out.count('"status":"cancelled"') >= 2, out
