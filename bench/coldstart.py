"""Cold start: a fresh Python process imports a function's handler and serves its first sample event,
against the floor measured in the same run (a fresh process that imports boto3 and makes the DynamoDB
client). Each repetition spawns new processes, floor and functions interleaved; the medians are compared.

Before each repetition the table is put back so the sample event does its real work (the booking books,
the cancellation cancels a real appointment, the sweeper finds expired holds).

Also (issue 27) the init of every function under functions/: a fresh process that imports the handler and
makes the DynamoDB client, paired run by run with a fresh floor process (`init_vs_floor`). That part needs no
table: `python -m bench.coldstart` runs it alone (`--quick` for a fast check); `make bench` runs it in its
cold_start section.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common

FLOOR_CODE = "import boto3\nboto3.client('dynamodb')\n"
# The brief's floor for an HTTP function (1.53x the bare boto3 process when it was set): boto3's client,
# Powertools' HTTP resolver (with validation) and Logger, one pydantic model. An HTTP function cannot start
# below it; its aim is <= 1.1x of it.
HTTP_FLOOR_CODE = """
import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel
class Probe(BaseModel):
    a: int
    b: str | None = None
APP = APIGatewayHttpResolver(enable_validation=True)
LOGGER = Logger()
boto3.client("dynamodb")
"""
HTTP_FLOOR_TARGET = 1.1

# Runs in the fresh process: the clock frozen at the sample events' instant, the handler imported as the
# Lambda runtime imports it, then one event. Prints the in-process split (import, first event).
FUNCTION_CODE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import shared.platform.clock as _clock
_clock.now = lambda: {now}
import importlib.util, json
spec = importlib.util.spec_from_file_location("app", {path!r})
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
t1 = time.perf_counter()
class Context:
    function_name = "zapis-{name}"; function_version = "1"; memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-north-1:000000000000:function:zapis-{name}:live"
    aws_request_id = "cold"; log_group_name = "/aws/lambda/zapis-{name}"; log_stream_name = "cold"
    def get_remaining_time_in_millis(self): return 10000
with open({event!r}, encoding="utf-8") as f:
    event = json.load(f)
if {restored!r}:
    # SnapStart's snapshot is taken after init: imports done and, as init may, the client made. What a
    # restored instance then pays before answering is the after-restore hook and the first event.
    from shared.platform import dal
    dal.client()
    t1 = time.perf_counter()
    dal.reset_client()
response = app.handler(event, Context())
t2 = time.perf_counter()
status = response.get("statusCode", 200) if isinstance(response, dict) else 200
print(json.dumps({{"status": status, "import": t1 - t0, "first": t2 - t1}}))
"""

API_FUNCTIONS = ["lookup", "booking", "cancellation", "history", "registry"]
# function -> sample event (relative to events/)
SAMPLES = {
    "lookup": "lookup/doctor_slots.json",
    "booking": "booking/book_anonymous.json",
    "cancellation": "cancellation/cancel_anonymous.json",
    "history": "history/history.json",
    "sweeper": "sweeper/scheduled.json",
    "notifier": "notifier/ticket_insert.json",
}


def functions() -> dict[str, str]:
    """The functions present now, with the sample event each is started with."""
    found = dict(SAMPLES)
    registry_events = sorted((common.EVENTS / "registry").glob("*.json"))
    if registry_events:
        found["registry"] = str(registry_events[0].relative_to(common.EVENTS))
    return {n: e for n, e in found.items() if (common.ROOT / "functions" / n / "app.py").exists()
            and (common.EVENTS / e).exists()}


def _run(code: str, env: dict[str, str]) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, CPU seconds of the process, what it printed). CPU time (user + system) is what the
    code costs; wall time also counts the neighbours on a shared machine."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=err,  # noqa: S603
                                cwd=common.ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"cold start failed: {stderr.strip().splitlines()[-1:]}")
    last = stdout.strip().splitlines()[-1:] or ["{}"]
    try:
        printed = json.loads(last[0])
    except ValueError:
        printed = {}
    return wall, usage.ru_utime + usage.ru_stime, printed


