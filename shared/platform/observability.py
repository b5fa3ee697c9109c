"""Logger and metrics, created once. JSON logs carry a correlation id and never personal data:
log codes, ids of slots and appointments, counts - never names, birth dates, policies or emails."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics  # lazy: most routes never publish one

logger = Logger(utc=True)


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    """Metrics (EMF) are imported on first use: most routes never publish one."""
    from aws_lambda_powertools import Metrics  # lazy: most routes never publish one

    return Metrics()
