"""Key and id formats of the single table (DESIGN.md explains each access pattern).

Ids are built so that the key of the item they name can be computed without a read:
a slot id names its doctor and start, a doctor id names its clinic, a hold id names its slot.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from shared.platform import statuses
from shared.platform.clock import parse_utc_stamp, utc_stamp
from shared.platform.config import HOLD_SHARDS, settings

PROFILE = "#PROFILE"

_CLINIC_ID = re.compile(r"^[a-z0-9]{2,24}$")
_DOCTOR_ID = re.compile(r"^([a-z0-9]{2,24})-d\d{1,4}$")
_SLOT_ID = re.compile(r"^([a-z0-9]{2,24}-d\d{1,4})\.(\d{12})$")
_HOLD_ID = re.compile(r"^([a-z0-9]{2,24}-d\d{1,4}\.\d{12})\.([A-Za-z0-9_-]{16,64})$")
_APPOINTMENT_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


# ---------------------------------------------------------------- ids
def valid_clinic_id(clinic_id: str) -> bool:
    return bool(_CLINIC_ID.match(clinic_id))


def clinic_of_doctor(doctor_id: str) -> str | None:
    m = _DOCTOR_ID.match(doctor_id)
    return m.group(1) if m else None


def slot_id(doctor_id: str, start: int) -> str:
    return f"{doctor_id}.{utc_stamp(start)}"


def parse_slot_id(value: str) -> tuple[str, int] | None:
    """(doctorId, start epoch) or None when the id is malformed."""
    m = _SLOT_ID.match(value)
    if not m:
        return None
    try:
        return m.group(1), parse_utc_stamp(m.group(2))
    except ValueError:
        return None


def new_hold_id(slot: str) -> str:
    return f"{slot}.{secrets.token_urlsafe(16)}"


def slot_of_hold(hold_id: str) -> str | None:
    m = _HOLD_ID.match(hold_id)
    return m.group(1) if m else None


def new_appointment_id() -> str:
    """144 random bits: unguessable, so an id alone never lets anyone find an appointment."""
    return secrets.token_urlsafe(18)


def valid_appointment_id(value: str) -> bool:
    return bool(_APPOINTMENT_ID.match(value))


# ---------------------------------------------------------------- keys
def key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def districts_key() -> str:
    return "DISTRICTS"


def district_entry_sk(order: int, district_id: str) -> str:
    """A district in the city's list, in display order."""
    return f"D#{order:02d}#{district_id}"


# Prefixes of the sort keys under a district (its clinics) and a clinic (its specialties and doctors).
CLINIC_PREFIX = "CLINIC#"
SPECIALTY_PREFIX = "SPEC#"
DOCTOR_PREFIX = "DOCTOR#"


def district_pk(district_id: str) -> str:
    return f"DISTRICT#{district_id}"


def clinic_pk(clinic_id: str) -> str:
    return f"{CLINIC_PREFIX}{clinic_id}"


def doctor_pk(doctor_id: str) -> str:
    return f"{DOCTOR_PREFIX}{doctor_id}"


def clinic_sk(clinic_id: str) -> str:
    """A clinic's summary under its district."""
    return clinic_pk(clinic_id)


def specialty_sk(specialty_id: str) -> str:
    """A specialty under its clinic."""
    return f"{SPECIALTY_PREFIX}{specialty_id}"


def doctor_sk(doctor_id: str) -> str:
    """A doctor's summary under its clinic."""
    return doctor_pk(doctor_id)


def profile_key(pk: str) -> dict[str, dict[str, str]]:
    return key(pk, PROFILE)


def slot_sk(start: int) -> str:
    return f"SLOT#{utc_stamp(start)}"


def slot_key(slot: str) -> dict[str, dict[str, str]] | None:
    parsed = parse_slot_id(slot)
    if not parsed:
        return None
    doctor_id, start = parsed
    return key(doctor_pk(doctor_id), slot_sk(start))


POLICY_PREFIX = "POLICY#"


def policy_pk(policy_hash: str) -> str:
    return f"{POLICY_PREFIX}{policy_hash}"


def policy_hash_of(pk: str) -> str:
    """The keyed policy hash a patient partition's key names (`POLICY#<hash>`)."""
    return pk.removeprefix(POLICY_PREFIX)


ATTACHMENT_SK = "ATTACHMENT"


def attachment_key(policy_hash: str) -> dict[str, dict[str, str]]:
    """The register entry: which clinic the policy is attached to."""
    return key(policy_pk(policy_hash), ATTACHMENT_SK)


FAMILY_PREFIX = "FAMILY#"


def family_key(parent_hash: str, member_id: str) -> dict[str, dict[str, str]]:
    """A parent's link to a child they represent (issue 29), on the parent's side: `FAMILY#<opaque member id>`."""
    return key(policy_pk(parent_hash), f"{FAMILY_PREFIX}{member_id}")


ATTACHMENT_HISTORY_PREFIX = "ATTHIST#"