# ---------------------------------------------------------------- putting the table back
class Preparer:
    """Per function, what makes its sample event do its real work in the next fresh process."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.counter = 0

    def path_for(self, name: str, ev: dict[str, Any]) -> str:
        path = self.workdir / f"{name}.json"
        path.write_text(json.dumps(ev, ensure_ascii=False), encoding="utf-8")
        return str(path)

    def prepare(self, name: str, relative: str) -> str:
        _restore_register()  # the registry's sample moves a demo patient to another clinic
        ev = common.event(relative)
        if name == "booking":
            _reset_booking(ev)
        elif name == "cancellation":
            ev = _real_appointment_for(ev, self)
        elif name == "sweeper":
            _expired_holds(2, self)
        elif name == "registry":
            _forget_attachment_events(ev)
        return self.path_for(name, ev)


def _restore_register() -> None:
    from infra.demo import data
    from shared.platform import dal

    dal.batch_write(data.register_items([p for p in data.patients() if p["clinicId"] in common.CLINICS]))


def _forget_attachment_events(ev: dict[str, Any]) -> None:
    """The register's change history of the sample's patient: keyed by the (frozen) time, it would collide."""
    from shared.patients import policy
    from shared.platform import dal, keys

    p = json.loads(ev["body"])["patient"]
    pk = keys.policy_pk(policy.policy_hash(p["policyNumber"], p.get("policySeries")))
    for item in dal.query_all("PK = :pk", {":pk": pk}, consistent=True):
        if item.get("entity") == "attachmentEvent":
            dal.client().delete_item(TableName=dal.table(), Key=keys.key(item["PK"], item["SK"]))


def _reset_booking(ev: dict[str, Any]) -> None:
    """The sample booking's slot free again, its idempotency record and specialty lock gone."""
    from shared.patients import callers, policy

    # A fresh Idempotency-Key each round: with the clock frozen, the same key would make every round a
    from shared.platform import dal, keys
    # replay (and any request token derived from it would be refused as reused with other parameters).
    ev["headers"]["idempotency-key"] = f"bench-cold-{time.time_ns()}"
    body = json.loads(ev["body"])
    p = body["patient"]
    patient = callers.anonymous(p["policyNumber"], p.get("policySeries"), p["lastName"], p["birthDate"])
    client = dal.client()
    table = dal.table()
    client.delete_item(TableName=table, Key=keys.idempotency_key(patient.policy_hash,
                                                                 ev["headers"]["idempotency-key"]))
    slot_key = keys.slot_key(body["slotId"])
    assert slot_key
    slot = dal.get(slot_key, consistent=True) or {}
    doctor = dal.get(keys.key(keys.doctor_pk(slot["doctorId"]), keys.PROFILE)) or {}
    client.delete_item(TableName=table, Key=keys.key(keys.policy_pk(policy.policy_hash(p["policyNumber"],
                                                                                     p.get("policySeries"))),
                                                     keys.specialty_lock_sk(doctor["specialtyId"])))
    _free(slot)


def _free(slot: dict[str, Any]) -> None:
    from shared.domain import slots
    from shared.platform import dal

    free = {k: v for k, v in slot.items() if k not in {"holdId", "holdExpiresAt", "HoldPK", "HoldSK",
                                                       "appointmentId"}}
    free["status"] = slots.FREE
    dal.put(free | slots.availability_keys(free))


def _real_appointment_for(ev: dict[str, Any], prep: Preparer) -> dict[str, Any]:
    """Book, for the sample's patient, a surgeon's slot (not the therapist the booking sample takes) and
    aim the sample event at that appointment (the file names a placeholder id)."""
    policy_number = json.loads(ev["body"])["policyNumber"]
    appointment_id = _book_for(policy_number, "cl0101-d04", prep)
    old = ev["pathParameters"]["appointmentId"]
    ev["pathParameters"]["appointmentId"] = appointment_id
    ev["rawPath"] = ev["rawPath"].replace(old, appointment_id)
    ev["requestContext"]["http"]["path"] = ev["requestContext"]["http"]["path"].replace(old, appointment_id)
    return ev


