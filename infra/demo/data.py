"""Deterministic demo data: St. Petersburg's 18 districts, fictional polyclinics (two adult ones and one
children's per district), doctors with weekly hours, free slots for the booking window (today and the next 13
days, Europe/Moscow), and a register of attached demo patients: adults, and children whose register entries
name their parents as legal representatives (issue 29).

Everything but the slots is the same on every run, so tests and docs can name it; slots are generated
from the doctors' hours for the days starting at the day given (the booking window's 14 by default).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.clinic import plans
from shared.domain import specialties
from shared.patients import family, policy
from shared.platform import keys
from shared.platform.clock import zone
from shared.platform.config import BOOKING_HORIZON_DAYS
from shared.platform.items import Slot

DISTRICTS = [
    ("admiralteysky", "Адмиралтейский", "Admiralteysky"),
    ("vasileostrovsky", "Василеостровский", "Vasileostrovsky"),
    ("vyborgsky", "Выборгский", "Vyborgsky"),
    ("kalininsky", "Калининский", "Kalininsky"),
    ("kirovsky", "Кировский", "Kirovsky"),
    ("kolpinsky", "Колпинский", "Kolpinsky"),
    ("krasnogvardeysky", "Красногвардейский", "Krasnogvardeysky"),
    ("krasnoselsky", "Красносельский", "Krasnoselsky"),
    ("kronshtadtsky", "Кронштадтский", "Kronshtadtsky"),
    ("kurortny", "Курортный", "Kurortny"),
    ("moskovsky", "Московский", "Moskovsky"),
    ("nevsky", "Невский", "Nevsky"),
    ("petrogradsky", "Петроградский", "Petrogradsky"),
    ("petrodvortsovy", "Петродворцовый", "Petrodvortsovy"),
    ("primorsky", "Приморский", "Primorsky"),
    ("pushkinsky", "Пушкинский", "Pushkinsky"),
    ("frunzensky", "Фрунзенский", "Frunzensky"),
    ("tsentralny", "Центральный", "Tsentralny"),
]

# The demo's specialties (shared.domain.specialties names them): id, Russian, English, referral only, minutes per slot
MINUTES = {"therapist": 20, "paediatrician": 20, "surgeon": 30, "ophthalmologist": 30, "ent": 30, "neurologist": 30,
           "cardiologist": 30, "endocrinologist": 30}
SPECIALTIES = [(s_id, *specialties.SPECIALTIES[s_id], minutes) for s_id, minutes in MINUTES.items()]
# A children's polyclinic's (issue 29): the paediatric specialties (shared.domain.specialties.PAEDIATRIC).
CHILDREN_MINUTES = {"paediatrician": 20, "paediatric_ent": 30, "paediatric_surgeon": 30,
                    "paediatric_ophthalmologist": 30, "paediatric_neurologist": 30}
CHILDREN_SPECIALTIES = [(s_id, *specialties.SPECIALTIES[s_id], minutes) for s_id, minutes in CHILDREN_MINUTES.items()]

# Each clinic stands on a street of its own district (issue 30): the first of the district's streets in the
# demo address register (infra/demo/addresses.py) for the first clinic, the second for the second, at a house
# number (below 50) that the register assigns to that very clinic.
DISTRICT_STREETS: dict[str, list[tuple[str, str]]] = {
    "admiralteysky": [("ул. Садовая", "Sadovaya St."), ("наб. канала Грибоедова", "Griboyedov Canal Emb."),
                      ("Лермонтовский пр.", "Lermontovsky Ave.")],
    "vasileostrovsky": [("Большой пр. В.О.", "Bolshoy Ave. V.O."), ("7-я линия В.О.", "7th Line V.O."),
                        ("Средний пр. В.О.", "Sredny Ave. V.O.")],
    "vyborgsky": [("пр. Просвещения", "Prosveshcheniya Ave."), ("пр. Энгельса", "Engelsa Ave."),
                  ("ул. Композиторов", "Kompozitorov St.")],
    "kalininsky": [("Гражданский пр.", "Grazhdansky Ave."), ("пр. Науки", "Nauki Ave."),
                   ("ул. Бутлерова", "Butlerova St.")],
    "kirovsky": [("пр. Стачек", "Stachek Ave."), ("ул. Зины Портновой", "Ziny Portnovoy St."),
                 ("Ленинский пр.", "Leninsky Ave.")],
    "kolpinsky": [("пр. Ленина", "Lenina Ave."), ("ул. Труда", "Truda St."), ("Октябрьская ул.", "Oktyabrskaya St.")],
    "krasnogvardeysky": [("Заневский пр.", "Zanevsky Ave."), ("пр. Энергетиков", "Energetikov Ave."),
                         ("ул. Стахановцев", "Stakhanovtsev St.")],
    "krasnoselsky": [("пр. Ветеранов", "Veteranov Ave."), ("Ленинский пр.", "Leninsky Ave."),
                     ("ул. Партизана Германа", "Partizana Germana St.")],
    "kronshtadtsky": [("пр. Ленина", "Lenina Ave."), ("Советская ул.", "Sovetskaya St."),
                      ("ул. Мартынова", "Martynova St.")],
    "kurortny": [("Приморское ш.", "Primorskoye Hwy."), ("ул. Токарева", "Tokareva St."),
                 ("ул. Володарского", "Volodarskogo St.")],
    "moskovsky": [("Московский пр.", "Moskovsky Ave."), ("ул. Типанова", "Tipanova St."), ("ул. Победы", "Pobedy St.")],
    "nevsky": [("пр. Большевиков", "Bolshevikov Ave."), ("Дальневосточный пр.", "Dalnevostochny Ave."),
               ("ул. Бабушкина", "Babushkina St.")],
    "petrogradsky": [("Каменноостровский пр.", "Kamennoostrovsky Ave."), ("Большой пр. П.С.", "Bolshoy Ave. P.S."),
                     ("ул. Ленина", "Lenina St.")],
    "petrodvortsovy": [("Санкт-Петербургский пр.", "Sankt-Peterburgsky Ave."), ("Разводная ул.", "Razvodnaya St."),
                       ("Ботаническая ул.", "Botanicheskaya St.")],
    "primorsky": [("ул. Савушкина", "Savushkina St."), ("Комендантский пр.", "Komendantsky Ave."),
                  ("пр. Испытателей", "Ispytateley Ave.")],
    "pushkinsky": [("ул. Садовая", "Sadovaya St."), ("Октябрьский б-р", "Oktyabrsky Blvd."),
                   ("Московская ул.", "Moskovskaya St.")],
    "frunzensky": [("Будапештская ул.", "Budapeshtskaya St."), ("ул. Ярослава Гашека", "Yaroslava Gasheka St."),
                   ("Бухарестская ул.", "Bukharestskaya St.")],
    "tsentralny": [("Невский пр.", "Nevsky Ave."), ("Лиговский пр.", "Ligovsky Ave."), ("ул. Марата", "Marata St.")],
}

LAST = [("Иванов", "Ivanov"), ("Смирнов", "Smirnov"), ("Кузнецов", "Kuznetsov"), ("Попов", "Popov"),
        ("Соколов", "Sokolov"), ("Лебедев", "Lebedev"), ("Козлов", "Kozlov"), ("Новиков", "Novikov"),
        ("Морозов", "Morozov"), ("Петров", "Petrov"), ("Волков", "Volkov"), ("Фёдоров", "Fyodorov")]
FIRST_M = [("Алексей", "Alexey"), ("Дмитрий", "Dmitry"), ("Сергей", "Sergey"), ("Андрей", "Andrey"),
           ("Михаил", "Mikhail"), ("Николай", "Nikolay")]
FIRST_F = [("Анна", "Anna"), ("Ольга", "Olga"), ("Елена", "Elena"), ("Мария", "Maria"),
           ("Татьяна", "Tatiana"), ("Ирина", "Irina")]
MIDDLE_M = [("Иванович", "Ivanovich"), ("Петрович", "Petrovich"), ("Сергеевич", "Sergeevich")]
MIDDLE_F = [("Ивановна", "Ivanovna"), ("Петровна", "Petrovna"), ("Сергеевна", "Sergeevna")]
# Doctors' patronymics are none of the patients': no doctor has a demo patient's name (issue 30).
DOCTOR_MIDDLE_M = [("Алексеевич", "Alexeevich"), ("Николаевич", "Nikolaevich"), ("Андреевич", "Andreevich")]
DOCTOR_MIDDLE_F = [("Алексеевна", "Alexeevna"), ("Николаевна", "Nikolaevna"), ("Андреевна", "Andreevna")]

CLINICS_PER_DISTRICT = 2  # adult polyclinics: clXX01, clXX02
CHILDREN_CLINIC = 3  # the district's children's polyclinic: clXX03 (issue 29)
PATIENTS_PER_CLINIC = 3


def _person(n: int, doctor: bool = False) -> tuple[str, str, str, str, str, str]:
    """Deterministic Russian name (last, first, middle) and its transliteration; a doctor's patronymic is never a
    patient's."""
    female = n % 2 == 1
    last_ru, last_en = LAST[n % len(LAST)]
    if female:
        last_ru, last_en = last_ru.replace("ё", "е") + "а", last_en + "a"
    first_ru, first_en = (FIRST_F if female else FIRST_M)[(n // 2) % 6]
    middles = (DOCTOR_MIDDLE_F if female else DOCTOR_MIDDLE_M) if doctor else (MIDDLE_F if female else MIDDLE_M)
    mid_ru, mid_en = middles[(n // 3) % 3]
    return last_ru, first_ru, mid_ru, last_en, first_en, mid_en


def clinics() -> list[dict[str, Any]]:
    out = []
    for d_index, (d_id, d_ru, d_en) in enumerate(DISTRICTS, start=1):
        for c_index in range(1, CHILDREN_CLINIC + 1):
            street_ru, street_en = DISTRICT_STREETS[d_id][c_index - 1]
            house = 3 + d_index * 2 + c_index
            number = d_index * 10 + c_index
            children = c_index == CHILDREN_CLINIC
            out.append({
                "id": f"cl{d_index:02d}{c_index:02d}",
                "districtId": d_id,
                "districtName": d_ru,
                "districtNameEn": d_en,
                "kind": "children" if children else "adult",
                "name": ("Детская городская" if children else "Городская") + f" поликлиника № {number}",
                "nameEn": ("Children's City" if children else "City") + f" Polyclinic No. {number}",
                "address": f"{street_ru}, д. {house}",
                "addressEn": f"{house} {street_en}",
                "phone": f"+7 812 {200 + number:03d}-{10 + c_index * 7:02d}-{30 + d_index:02d}",
                "workingHours": "Пн–Пт 08:00–20:00, Сб 09:00–15:00",
                "workingHoursEn": "Mon–Fri 08:00–20:00, Sat 09:00–15:00",
            })
    return out


def doctors(clinic: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    seq = 0
    base = int(clinic["id"][2:])
    published = CHILDREN_SPECIALTIES if clinic.get("kind") == "children" else SPECIALTIES
    for s_id, s_ru, s_en, referral, minutes in published:
        first_contact = s_id == ("paediatrician" if clinic.get("kind") == "children" else "therapist")
        for _ in range(2 if first_contact else 1):
            seq += 1
            last_ru, first_ru, mid_ru, last_en, first_en, mid_en = _person(base * 7 + seq, doctor=True)
            morning = seq % 2 == 1
            out.append({
                "id": f"{clinic['id']}-d{seq:02d}",
                "clinicId": clinic["id"],
                "seq": seq,
                "name": f"{last_ru} {first_ru} {mid_ru}",
                "nameEn": f"{first_en} {mid_en} {last_en}",
                "specialtyId": s_id,
                "specialty": s_ru,
                "specialtyEn": s_en,
                "referralRequired": referral,
                "room": str(100 + seq * 3),
                "slotMinutes": minutes,
                # weekday (0 = Monday) -> (from hour, to hour), local time
                "hours": {str(wd): ([8, 14] if morning else [14, 20]) for wd in range(5)}
                | ({"5": [9, 13]} if first_contact else {}),
            })
    return out


def patients() -> list[dict[str, Any]]:
    """The attached demo patients, as infra/demo/patients.json lists them: the adults, then the children."""
    adults = _adults()
    return adults + children(adults)


def _adults() -> list[dict[str, Any]]:
    out = []
    for c in clinics():
        if c["kind"] == "children":
            continue
        base = int(c["id"][2:])
        for n in range(PATIENTS_PER_CLINIC):
            last_ru, first_ru, mid_ru, last_en, first_en, _ = _person(base * 3 + n + 5)
            old_style = n == 2  # an old-style policy: series and a short number
            out.append({
                "lastName": last_ru,
                "firstName": first_ru,
                "middleName": mid_ru,
                "birthDate": f"{1950 + (base * 3 + n) % 55}-{1 + (base + n) % 12:02d}-{1 + (base * 5 + n) % 28:02d}",
                "policyNumber": f"{base:06d}{n:02d}" if old_style else f"7800{base:06d}{n:06d}",
                "policySeries": f"ЕА{n}" if old_style else None,
                "clinicId": c["id"],
                "email": f"{first_en.lower()}.{last_en.lower()}.{base}{n}@example.org",
            })
    return out


def _parent(adults: list[dict[str, Any]], d_index: int, n: int) -> dict[str, Any]:
    """The district's adult patient `n` of its second adult clinic (never one the browser tests sign in as)."""
    clinic_id = f"cl{d_index:02d}02"
    return [p for p in adults if p["clinicId"] == clinic_id][n]


def _families(d_index: int) -> list[tuple[int, ...]]:
    """A district's children, each as the indexes of its parents among the second clinic's patients: the first
    child has two parents in odd districts, the second shares a parent with the first in every third district, a
    third child in districts 2-5 (40 children in all)."""
    out: list[tuple[int, ...]] = [(0, 1) if d_index % 2 else (0,), (0,) if d_index % 3 == 0 else (1,)]
    if 2 <= d_index <= 5:
        out.append((1,))
    return out


def _surname(parent_last: str, female: bool) -> str:
    """The family name in the child's form: Морозов -> Морозова for a daughter, Петрова -> Петров for a son."""
    plain = {ru.replace("ё", "е"): ru for ru, _ in LAST}
    male = plain.get(parent_last.removesuffix("а"), parent_last) if parent_last not in plain else plain[parent_last]
    return male.replace("ё", "е") + "а" if female else male


def children(adults: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The demo's children (issue 29), attached to their district's children's polyclinic, each naming its parents'
    policy numbers (`representatives`); no email (a child's mail goes to the parent who books).

    Birth dates are fixed (so that patients.json, the docs and the tests can name them), spread over 2011-2026:
    ages 0-15 today, every one of them a child until 2029."""
    adults = adults if adults is not None else _adults()
    out = []
    k = 0
    for d_index, _district in enumerate(DISTRICTS, start=1):
        clinic_id = f"cl{d_index:02d}{CHILDREN_CLINIC:02d}"
        base = int(clinic_id[2:])
        for n, parents in enumerate(_families(d_index)):
            reps = [_parent(adults, d_index, i) for i in parents]
            out.append({**_child_person(k, reps), "policyNumber": f"7800{base:06d}{n:06d}", "policySeries": None,
                        "clinicId": clinic_id, "representatives": [p["policyNumber"] for p in reps]})
            k += 1
    return out


def _child_person(k: int, reps: list[dict[str, Any]]) -> dict[str, str]:
    """The k-th child's names (the first parent's family name, a first name none of the parents has) and birth date."""
    female = k % 2 == 1
    year = 2011 + (k * 5) % 16
    month = 1 + (k * 7) % (6 if year == 2026 else 12)
    names = FIRST_F if female else FIRST_M
    first = names[(k // 2) % 6][0]
    if first in {p["firstName"] for p in reps}:
        first = names[(k // 2 + 1) % 6][0]
    return {"lastName": _surname(reps[0]["lastName"], female), "firstName": first,
            "middleName": (MIDDLE_F if female else MIDDLE_M)[(k // 3) % 3][0],
            "birthDate": f"{year}-{month:02d}-{1 + (k * 11) % 28:02d}"}


def reference_items() -> list[dict[str, Any]]:
    """Districts, clinics, specialties and doctors as table items (see shared/DESIGN.md)."""
    items: list[dict[str, Any]] = []
    for order, (d_id, d_ru, d_en) in enumerate(DISTRICTS):
        district = {"entity": "district", "id": d_id, "name": d_ru, "nameEn": d_en, "order": order}
        items.append({"PK": keys.districts_key(), "SK": keys.district_entry_sk(order, d_id), **district})
        items.append({"PK": keys.district_pk(d_id), "SK": keys.PROFILE, **district})
    specs = {s[0]: s for s in SPECIALTIES + CHILDREN_SPECIALTIES}
    for c in clinics():
        summary = {k: c[k] for k in ("id", "name", "nameEn", "address", "addressEn", "phone", "districtId", "kind")}
        items.append({"PK": keys.district_pk(c["districtId"]), "SK": keys.clinic_sk(c["id"]),
                      "entity": "clinicRef", **summary})
        items.append({"PK": keys.clinic_pk(c["id"]), "SK": keys.PROFILE, "entity": "clinic", **c})
        docs = doctors(c)
        for s_id in dict.fromkeys(d["specialtyId"] for d in docs):
            _, s_ru, s_en, referral, _ = specs[s_id]
            items.append({"PK": keys.clinic_pk(c["id"]), "SK": keys.specialty_sk(s_id), "entity": "clinicSpecialty",
                          "id": s_id, "name": s_ru, "nameEn": s_en, "referralRequired": referral})
        for d in docs:
            items.append({"PK": keys.clinic_pk(c["id"]), "SK": keys.doctor_sk(d["id"]), "entity": "doctorRef",
                          **{k: d[k] for k in ("id", "name", "nameEn", "specialtyId", "room")}})
            items.append({"PK": keys.doctor_pk(d["id"]), "SK": keys.PROFILE, "entity": "doctor", **d})
    return items


def slot_items(doctor: dict[str, Any], first_day: date, days: int = BOOKING_HORIZON_DAYS) -> list[Slot]:
    """Free slots from the doctor's weekly hours, in the clinic's zone."""
    out = []
    tz = zone()
    step = timedelta(minutes=int(doctor["slotMinutes"]))
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        hours = doctor["hours"].get(str(day.weekday()))
        if not hours:
            continue
        t = datetime(day.year, day.month, day.day, hours[0], tzinfo=tz)
        end_of_day = datetime(day.year, day.month, day.day, hours[1], tzinfo=tz)
        while t + step <= end_of_day:
            start = int(t.timestamp())
            out.append(plans.slot_item(doctor, start, int((t + step).timestamp())))
            t += step
    return out


def register_items(people: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The attached-patients register, keyed by the policy's keyed hash only: each person's entry, and for a child
    with representatives (their policy numbers, new-style: no series) the entry's `representatives` and each
    parent's FAMILY# link (shared/patients/family.py), as the registry writes them."""
    out = []
    for p in people if people is not None else patients():
        h = policy.policy_hash(p["policyNumber"], p.get("policySeries"))
        identity = policy.identity_hash(p["policyNumber"], p.get("policySeries"), p["lastName"], p["birthDate"])
        entry = {"PK": keys.policy_pk(h), "SK": keys.ATTACHMENT_SK, "entity": "attachment",
                 "clinicId": p["clinicId"], "attachedSince": "2024-01-15", "reason": "initial",
                 "identityHash": identity}
        parents = [policy.policy_hash(number) for number in p.get("representatives") or ()]
        if parents:
            entry["representatives"] = parents
        out.append(entry)
        child = {"policyHash": h, "identityHash": identity, **{k: p.get(k) for k in
                                                                ("lastName", "firstName", "middleName", "birthDate")}}
        out += [family.link_item(parent, child) for parent in parents]
    return out


# Referrals of demo patients (issue 15; docs/http-api.md names them): (index in patients(), specialty, target clinic,
# last valid day). The second is to another clinic than the patient's; the third has expired.
REFERRALS = [(0, "cardiologist", "cl0101", "2099-12-31"), (1, "endocrinologist", "cl0102", "2099-12-31"),
             (0, "endocrinologist", "cl0101", "2025-01-31"), (3, "cardiologist", "cl0102", "2099-12-31")]


def referral_number(n: int) -> str:
    """The demo's referral numbers: fixed, so that the docs can name them (real ones are random)."""
    body = f"5100000{n + 1:04d}"
    return body + keys.luhn_digit(body)


def referral_items(clinic_ids: set[str] | None = None) -> list[dict[str, Any]]:
    from shared.booking import referrals

    people, places = patients(), {c["id"]: c for c in clinics()}
    out = []
    for n, (who, specialty_id, target, last_day) in enumerate(REFERRALS):
        p = people[who]
        if clinic_ids and not {p["clinicId"], target} <= clinic_ids:
            continue
        out.append(referrals.build(
            referral_number(n), identity_hash=policy.identity_hash(p["policyNumber"], p.get("policySeries"),
                                                                    p["lastName"], p["birthDate"]),
            last_name=p["lastName"], specialty_id=specialty_id, target_clinic=places[target],
            issuing_clinic_id=p["clinicId"], issued_by="demo", issued_at=0, valid_until=date.fromisoformat(last_day)))
    return out
