"""Cost per 1,000,000 bookings from what the benchmark measured: request units per operation, the handlers'
warm duration at the template's memory, and public AWS on-demand list prices (PRICES; docs/COST.md)."""
from __future__ import annotations

from typing import Any

# US East (N. Virginia) on-demand list prices, USD, as published on the AWS pricing pages (DynamoDB after
# the November 2024 on-demand reduction). Other regions differ by roughly 0-15 %.
PRICES = {
    "dynamodb_write_request_unit": 0.625 / 1e6,
    "dynamodb_read_request_unit": 0.125 / 1e6,
    "dynamodb_storage_gb_month": 0.25,
    "lambda_request": 0.20 / 1e6,
    "lambda_arm64_gb_second": 0.0000133334,
    "snapstart_python_cache_gb_second": 0.0000015046,
    "snapstart_python_restore_gb": 0.0001397998,
    "http_api_request": 1.00 / 1e6,
    "ses_email": 0.10 / 1000,
    "cloudwatch_logs_ingested_gb": 0.50,
}
MEMORY_GB = 1.0  # template.yaml Globals MemorySize 1024
LOG_BYTES_PER_INVOCATION = 1200  # platform START/END/REPORT lines plus one or two JSON log lines
APPOINTMENT_ITEM_KB = 2.5  # the ticket item; ByPatient projects ALL, so stored about twice
NOTIFIER_WRITE_UNITS = 2.0  # the send marker: one conditional UpdateItem before and one after SES


def per_million(results: dict[str, Any], cold_start_share: float = 0.01) -> dict[str, Any]:
    """One booking = look up a doctor's day, hold, book, email; the quiet case (no race) and the rush case
    (the rush's measured units per successful booking, losers included)."""
    ops = results["round_trips"]
    lookup = ops["lookup: a doctor's free slots (one day)"]
    hold = ops["hold"]
    book = ops["booking (with its hold)"]
    warm = results["warm"]
    lookup_ms = warm["lookup"]["handler_p50_ms"]
    book_ms = warm["booking"]["handler_p50_ms"]
    # Hold and notifier: one DynamoDB write each, about the look-up's duration (not measured separately).
    durations_ms = {"lookup": lookup_ms, "hold": lookup_ms, "booking": book_ms, "notifier": book_ms}

    def dollars(read_units: float, write_units: float, api_requests: int, invocations: dict[str, float]) -> dict:
        gb_s = sum(durations_ms[k] * n for k, n in invocations.items()) / 1000 * MEMORY_GB
        n_inv = sum(invocations.values())
        parts = {
            "DynamoDB reads": read_units * PRICES["dynamodb_read_request_unit"],
            "DynamoDB writes": (write_units + NOTIFIER_WRITE_UNITS) * PRICES["dynamodb_write_request_unit"],
            "Lambda requests": n_inv * PRICES["lambda_request"],
            "Lambda duration (arm64, 1 GB)": gb_s * PRICES["lambda_arm64_gb_second"],
            "SnapStart restores": n_inv * cold_start_share * MEMORY_GB * PRICES["snapstart_python_restore_gb"],
            "HTTP API requests": api_requests * PRICES["http_api_request"],
            "SES email": PRICES["ses_email"],
            "CloudWatch Logs": n_inv * LOG_BYTES_PER_INVOCATION / 1e9 * PRICES["cloudwatch_logs_ingested_gb"],
        }
        per_booking = sum(parts.values())
        return {"per_million_usd": {k: round(v * 1e6, 2) for k, v in parts.items()},
                "total_per_million_usd": round(per_booking * 1e6, 2),
                "read_units_per_booking": round(read_units, 2), "write_units_per_booking": round(write_units, 2)}

    quiet = dollars(lookup["read_units"] + hold["read_units"] + book["read_units"],
                    lookup["write_units"] + hold["write_units"] + book["write_units"],
                    3, {"lookup": 1, "hold": 1, "booking": 1, "notifier": 1})
    out: dict[str, Any] = {"prices_usd": PRICES, "memory_gb": MEMORY_GB, "cold_start_share": cold_start_share,
                           "durations_ms": durations_ms, "quiet": quiet}
    rush = results.get("rush")
    if rush and rush["proof"]["winners"]:
        winners = rush["proof"]["winners"]
        counts: dict[str, float] = {"lookup": 0, "hold": 0, "booking": 0}
        for label, n in rush["statuses"].items():
            kind = label.split()[0]
            counts["booking" if kind == "book" else kind] += n
        per = {k: v / winners for k, v in counts.items()}
        per["notifier"] = 1
        # Lost holds are refused conditional writes: DynamoDB bills them (1 WRU) but reports no capacity.
        lost_holds = sum(n for label, n in rush["statuses"].items() if label.startswith("hold 4"))
        out["rush"] = dollars(rush["units"]["read"] / winners, (rush["units"]["write"] + lost_holds) / winners,
                              round(sum(counts.values()) / winners), per)
        out["rush"]["api_requests_per_booking"] = round(sum(counts.values()) / winners, 1)
    # Storage: a season's tickets, kept three years (TTL), twice over for the ByPatient projection.
    out["storage_per_million_bookings_usd_month"] = round(1e6 * APPOINTMENT_ITEM_KB * 2 / 1e6
                                                          * PRICES["dynamodb_storage_gb_month"], 2)
    return out
