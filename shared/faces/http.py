"""Powertools' HTTP API resolver, imported without the rest of its `event_handler` package.

`aws_lambda_powertools/event_handler/__init__.py` imports every resolver it has (AppSync and AppSync
events, which import asyncio; Bedrock agents; VPC Lattice; ...): ~30 ms of a cold start that an HTTP API
function never uses, and importing any submodule (`event_handler.api_gateway`) runs that `__init__` first.
So, before the first import, the package is registered from its spec *without* running its `__init__`;
submodules import as usual, and the package's own names (`event_handler.AppSyncResolver`, ...) are still
there: asking for one runs the real `__init__` then, once. Powertools' validation, routing and middlewares
are the same objects either way (tests/unit/test_cold_start_imports.py keeps the import graph honest).

Functions import the resolver, `Response` and the parameter markers from here, never from the package.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

_PACKAGE = "aws_lambda_powertools.event_handler"


def _register_lean_package() -> None:
    if _PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 module attribute hook
        if name.startswith("__"):
            raise AttributeError(name)
        if importlib.util.find_spec(f"{_PACKAGE}.{name}") is not None:
            return importlib.import_module(f"{_PACKAGE}.{name}")  # a submodule: the import system sets it
        # One of the package's own names: run the real __init__ now (once), then answer from it.
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        return getattr(module, name)

    module.__dict__["__getattr__"] = __getattr__
    sys.modules[_PACKAGE] = module


_register_lean_package()

from aws_lambda_powertools.event_handler import api_gateway, content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response  # noqa: E402

# The names the package's __init__ takes from api_gateway, for Powertools' own modules that import them
# from the package (openapi.params imports `Response`); setdefault: the real __init__ may have run.
for _name in ("ALBResolver", "APIGatewayHttpResolver", "ApiGatewayResolver", "APIGatewayRestResolver", "CORSConfig",
              "Response"):
    sys.modules[_PACKAGE].__dict__.setdefault(_name, getattr(api_gateway, _name))

from aws_lambda_powertools.event_handler.openapi.exceptions import (  # noqa: E402
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header, Query  # noqa: E402

__all__ = ["APIGatewayHttpResolver", "Header", "Query", "RequestUnsupportedContentType", "RequestValidationError",
           "Response", "content_types"]
