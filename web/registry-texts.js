// Texts of the staff pages (#/registry), Russian and English, and the specialties a clinic can publish a doctor
// for. Loaded with registry.js only: a patient's page never downloads them. Staff words: «время» and «приёмы»,
// never «слоты».
import { addTexts, lang } from "./i18n.js";

addTexts({
  regTitle: "Регистратура", regSignIn: "Войти", regClinicId: "Код поликлиники", regClinicIdHint: "Например, cl0101",
  regSignInIntro: "Вход для сотрудников регистратуры: работа только с данными своей поликлиники.",
  regRole: "Должность", regRole_receptionist: "Регистратор", regRole_head: "Заведующий регистратурой",
  regRole_city: "Городской оператор", regCityNoClinic: "Городскому оператору код поликлиники не нужен.",
  regUnknownClinic: "Поликлиники с кодом «{id}» нет в справочнике. Проверьте код.",
  regSignInFailed: "Войти не удалось. Проверьте код поликлиники и должность.",
  regSignInOidc: "Войти по учётной записи сотрудника", regNoOidc: "Вход сотрудников на этом сайте не настроен.",
  regSessionEnded: "Срок входа истёк: войдите снова.", regSignInAgain: "Войти снова",
  regForbidden: "Недостаточно прав. Графики врачей, отсутствия и журнал доступны заведующему регистратурой; регистратор видит записи на день и отмечает явку.",
  regCityChoose: "Поликлиника, с которой работать", regChoose: "Выбрать", regChangeClinic: "Другая поликлиника",
  regCityIntro: "Городской оператор работает с любой поликлиникой: введите её код.",
  regTabs: "Разделы регистратуры", regTab_day: "Записи на день", regTab_plan: "График врача",
  regTab_absence: "Отсутствие врача", regTab_journal: "Журнал доступа",

  regDayTitle: "Записи на день", regDate: "Дата", regDoctorOptional: "Код врача (необязательно)", regShow: "Показать",
  regDayEmpty: "На этот день записей нет.", regDayCount: "{day}: {what}.",
  regNumber: "талон {number}", regDoctorRoom: "{doctor}, кабинет {room}", regDoctorLabel: "Врач",
  regPatientLabel: "Пациент", regBorn: "дата рождения {date}", regStatusLabel: "Статус",
  regCame: "Пришёл", regNoShow: "Не пришёл", regStatus_booked: "записан", regStatus_cancelled: "отменена",
  regStatus_fulfilled: "пришёл", regStatus_noshow: "не пришёл", regStatus_rescheduled: "перенесена",
  regNotStarted: "Явку можно отметить с {time}, когда приём начнётся.",
  regMarked: "Отмечено: {status}.", regAttendanceOf: "Явка: {time}, {patient}",

  regPlanTitle: "Врач и график приёма", regDoctorId: "Код врача", regDoctorIdHint: "«{prefix}» и номер, например {prefix}20",
  regDoctorName: "ФИО врача", regDoctorNameEn: "ФИО врача латиницей (для английской версии)",
  regDoctorNameEnHint: "Например, Zaytseva Nina Olegovna. Необязательно.",
  regSpecialty: "Специальность", regReferralMark: "по направлению",
  regReferralHint: "«По направлению»: к такому врачу пациенты записываются только с направлением терапевта или педиатра.",
  regRoom: "Кабинет", regSlotMinutes: "Минут на приём", regWeek: "Дни и часы приёма",
  regWeekHint: "Кнопка дня включает и выключает приём в этот день.",
  regFrom: "с", regTo: "по", regPublish: "Опубликовать",
  regWeekday1: "Пн", regWeekday2: "Вт", regWeekday3: "Ср", regWeekday4: "Чт", regWeekday5: "Пт", regWeekday6: "Сб", regWeekday7: "Вс",
  regWeekdayLong1: "понедельник", regWeekdayLong2: "вторник", regWeekdayLong3: "среда", regWeekdayLong4: "четверг",
  regWeekdayLong5: "пятница", regWeekdayLong6: "суббота", regWeekdayLong7: "воскресенье",
  regPlanDone: "Опубликовано: {doctor}. Открыто время на {created}, закрыто — на {closed}.",
  regConflicts: "Записи, которые не укладываются в новый график ({n}): решите, оставить их или отменить.",
  regDoctorIdBad: "Код врача — «{prefix}» и номер, например {prefix}20.",
  regDoctorOtherClinic: "Врач с кодом «{id}» относится к другой поликлинике: коды врачей этой поликлиники начинаются с «{prefix}».",
  regDoctorUnknown: "Врача с кодом «{id}» в этой поликлинике нет. Проверьте код.",
  regPlanBad: "Проверьте часы приёма: конец позже начала, каждый интервал не короче одного приёма, интервалы одного дня не пересекаются.",
  regSpecialtyBad: "Эту специальность нельзя опубликовать в этой поликлинике.",
  regRequired: "Заполните это поле.", regNameShort: "Не короче 3 символов.",

  regAbsenceTitle: "Отсутствие врача", regReason: "Причина", regReason_sick: "болезнь", regReason_vacation: "отпуск",
  regReason_training: "обучение", regReason_other: "другое", regCheckAbsence: "Проверить",
  regAbsenceFrom: "Первый день", regAbsenceTo: "Последний день",
  regAbsencePreview: "Будут отменены записи пациентов: {cancelled}. Будет закрыто свободное время на {closed}. Пациенты получат письмо.",
  regConfirm: "Подтвердить отсутствие",
  regAbsenceDone: "Готово: отменено записей пациентов {cancelled}, закрыто свободное время на {closed}.",
  regDatesBad: "Последний день не может быть раньше первого.",

  regJournalTitle: "Журнал доступа", regJournalIntro: "Кто и когда смотрел записи пациентов и менял их.",
  regJournalEmpty: "За этот день в журнале ничего нет.", regJournalCount: "Записей в журнале за {day}: {n}.",
  regJournalDoctor: "врач {id}",
  regAction_daylist_read: "Просмотр записей на день", regAction_attendance_mark: "Отметка явки",
  regAction_absence_record: "Отсутствие врача", regAction_plan_publish: "Публикация графика врача",
  regAction_referral_issue: "Выдача направления", regAction_attachment_change: "Изменение прикрепления",
  regAction_representatives_change: "Изменение законных представителей", regAction_journal_read: "Просмотр журнала",
}, {
  regTitle: "Registry", regSignIn: "Sign in", regClinicId: "Polyclinic code", regClinicIdHint: "For example, cl0101",
  regSignInIntro: "Sign-in for registry staff: you work with your own polyclinic's data only.",
  regRole: "Role", regRole_receptionist: "Receptionist", regRole_head: "Head of registry",
  regRole_city: "City operator", regCityNoClinic: "The city operator needs no polyclinic code.",
  regUnknownClinic: "There is no polyclinic with the code “{id}”. Check the code.",
  regSignInFailed: "Could not sign in. Check the polyclinic code and the role.",
  regSignInOidc: "Sign in with the staff account", regNoOidc: "Staff sign-in is not set up on this site.",
  regSessionEnded: "Your sign-in has expired: sign in again.", regSignInAgain: "Sign in again",
  regForbidden: "Not allowed. Doctors' plans, absences and the journal are for the head of registry; a receptionist sees the day's appointments and marks attendance.",
  regCityChoose: "Polyclinic to work with", regChoose: "Choose", regChangeClinic: "Another polyclinic",
  regCityIntro: "The city operator works with any polyclinic: enter its code.",
  regTabs: "Registry sections", regTab_day: "Day list", regTab_plan: "Doctor's plan",
  regTab_absence: "Doctor's absence", regTab_journal: "Access journal",

  regDayTitle: "Appointments of the day", regDate: "Date", regDoctorOptional: "Doctor code (optional)", regShow: "Show",
  regDayEmpty: "No appointments on this day.", regDayCount: "{day}: {what}.",
  regNumber: "ticket {number}", regDoctorRoom: "{doctor}, room {room}", regDoctorLabel: "Doctor",
  regPatientLabel: "Patient", regBorn: "born {date}", regStatusLabel: "Status",
  regCame: "Came", regNoShow: "No-show", regStatus_booked: "booked", regStatus_cancelled: "cancelled",
  regStatus_fulfilled: "came", regStatus_noshow: "no-show", regStatus_rescheduled: "moved",
  regNotStarted: "Attendance can be marked from {time}, once the appointment starts.",
  regMarked: "Marked: {status}.", regAttendanceOf: "Attendance: {time}, {patient}",

  regPlanTitle: "Doctor and working plan", regDoctorId: "Doctor code", regDoctorIdHint: "“{prefix}” and a number, for example {prefix}20",
  regDoctorName: "Doctor's full name", regDoctorNameEn: "Doctor's full name in English (Latin letters)",
  regDoctorNameEnHint: "For example, Zaytseva Nina Olegovna. Optional.",
  regSpecialty: "Specialty", regReferralMark: "by referral",
  regReferralHint: "“By referral”: patients book such a doctor only with a GP's or paediatrician's referral.",
  regRoom: "Room", regSlotMinutes: "Minutes per appointment", regWeek: "Working days and hours",
  regWeekHint: "A day's button turns appointments on that day on and off.",
  regFrom: "from", regTo: "to", regPublish: "Publish",
  regWeekday1: "Mon", regWeekday2: "Tue", regWeekday3: "Wed", regWeekday4: "Thu", regWeekday5: "Fri", regWeekday6: "Sat", regWeekday7: "Sun",
  regWeekdayLong1: "Monday", regWeekdayLong2: "Tuesday", regWeekdayLong3: "Wednesday", regWeekdayLong4: "Thursday",
  regWeekdayLong5: "Friday", regWeekdayLong6: "Saturday", regWeekdayLong7: "Sunday",
  regPlanDone: "Published: {doctor}. Time opened for {created}, closed for {closed}.",
  regConflicts: "Appointments that do not fit the new plan ({n}): decide whether to keep or cancel them.",
  regDoctorIdBad: "A doctor code is “{prefix}” and a number, for example {prefix}20.",
  regDoctorOtherClinic: "The doctor code “{id}” belongs to another polyclinic: this polyclinic's doctor codes start with “{prefix}”.",
  regDoctorUnknown: "This polyclinic has no doctor with the code “{id}”. Check the code.",
  regPlanBad: "Check the working hours: each interval ends after it starts, is at least one appointment long, and a day's intervals do not overlap.",
  regSpecialtyBad: "This specialty cannot be published at this polyclinic.",
  regRequired: "Fill in this field.", regNameShort: "At least 3 characters.",

  regAbsenceTitle: "Doctor's absence", regReason: "Reason", regReason_sick: "illness", regReason_vacation: "leave",
  regReason_training: "training", regReason_other: "other", regCheckAbsence: "Check",
  regAbsenceFrom: "First day", regAbsenceTo: "Last day",
  regAbsencePreview: "Patients' appointments to be cancelled: {cancelled}. Free time to be closed: {closed}. Patients will be emailed.",
  regConfirm: "Confirm the absence",
  regAbsenceDone: "Done: {cancelled} patients' appointments cancelled, free time closed: {closed}.",
  regDatesBad: "The last day cannot be before the first.",

  regJournalTitle: "Access journal", regJournalIntro: "Who looked at patients' appointments or changed them, and when.",
  regJournalEmpty: "Nothing in the journal on this day.", regJournalCount: "Journal entries on {day}: {n}.",
  regJournalDoctor: "doctor {id}",
  regAction_daylist_read: "Viewed the day list", regAction_attendance_mark: "Marked attendance",
  regAction_absence_record: "Recorded a doctor's absence", regAction_plan_publish: "Published a doctor's plan",
  regAction_referral_issue: "Issued a referral", regAction_attachment_change: "Changed an attachment",
  regAction_representatives_change: "Changed legal representatives", regAction_journal_read: "Read the journal",
});

