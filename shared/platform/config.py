"""Every setting, read from the environment (template.yaml's Globals) into one typed Settings, lazily so
tests can set them first (and `settings.cache_clear()` after changing one).

Secrets fail fast: in Lambda (AWS_LAMBDA_FUNCTION_NAME set, not `sam local`) a missing POLICY_HASH_KEY is
an error at the first use, never a silent development key. Locally and in tests the development key is the
explicit default (the local stack sets its own).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

BOOKING_HORIZON_DAYS = 14
# Holds spread over this many partitions of the sparse Holds index, so a rush does not heat one key.
HOLD_SHARDS = 8


DEV_POLICY_HASH_KEY = "local-development-key"
DEV_BASE_URL = "http://127.0.0.1:3000"
_TRUE = frozenset({"1", "true", "yes", "on"})


class MissingSetting(RuntimeError):
    """A setting Lambda must be given (a secret) is missing."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    hold_seconds: int
    timezone: str
    policy_hash_key: bytes
    # How long one instance reuses a look-up's answer (0 = never): the 08:00 rush's thousands of identical
    # reads of one doctor's day become one per instance per interval (docs/SCALE.md). A stale list costs no
    # correctness: the hold's write condition decides.
    lookup_cache_seconds: float = 0.0
    # Links in the email and the ticket ("" = read from the SSM parameter PUBLIC_BASE_URL_PARAMETER names).
    public_base_url: str = DEV_BASE_URL
    public_base_url_parameter: str | None = None
    # The notifier's SES sender and reply-to, configuration set and its own dead-letter queue.
    sender_email: str = "no-reply@zapis.example.org"
    reply_to_email: str | None = None
    ses_configuration_set: str | None = None
    notifier_dlq_url: str | None = None
    # Reminders (issue 14): minutes before the appointment, largest first (template parameter
    # ReminderOffsetsMinutes), and the SES sending rate the reminder job keeps to (SesSendingRate, per second).
    reminder_offsets_minutes: tuple[int, ...] = (1440, 120)
    ses_sending_rate: float = 14.0
    # Failed identity checks one policy may have per window before its anonymous routes answer 429.
    identity_failures_max: int = 10
    identity_failures_window: int = 3600
    # Emails to one mailbox per day (the address normalised: case, `+tag`, Gmail's dots; shared/notify/cap.py);
    # past it the booking stands, the email is skipped and counted.
    emails_per_address_per_day: int = 20
    # Emails about one patient (policy hash) per day, whatever the addresses. 30: a real patient's busiest day
    # is a few bookings, cancellations and reschedules with their reminders and an offer or two - about a dozen
    # emails, and the booking rules (one appointment per specialty, one active hold) keep it there; the
    # book-and-cancel loop of issue 25 (91 emails in 5 s, two per cycle) stops after 15 cycles.
    emails_per_patient_per_day: int = 30
    # The daily job's queue of clinic units (None: the job runs every clinic itself, as locally).
    opener_queue_url: str | None = None
    # gorzdrav's `patient/search` (issue 25): failed look-ups are counted per full name (identity_failures_max
    # per identity_failures_window, as a policy's) and per clinic, this many per window. Larger than a name's:
    # a clinic's counter is shared by every patient attached there, so a low one would let one attacker lock
    # every gorzdrav search of the clinic out for the window with a handful of wrong guesses. 200 an hour is
    # far above a clinic's own patients' mistakes (a typo, a search at the wrong clinic) and still stops a spray
    # of many names at one clinic (20 names' full 10 guesses an hour), which the per-name limit alone allows.
    gorzdrav_clinic_failures_max: int = 200
    # How long a gorzdrav patientId opens a patient's bookings (seconds; sealed into the id). 24 h: gorzdrav
    # clients search before each booking session, and a leaked id stops working the next day.
    gorzdrav_patient_id_seconds: int = 86400
    # `oms/attachment/lpus` by the policy alone (old clients): off, the policy alone answers as an unknown one
    # and only the policy + last name + birth date (checked and limited as our own look-up) reveal the clinic.
    gorzdrav_policy_only_lookup: bool = False
    # The access journal (issue 28, shared/domain/journal.py): entries and patients' access items are tidied by
    # TTL this many days after they were written (template parameter JournalRetentionDays; 1826 = five years).
    journal_retention_days: int = 1826


def in_lambda() -> bool:
    """Running in AWS Lambda (not `sam local`, not the local stack, not tests)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and os.environ.get("AWS_SAM_LOCAL") != "true"


def _secret(name: str, development_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if in_lambda():
        raise MissingSetting(f"{name} is not set")
    return development_default


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ.get
    return Settings(
        table_name=env("TABLE_NAME", "zapis"),
        hold_seconds=int(env("HOLD_SECONDS", "300")),
        timezone=env("CLINIC_TIMEZONE", "Europe/Moscow"),
        policy_hash_key=_secret("POLICY_HASH_KEY", DEV_POLICY_HASH_KEY).encode(),
        lookup_cache_seconds=float(env("LOOKUP_CACHE_SECONDS", "0")),
        # Deployed without PublicBaseUrl, the address is in SSM (shared.booking.ticket_link.base_url reads it).
        public_base_url=(env("PUBLIC_BASE_URL")
                         or ("" if env("PUBLIC_BASE_URL_PARAMETER") else DEV_BASE_URL)).rstrip("/"),
        public_base_url_parameter=env("PUBLIC_BASE_URL_PARAMETER") or None,
        sender_email=env("SENDER_EMAIL", "no-reply@zapis.example.org"),
        reply_to_email=env("REPLY_TO_EMAIL") or None,
        ses_configuration_set=env("SES_CONFIGURATION_SET") or None,
        notifier_dlq_url=env("NOTIFIER_DLQ_URL") or None,
        reminder_offsets_minutes=tuple(sorted((int(m) for m in env("REMINDER_OFFSETS_MINUTES", "1440,120").split(",")
                                               if m.strip()), reverse=True)),
        ses_sending_rate=float(env("SES_SENDING_RATE", "14")),
        identity_failures_max=int(env("IDENTITY_FAILURES_MAX", "10")),
        identity_failures_window=int(env("IDENTITY_FAILURES_WINDOW", "3600")),
        emails_per_address_per_day=int(env("EMAILS_PER_ADDRESS_PER_DAY", "20")),
        emails_per_patient_per_day=int(env("EMAILS_PER_PATIENT_PER_DAY", "30")),
        opener_queue_url=env("OPENER_QUEUE_URL") or None,
        gorzdrav_clinic_failures_max=int(env("GORZDRAV_CLINIC_FAILURES_MAX", "200")),
        gorzdrav_patient_id_seconds=int(env("GORZDRAV_PATIENT_ID_SECONDS", "86400")),
        gorzdrav_policy_only_lookup=env("GORZDRAV_POLICY_ONLY_LOOKUP", "false").strip().lower() in _TRUE,
        journal_retention_days=int(env("JOURNAL_RETENTION_DAYS", "1826")),
    )
