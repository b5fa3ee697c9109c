"""Run a function's handler as the Lambda runtime would: import functions/<name>/app.py once per process as
its own module, and pass a context with the attributes Powertools reads. Used by the local stack,
`make invoke`, the tests and the benchmarks."""
from __future__ import annotations

import functools
import importlib.util
import sys
import time
import uuid
from types import ModuleType

from infra.template import ROOT


class Context:
    """What Lambda passes as `context`."""

    def __init__(self, function: str = "local", alias: str = "live", timeout_seconds: float | None = None) -> None:
        # The function's Timeout from template.yaml, counted from now (as Lambda counts from the invocation);
        # an unnamed function (tests) gets Lambda's maximum, so a slow test machine never runs out of budget.
        if timeout_seconds is None:
            timeout_seconds = _timeouts().get(function, 900.0)
        self._deadline = time.monotonic() + timeout_seconds
        self.function_name = f"zapis-{function}"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:eu-north-1:000000000000:function:zapis-{function}:{alias}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/zapis-{function}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@functools.cache
def _timeouts() -> dict[str, float]:
    from infra import template

    return {f["name"]: f["timeout"] for f in template.functions().values()}


def load_function(name: str) -> ModuleType:
    """functions/<name>/app.py as module `functions_<name>_app`, imported once per process."""
    module_name = f"functions_{name}_app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "functions" / name / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