def _book_for(policy_number: str, doctor_id: str, prep: Preparer) -> str:
    from infra.demo import data
    from shared.booking import bookings as booking
    from shared.domain import slots
    from shared.faces import auth
    from shared.faces.people import PatientIn
    from shared.platform import dal, keys

    person = next(p for p in data.patients() if p["policyNumber"] == policy_number)
    now = common.FROZEN_NOW
    found, _ = dal.query("PK = :pk AND begins_with(SK, :s)", {":pk": keys.doctor_pk(doctor_id), ":s": "SLOT#",
                                                                ":free": slots.FREE},
                         filter_expression="#st = :free", names={"#st": "status"}, consistent=True)
    slot = next(s for s in found if slots.in_booking_window(int(s["start"]), now))
    patient = auth.patient(PatientIn(**{k: v for k, v in person.items() if k != "clinicId"}))
    prep.counter += 1
    outcome = booking.book(booking.Request(slot["slotId"], None, patient, f"bench-{time.time_ns()}-{prep.counter}",
                           "bench", "ru"))
    if outcome.status != 201:
        raise RuntimeError(f"could not book for the cancellation sample: {outcome.body}")
    return str(outcome.body["appointment"]["id"])


def _expired_holds(count: int, prep: Preparer) -> None:
    """`count` holds made one hold-length ago, so they have expired now, each by its own made-up patient
    (a hold is bound to a patient, one at a time)."""
    from infra.demo import data
    from shared.booking import holds
    from shared.domain import slots
    from shared.patients import callers
    from shared.platform import dal, keys

    holders = [{"lastName": "Замерова", "birthDate": "1970-01-01", "policyNumber": f"96{n:014d}",
                "policySeries": None, "clinicId": "cl0102"} for n in range(count)]
    for item in data.register_items(holders):
        dal.put(item)

    found, _ = dal.query("PK = :pk AND begins_with(SK, :s)", {":pk": keys.doctor_pk("cl0102-d05"), ":s": "SLOT#",
                                                                ":free": slots.FREE},
                         filter_expression="#st = :free", names={"#st": "status"}, consistent=True)
    common.set_clock(common.FROZEN_NOW - 400)
    try:
        taken = 0
        for s in found:
            if taken == count:
                break
            if slots.in_booking_window(int(s["start"]), common.FROZEN_NOW - 400):
                who = holders[taken]
                holds.create_hold(s["slotId"], callers.anonymous(who["policyNumber"], None, who["lastName"],
                                                                 who["birthDate"]))
                taken += 1
    finally:
        common.freeze_clock()


# ---------------------------------------------------------------- importtime
def import_profile(name: str, env: dict[str, str]) -> dict[str, float]:
    """`python -X importtime` of the handler module: cumulative ms per top-level package."""
    app_path = str(common.ROOT / "functions" / name / "app.py")
    code = (f"import sys\nsys.path.insert(0, {str(common.ROOT)!r})\nimport importlib.util\n"
            f"spec = importlib.util.spec_from_file_location('app', {app_path!r})\n"
            "m = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\n")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=120, cwd=common.ROOT)
    per_package: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        self_us, package = int(m.group(1)), m.group(4).split(".")[0]
        per_package[package] += self_us / 1000
    top = sorted(per_package.items(), key=lambda kv: -kv[1])[:8]
    return {k: round(v, 1) for k, v in top}