def attachment_history_sk(at: int, version: int, step: int) -> str:
    """`ATTHIST#<epoch>#<version>#<step>`: 1 closes the old attachment, 2 opens the new one."""
    return f"{ATTACHMENT_HISTORY_PREFIX}{at:011d}#{version:06d}#{step}"


def specialty_lock_sk(specialty_id: str) -> str:
    return f"SPECLOCK#{specialty_id}"


APPOINTMENT_SK = "#APPT"


APPOINTMENT_PREFIX = "APPT#"


def appointment_pk(appointment_id: str) -> str:
    return f"{APPOINTMENT_PREFIX}{appointment_id}"


def appointment_id_of(pk: str) -> str:
    return pk.removeprefix(APPOINTMENT_PREFIX)


def appointment_key_plain(appointment_id: str) -> dict[str, str]:
    """The appointment's PK/SK as plain strings (for an item being built)."""
    return {"PK": appointment_pk(appointment_id), "SK": APPOINTMENT_SK}


def appointment_key(appointment_id: str) -> dict[str, dict[str, str]]:
    return key(appointment_pk(appointment_id), APPOINTMENT_SK)


def idempotency_key(scope: str, idem_key: str) -> dict[str, dict[str, str]]:
    digest = hashlib.sha256(f"{scope}|{idem_key}".encode()).hexdigest()
    return key(f"IDEM#{digest}", "#IDEM")


# Availability index: unbooked slots of one clinic's specialty, ordered by start.
def availability_pk(clinic_id: str, specialty_id: str) -> str:
    return f"AV#{clinic_id}#{specialty_id}"


def availability_sk(start: int, doctor_id: str) -> str:
    return f"{utc_stamp(start)}#{doctor_id}"


# Holds index (sparse): only held slots carry these keys; sharded to spread a rush.
def hold_shard(slot: str) -> str:
    n = int(hashlib.sha256(slot.encode()).hexdigest()[:4], 16) % HOLD_SHARDS
    return f"HOLDS#{n}"


def hold_sk(expires_at: int, slot: str) -> str:
    return f"{expires_at:011d}#{slot}"


def all_hold_shards() -> list[str]:
    return [f"HOLDS#{n}" for n in range(HOLD_SHARDS)]


def patient_history_sk(created_at: int, appointment_id: str) -> str:
    return f"{created_at:011d}#{appointment_id}"


# ---------------------------------------------------------------- gorzdrav-compatible façade (issue 19)
# gorzdrav-style ids are data (infra/demo/gorzdrav_ids.json, the import): three small partitions translate
# them, and a keyed-hash index finds a register entry by full name and birth date (never names in keys).
GZ_DISTRICTS = "GZ#DISTRICTS"  # SK gz_district_sk: {gzId "1".."18", districtId, name, okato}
GZ_LPUS = "GZ#LPUS"  # SK gz_lpu_sk: {gzId int, clinicId, the Lpu wire fields}
GZ_SPECIALTIES = "GZ#SPECS"  # SK gz_specialty_sk(our id): {gzId, ferId, specialtyId}


def gz_district_sk(gz_id: int) -> str:
    return f"D#{gz_id:03d}"


def gz_lpu_sk(gz_id: int) -> str:
    return f"LPU#{gz_id:07d}"


def gz_specialty_sk(specialty_id: str) -> str:
    return f"SPEC#{specialty_id}"


def gz_name_pk(name_hash: str) -> str:
    """Name index: PK = keyed hash of (full name, birth date); SK = the register entry's PK (POLICY#<hash>)."""
    return f"GZNAME#{name_hash}"


# ---------------------------------------------------------------- clinic side (issue 11)
# Statuses the clinic side adds: a slot closed by an absence or by a plan it no longer fits; an appointment
# the reception marked after its start.
SLOT_CLOSED = statuses.CLOSED
FULFILLED = statuses.FULFILLED
NOSHOW = statuses.NOSHOW


def doctor_id_seq(doctor_id: str) -> int | None:
    """The doctor's number in the clinic (`cl0101-d07` -> 7): the prefix of ticket numbers."""
    m = _DOCTOR_ID.match(doctor_id)
    return int(doctor_id.rsplit("-d", 1)[1]) if m else None


def doctor_ref_sk(doctor_id: str) -> str:
    """A doctor's entry under its clinic (the same key as doctor_sk)."""
    return doctor_sk(doctor_id)


ABSENCE_PREFIX = "ABSENCE#"


def absence_sk(doctor_id: str, first: str, last: str) -> str:
    """An absence in the clinic's partition: the daily job reads a clinic's doctors and absences at once."""
    return f"{absences_of(doctor_id)}{first}#{last}"


def absences_of(doctor_id: str) -> str:
    """The sort-key prefix of one doctor's absences."""
    return f"{ABSENCE_PREFIX}{doctor_id}#"


# ClinicDay index: the reception's day list, one Query per clinic and day (every status).
def clinic_day_pk(clinic_id: str, day: str) -> str:
    return f"DAY#{clinic_id}#{day}"


def clinic_day_sk(doctor_id: str, start: int, appointment_id: str) -> str:
    return f"{doctor_id}#{utc_stamp(start)}#{appointment_id}"


