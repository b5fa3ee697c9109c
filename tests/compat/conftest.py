"""The compat suite: real third-party gorzdrav clients, unchanged, against the local stack (`make run`).

The client is found through GORZDRAV_CLIENT_DIR (default: ../shared/compat/vispar-tech beside the
repository, when it exists) and put on sys.path; the project never copies it. Missing, the tests skip with
how to get one, except under CI=true where that is a failure.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import local_stack as support_local_stack

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



@pytest.fixture(scope="session")
def local_stack() -> Iterator[str]:
    """`python -m infra.local.server` (what `make run` starts) on free ports, a fresh table; its base URL."""
    with support_local_stack(ARTIFACTS / "stack.log", startup_seconds=900) as started:
        yield started.base
