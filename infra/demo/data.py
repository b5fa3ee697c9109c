"""Deterministic demo data: St. Petersburg's 18 districts, fictional polyclinics, doctors with weekly
hours, free slots for the booking window (today and the next 13 days, Europe/Moscow), and a register of
attached demo patients.

Everything but the slots is the same on every run, so tests and docs can name it; slots are generated
from the doctors' hours for the days starting at the day given (the booking window's 14 by default).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared.clinic import plans
from shared.domain import specialties
from shared.patients import policy
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

CLINICS_PER_DISTRICT = 2
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
        for c_index in range(1, CLINICS_PER_DISTRICT + 1):
            street_ru, street_en = DISTRICT_STREETS[d_id][c_index - 1]
            house = 3 + d_index * 2 + c_index
            number = d_index * 10 + c_index
            out.append({
                "id": f"cl{d_index:02d}{c_index:02d}",
                "districtId": d_id,
                "districtName": d_ru,
                "districtNameEn": d_en,
                "name": f"Городская поликлиника № {number}",
                "nameEn": f"City Polyclinic No. {number}",
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
    for s_id, s_ru, s_en, referral, minutes in SPECIALTIES:
        for _ in range(2 if s_id == "therapist" else 1):
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
                | ({"5": [9, 13]} if s_id == "therapist" else {}),
            })
    return out


def patients() -> list[dict[str, Any]]:
    """The attached demo patients, as infra/demo/patients.json lists them."""
    out = []
    for c in clinics():
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


def reference_items() -> list[dict[str, Any]]:
    """Districts, clinics, specialties and doctors as table items (see shared/DESIGN.md)."""
    items: list[dict[str, Any]] = []
    for order, (d_id, d_ru, d_en) in enumerate(DISTRICTS):
        district = {"entity": "district", "id": d_id, "name": d_ru, "nameEn": d_en, "order": order}
        items.append({"PK": keys.districts_key(), "SK": keys.district_entry_sk(order, d_id), **district})
        items.append({"PK": keys.district_pk(d_id), "SK": keys.PROFILE, **district})
    specs = {s[0]: s for s in SPECIALTIES}
    for c in clinics():
        summary = {k: c[k] for k in ("id", "name", "nameEn", "address", "addressEn", "phone", "districtId")}
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
    """The attached-patients register, keyed by the policy's keyed hash only."""
    out = []
    for p in people if people is not None else patients():
        h = policy.policy_hash(p["policyNumber"], p.get("policySeries"))
        out.append({
            "PK": keys.policy_pk(h), "SK": keys.ATTACHMENT_SK, "entity": "attachment",
            "clinicId": p["clinicId"], "attachedSince": "2024-01-15", "reason": "initial",
            "identityHash": policy.identity_hash(p["policyNumber"], p.get("policySeries"), p["lastName"],
                                                 p["birthDate"]),
        })
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