# ---------------------------------------------------------------- reminders (issue 14)
# Reminders index (sparse): a booked appointment carries these keys while a reminder is still to come; they
# name the next one's due time. Cancelling, rescheduling, turning reminders off or the last reminder removes them.
REMINDER_SHARDS = 8


def reminder_shard(appointment_id: str) -> str:
    n = int(hashlib.sha256(appointment_id.encode()).hexdigest()[:4], 16) % REMINDER_SHARDS
    return f"REMIND#{n}"


def reminder_sk(due: int, appointment_id: str) -> str:
    return f"{due:011d}#{appointment_id}"


def all_reminder_shards() -> list[str]:
    return [f"REMIND#{n}" for n in range(REMINDER_SHARDS)]


def new_reminder_token() -> str:
    """The opt-out link's secret: 128 random bits."""
    return secrets.token_urlsafe(16)


# ---------------------------------------------------------------- abuse resistance (issue 12)
ACTIVE_HOLD_SK = "HOLD"


def active_hold_key(policy_hash: str) -> dict[str, dict[str, str]]:
    """The patient's one active hold (holdId, slotId): a new hold releases the one it names."""
    return key(policy_pk(policy_hash), ACTIVE_HOLD_SK)


def limiter_key(policy_hash: str) -> dict[str, dict[str, str]]:
    """Failed identity checks of one policy in the current window (TTL tidies it)."""
    return key(f"LIMIT#{policy_hash}", "#FAILS")


def email_cap_key(mailbox: str, day: str) -> dict[str, dict[str, str]]:
    """Emails sent to one mailbox (`shared.notify.cap.mailbox`: the address normalised) on one day. The mailbox
    only as a keyed hash (HMAC-SHA256 with the policy hash key), so a table dump cannot be matched against a
    list of addresses."""
    digest = hmac.new(settings().policy_hash_key, f"email-cap-v2|{mailbox}".encode(), hashlib.sha256)
    return key(f"EMAILCAP#MAILBOX#{digest.hexdigest()[:40]}", day)


def patient_email_cap_key(policy_hash: str, day: str) -> dict[str, dict[str, str]]:
    """Emails sent about one patient (the keyed policy hash), to whatever addresses, on one day."""
    return key(f"EMAILCAP#PATIENT#{policy_hash}", day)


# ---------------------------------------------------------------- referrals (issue 15)
_REFERRAL_NUMBER = re.compile(r"^\d{12}$")


def luhn_digit(digits: str) -> str:
    """The check digit (Luhn) that makes `digits` + it a valid number."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


def new_referral_number() -> str:
    """Twelve digits: eleven random ones (10^11, never counted up) and a check digit that catches a mistyped one."""
    body = f"{secrets.randbelow(10 ** 11):011d}"
    return body + luhn_digit(body)


def valid_referral_number(value: str) -> bool:
    return bool(_REFERRAL_NUMBER.match(value)) and luhn_digit(value[:-1]) == value[-1]


REFERRAL_SK = "REFERRAL"


def referral_key(number: str) -> dict[str, dict[str, str]]:
    return key(f"REFERRAL#{number}", REFERRAL_SK)


# ---------------------------------------------------------------- waiting list (issue 15)
WAIT_PREFIX = "WAIT#"


def wait_queue_pk(clinic_id: str, specialty_id: str) -> str:
    """One queue per clinic and specialty; its entries sort by joining time."""
    return f"{WAIT_PREFIX}{clinic_id}#{specialty_id}"


def wait_entry_sk(joined_ns: str, suffix: str) -> str:
    return f"{joined_ns}#{suffix}"


def wait_pointer_key(policy_hash: str, specialty_id: str) -> dict[str, dict[str, str]]:
    """A patient's one active entry of a specialty, in the patient's partition."""
    return key(policy_pk(policy_hash), f"{WAIT_PREFIX}{specialty_id}")


# ------------------------------------------------------ address register (shared/catalogue/address_register.py)
STREET_PREFIX = "STREET#"
STREET_DISTRICT_PREFIX = "D#"


def street_pk(street_key: str) -> str:
    """A street by its key (shared/catalogue/address_text.py): its districts, house ranges and houses."""
    return f"{STREET_PREFIX}{street_key}"


def street_sk(district_id: str) -> str:
    return f"{STREET_DISTRICT_PREFIX}{district_id}"


def house_range_sk(district_id: str, lo: int, parity: str) -> str:
    return f"{STREET_DISTRICT_PREFIX}{district_id}#R#{lo:04d}#{parity}"


def houses_numbered(number: int) -> str:
    """The sort-key prefix of one house number's entries (every building part, every district)."""
    return f"H#{number:04d}#"


def house_sk(number: int, building: str, district_id: str) -> str:
    return f"{houses_numbered(number)}{building}#{district_id}"


def street_index_pk(word: str) -> str:
    """The name-word index: one partition per first letter."""
    return f"STREETIDX#{word[0]}"


def street_index_sk(word: str, street_key: str, district_id: str) -> str:
    return f"{word}#{street_key}#{district_id}"