def process_env(endpoint: str) -> dict[str, str]:
    """What a fresh function process gets: this environment without Python's, pytest's and AWS's own
    variables (a developer's AWS_PROFILE is not the function's), and the functions' Lambda variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "AWS_"))}
    env.update(common.lambda_env(endpoint))
    return env


def run(reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    env = process_env(os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    notifier_env = _notifier_env()
    found = functions()
    if "notifier" in found and notifier_env is None:
        found.pop("notifier")
    floor: list[float] = []
    floor_cpu: list[float] = []
    walls: dict[str, list[float]] = defaultdict(list)
    cpus: dict[str, list[float]] = defaultdict(list)
    splits: dict[str, list[tuple[float, float]]] = defaultdict(list)
    statuses: dict[str, set[int]] = defaultdict(set)
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        prep = Preparer(Path(tmp))
        # One warm-up round (not counted): bytecode caches written, the OS page cache filled.
        for r in range(reps + 1):
            wall, cpu, _ = _run(FLOOR_CODE, env)
            if r:
                floor.append(wall)
                floor_cpu.append(cpu)
            for name, relative in found.items():
                path = prep.prepare(name, relative)
                code = FUNCTION_CODE.format(root=str(common.ROOT), now=common.FROZEN_NOW, name=name,
                                            path=str(common.ROOT / "functions" / name / "app.py"), event=path,
                                            restored=False)
                wall, cpu, inner = _run(code, env | (notifier_env or {}) if name == "notifier" else env)
                if r:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
                    splits[name].append((inner.get("import", 0.0), inner.get("first", 0.0)))
                    statuses[name].add(int(inner.get("status", 0)))
            log(f"cold start round {r}/{reps}" + (" (warm-up)" if not r else ""))
    floor_ms = common.median(floor) * 1000
    floor_cpu_ms = common.median(floor_cpu) * 1000
    out: dict[str, Any] = {"reps": reps, "floor_ms": round(floor_ms, 1), "floor_cpu_ms": round(floor_cpu_ms, 1),
                           "functions": {}}
    for name in found:
        median = common.median(walls[name]) * 1000
        median_cpu = common.median(cpus[name]) * 1000
        out["functions"][name] = {
            "event": found[name],
            "status": sorted(statuses[name]),
            "median_ms": round(median, 1),
            "ratio": round(median / floor_ms, 2),
            "median_cpu_ms": round(median_cpu, 1),
            "cpu_ratio": round(median_cpu / floor_cpu_ms, 2),
            "api": name in API_FUNCTIONS,
            "import_ms": round(common.median([s[0] for s in splits[name]]) * 1000, 1),
            "first_event_ms": round(common.median([s[1] for s in splits[name]]) * 1000, 1),
            "import_self_ms_by_package": import_profile(name, env),
        }
    out["framework_parts_cpu_ms"] = framework_parts(env)
    out["after_restore_first_event_ms"] = after_restore(found, env, log)
    out["init"] = init_vs_floor(all_functions(), reps, env, log, {"notifier": notifier_env or {}})
    return out


def after_restore(found: dict[str, str], env: dict[str, str], log: Callable[[str], None],
                  reps: int = 3) -> dict[str, float]:
    """An estimate of SnapStart's gain: the first event of a process whose init (imports, the client) was
    done before, with the after-restore hook run first. The restore itself (Firecracker loading the
    snapshot, typically a few hundred ms on AWS) cannot be measured here and is not included."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-snap-") as tmp:
        prep = Preparer(Path(tmp))
        for name, relative in found.items():
            if name not in API_FUNCTIONS:
                continue
            times = []
            for _ in range(reps):
                path = prep.prepare(name, relative)
                code = FUNCTION_CODE.format(root=str(common.ROOT), now=common.FROZEN_NOW, name=name,
                                            path=str(common.ROOT / "functions" / name / "app.py"), event=path,
                                            restored=True)
                times.append(_run(code, env)[2].get("first", 0.0))
            out[name] = round(common.median(times) * 1000, 1)
    log("after-restore first events measured")
    return out


# ---------------------------------------------------------------- init: the handler's import and its client
# Issue 27: what every new instance pays before its first event. The handler module imported as the Lambda
# runtime imports it, then the DynamoDB client made the way the code makes it (shared.platform.clients, through
# `dal.client()`), as tests/unit/test_cold_start_imports.py probes it. No event, no call: no table needed.
INIT_CODE = """
import sys
sys.path.insert(0, {root!r})
import importlib.util
spec = importlib.util.spec_from_file_location("app", {path!r})
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)
from shared.platform import dal
dal.client()
"""
INIT_TARGET = 1.3  # the goal: a function's init within 1.3x the floor's
QUICK_REPS = 3


def is_http(name: str) -> bool:
    """An API function (its handler serves routes through Powertools' resolver): its floor is the HTTP floor."""
    return "Resolver(" in (common.ROOT / "functions" / name / "app.py").read_text(encoding="utf-8")