/** How many appointments, in words: «1 приём», «3 приёма», «5 приёмов»; "1 appointment", "5 appointments". */
export function appointments(n) {
  if (lang() === "en") return `${n} appointment${n === 1 ? "" : "s"}`;
  return `${n} ${ruForm(n, "приём", "приёма", "приёмов")}`;
}

/** An age in words: «45 лет», «1 год», «3 года»; "45 years old". */
export function age(n) {
  if (lang() === "en") return `${n} year${n === 1 ? "" : "s"} old`;
  return `${n} ${ruForm(n, "год", "года", "лет")}`;
}

function ruForm(n, one, few, many) {
  const tens = n % 100;
  const units = n % 10;
  if (tens >= 11 && tens <= 14) return many;
  if (units === 1) return one;
  return units >= 2 && units <= 4 ? few : many;
}

// The specialties a clinic can publish a doctor for: shared/domain/specialties.py SPECIALTIES (id -> Russian,
// English, by referral only). No route lists the whole catalogue (GET /v1/clinics/{id}/specialties lists the
// published ones only), so the names travel with the staff pages; tests/browser/test_registry_pages.py checks that
// the two lists agree.
export const SPECIALTIES = [
  ["therapist", "Терапевт", "Therapist", false],
  ["paediatrician", "Педиатр", "Paediatrician", false],
  ["surgeon", "Хирург", "Surgeon", false],
  ["ophthalmologist", "Офтальмолог", "Ophthalmologist", false],
  ["ent", "Оториноларинголог (ЛОР)", "ENT specialist", false],
  ["neurologist", "Невролог", "Neurologist", false],
  ["cardiologist", "Кардиолог", "Cardiologist", true],
  ["endocrinologist", "Эндокринолог", "Endocrinologist", true],
  ["dermatologist", "Дерматовенеролог", "Dermatologist", true],
  ["urologist", "Уролог", "Urologist", true],
  ["gynaecologist", "Акушер-гинеколог", "Gynaecologist", false],
  ["dentist", "Стоматолог", "Dentist", false],
  ["paediatric_ent", "Детский оториноларинголог (ЛОР)", "Paediatric ENT specialist", false],
  ["paediatric_surgeon", "Детский хирург", "Paediatric surgeon", false],
  ["paediatric_ophthalmologist", "Детский офтальмолог", "Paediatric ophthalmologist", false],
  ["paediatric_neurologist", "Детский невролог", "Paediatric neurologist", false],
].map(([id, ru, en, referral]) => ({ id, ru, en, referral }));
