"""The local stack's sign-in (infra/local/tokens.py): staff tokens carry the clinic and the role as claims, an
unknown clinic or a child's policy gets no token."""
from __future__ import annotations

import json

import pytest

from infra.local import tokens

PATIENTS = json.loads(tokens.PATIENTS.read_text(encoding="utf-8"))


def test_staff_tokens_carry_clinic_and_role() -> None:
    claims = tokens.verify("Bearer " + tokens.issue({"staff": True, "clinicId": "cl0101", "role": "receptionist"}))
    assert (claims["clinic_id"], claims["staff_role"]) == ("cl0101", "receptionist")
    assert tokens.verify("Bearer " + tokens.issue({"staff": True, "clinicId": "cl0101"}))["staff_role"] == "head"
    city = tokens.verify("Bearer " + tokens.issue({"staff": True}))
    assert (city["clinic_id"], city["staff_role"]) == ("city", "city")


def test_an_unknown_clinic_gets_no_token() -> None:
    with pytest.raises(tokens.TokenError) as refused:
        tokens.issue({"staff": True, "clinicId": "cl9999", "role": "head"})
    assert (refused.value.status, refused.value.code) == (400, "unknown_clinic")


def test_a_child_signs_in_through_a_representative() -> None:
    """A child has no account (nor email): the token is refused with a clear message; the parent's works."""
    child = next(p for p in PATIENTS if p.get("representatives"))
    with pytest.raises(tokens.TokenError) as refused:
        tokens.issue({"policyNumber": child["policyNumber"]})
    assert "representative" in refused.value.text("en")
    parent = tokens.verify("Bearer " + tokens.issue({"policyNumber": child["representatives"][0]}))
    assert parent["oms_policy_number"] == child["representatives"][0]


def test_the_local_server_imports_no_shared_logger() -> None:
    """The stack's workers are spawned: each re-imports infra.local.server before it points its output at the
    function's log file, so a module the server imports must not make shared's Logger (a worker's JSON logs went
    to the console once, when this module imported the demo data at the top)."""
    import subprocess
    import sys

    from infra.template import ROOT

    found = subprocess.run([sys.executable, "-c", "import sys, infra.local.server; "
                            "print(sorted(m for m in sys.modules if m.startswith('shared.')))"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "shared.platform.observability" not in found, found