def init_missed(init: dict[str, Any]) -> list[str]:
    """Functions over their aim: an HTTP function over HTTP_FLOOR_TARGET x the brief's HTTP floor, any other
    over INIT_TARGET x the bare boto3 process."""
    out = []
    for name, f in init["functions"].items():
        http = f.get("http_floor_cpu_ratio")
        if is_http(name) and http is not None:
            if http > init.get("http_target", HTTP_FLOOR_TARGET):
                out.append(f"{name} ({http}x the HTTP floor)")
        elif f["cpu_ratio"] > init["target"]:
            out.append(f"{name} ({f['cpu_ratio']}x bare boto3)")
    return out


def all_functions() -> list[str]:
    """Every function folder with a handler (functions/<name>/app.py)."""
    return sorted(p.parent.name for p in (common.ROOT / "functions").glob("*/app.py"))


def init_vs_floor(names: list[str], reps: int, env: dict[str, str], log: Callable[[str], None],
                  extra_env: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Per function, `reps` pairs of fresh processes: the floor (FLOOR_CODE) and the function's init
    (INIT_CODE), started one right after the other in the same environment, the order swapped from pair to
    pair and round to round (A/B, then B/A), so a neighbour's burst tends to hit both of a pair. The ratio is
    the median of the pairs' ratios, on CPU time (user + system) and on wall time. A first round (bytecode
    caches written, the page cache filled) is not counted."""
    # name -> [(floor wall, floor cpu, init wall, init cpu)]
    pairs: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    http_floor: list[float] = []  # CPU seconds of the brief's HTTP floor, one run per round and function
    for r in range(reps + 1):
        for i, name in enumerate(names):
            code = INIT_CODE.format(root=str(common.ROOT), path=str(common.ROOT / "functions" / name / "app.py"))
            pair_env = env | (extra_env or {}).get(name, {})
            order = ("floor", "init") if (r + i) % 2 == 0 else ("init", "floor")
            measured = {which: _run(FLOOR_CODE if which == "floor" else code, pair_env)[:2] for which in order}
            if r:
                pairs[name].append(measured["floor"] + measured["init"])
                http_floor.append(_run(HTTP_FLOOR_CODE, pair_env)[1])
        log(f"init round {r}/{reps}" + (" (warm-up)" if not r else ""))
    every_floor = [p for ps in pairs.values() for p in ps]
    out: dict[str, Any] = {
        "reps": reps, "target": INIT_TARGET,
        "floor_ms": round(common.median([p[0] for p in every_floor]) * 1000, 1),
        "floor_cpu_ms": round(common.median([p[1] for p in every_floor]) * 1000, 1),
        "http_floor_cpu_ms": round(common.median(http_floor) * 1000, 1), "http_target": HTTP_FLOOR_TARGET,
        "functions": {}}
    for name in names:
        ps = pairs[name]
        cpu_ratios = [p[3] / p[1] for p in ps]
        out["functions"][name] = {
            "median_ms": round(common.median([p[2] for p in ps]) * 1000, 1),
            "median_cpu_ms": round(common.median([p[3] for p in ps]) * 1000, 1),
            "paired_floor_cpu_ms": round(common.median([p[1] for p in ps]) * 1000, 1),
            "ratio": round(common.median([p[2] / p[0] for p in ps]), 2),
            "cpu_ratio": round(common.median(cpu_ratios), 2),
            "cpu_ratio_min_max": [round(min(cpu_ratios), 2), round(max(cpu_ratios), 2)],
            "http_floor_cpu_ratio": round(common.median([p[3] for p in ps]) / common.median(http_floor), 2),
        }
    return out


def init_rows(init: dict[str, Any]) -> list[str]:
    """The results table's rows of `init_vs_floor` (bench/results.md, README's table)."""
    pairs = f"{init['reps']} pair{'s' if init['reps'] != 1 else ''}"
    lines = [f"| cold init floor (fresh process: import boto3, make the client), run next to each function's, "
             f"{pairs} each, medians | {init['floor_cpu_ms']:.0f} ms CPU, {init['floor_ms']:.0f} ms wall | |"]
    if "http_floor_cpu_ms" in init:
        lines.append(f"| cold init HTTP floor (the brief's: boto3's client, Powertools' resolver and Logger, one "
                     f"pydantic model) | {init['http_floor_cpu_ms']:.0f} ms CPU | |")
    for name, f in init["functions"].items():
        http = (f"; {f['http_floor_cpu_ratio']}× the HTTP floor" if "http_floor_cpu_ratio" in f else "")
        lines.append(f"| cold init {name} (fresh process: import the handler, make the DynamoDB client) | "
                     f"{f['cpu_ratio']}× CPU ({f['median_cpu_ms']:.0f} ms), {f['ratio']}× wall{http} | "
                     f"≤ {init['target']}× floor; HTTP ≤ {init.get('http_target', HTTP_FLOOR_TARGET)}× HTTP floor |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """The init measure alone (no DynamoDB Local, no table): prints the rows and writes no results file."""
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=(
        "Cold init per function (import the handler, make the DynamoDB client) against the floor (import "
        "boto3, make the client), interleaved pairs of fresh processes, medians. Writes nothing: `make bench` "
        "puts the same measure into bench/results.json."))
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_REPS} rounds (also BENCH_COLD_QUICK=1), for a fast check")
    parser.add_argument("--reps", type=int, help="rounds after the warm-up (default BENCH_COLD_REPS or 5)")
    parser.add_argument("--functions", default="", help="a comma-separated subset (default: every function)")
    parser.add_argument("--json", action="store_true", help="print the measure as JSON too")
    args = parser.parse_args(argv)
    quick = args.quick or os.environ.get("BENCH_COLD_QUICK", "").lower() in {"1", "true", "yes"}
    reps = args.reps or (QUICK_REPS if quick else int(os.environ.get("BENCH_COLD_REPS") or 5))
    names = [n for n in args.functions.split(",") if n] or all_functions()
    unknown = set(names) - set(all_functions())
    if unknown:
        parser.error(f"no functions/<name>/app.py for {sorted(unknown)}")

    def log(message: str) -> None:
        print(f"[coldstart] {message}", file=sys.stderr, flush=True)

    load = os.getloadavg()[0]
    started = time.perf_counter()
    # The endpoint is never called (no event is served): any address will do.
    init = init_vs_floor(names, reps, process_env("http://127.0.0.1:8000"), log)
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at the end; "
          f"{time.perf_counter() - started:.0f} s\n")
    print("| measure | result | target |\n|---|---|---|")
    print("\n".join(init_rows(init)))
    missed = init_missed(init)
    print(f"\nwithin their aim (CPU; HTTP functions <= {HTTP_FLOOR_TARGET}x the HTTP floor, others <= "
          f"{init['target']}x bare boto3): {len(names) - len(missed)} of {len(names)}"
          + (f"; missed: {', '.join(missed)}" if missed else ""))
    if args.json:
        print(json.dumps(init, ensure_ascii=False, indent=2))
    return 0


PARTS = {
    "python itself": "pass",
    "import pydantic": "import pydantic\nfrom pydantic import BaseModel",
    "Powertools Logger": "from aws_lambda_powertools import Logger\nLogger()",
    "Powertools event handler": "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver",
    "event handler + OpenAPI validation params": (
        "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
        "from aws_lambda_powertools.event_handler.openapi.params import Query"),
    "shared.faces.v1.models (pydantic included)":
        "import sys\nsys.path.insert(0, {root!r})\nimport shared.faces.v1.models",
}


def framework_parts(env: dict[str, str], reps: int = 3) -> dict[str, float]:
    """CPU ms of a fresh process doing only this: where a handler's import time goes."""
    out = {}
    for label, code in PARTS.items():
        out[label] = round(common.median([_run(code.format(root=str(common.ROOT)), env)[1]
                                          for _ in range(reps)]) * 1000, 1)
    return out


def _notifier_env() -> dict[str, str] | None:
    """SES and SQS endpoints for the notifier (moto's server, as the local stack runs it), or None."""
    try:
        from infra import ddb_local
        from infra.local import outbox

        outbox.start(ddb_local.free_port())
        return dict(outbox.client_env())
    except Exception:  # noqa: BLE001 - the notifier is then left out, and the results say so
        return None


if __name__ == "__main__":
    sys.exit(main())
