// Pages for clinic registry staff (#/registry): the day list with attendance buttons, a doctor's plan form,
// and an absence form that says how many patients it will affect before it is confirmed. Staff sign in
// separately from patients (their token is kept apart); every request names the staff member's clinic.
// Loaded only on #/registry (app.js), with its own texts: a patient's page never downloads them.
import { api, ApiError, config } from "./api.js";
import { addTexts, errorText, formatTime, lang, t } from "./i18n.js";
import { h } from "./ui.js";

addTexts({
  regTitle: "Регистратура", regClinic: "Поликлиника {clinic}.", regSignIn: "Войти", regClinicId: "Код поликлиники",
  regSignInIntro: "Вход для сотрудников регистратуры: работа только с данными своей поликлиники.",
  regDayTitle: "Записи на день", regDate: "Дата", regDoctorOptional: "Врач (код, необязательно)", regShow: "Показать",
  regDayEmpty: "На этот день записей нет.", regTime: "Время", regNumber: "Талон", regDoctor: "Врач", regRoom: "Кабинет",
  regPatient: "Пациент", regBirthDate: "Дата рождения", regStatus: "Статус", regAttendance: "Явка",
  regCame: "Пришёл", regNoShow: "Не пришёл", regStatus_booked: "записан", regStatus_cancelled: "отменена",
  regStatus_fulfilled: "пришёл", regStatus_noshow: "не пришёл", regStatus_rescheduled: "перенесена",
  regPlanTitle: "Врач и график приёма", regDoctorId: "Код врача", regDoctorName: "ФИО врача", regSpecialty: "Специальность",
  regSlotMinutes: "Минут на приём", regWeek: "Дни и часы приёма", regFrom: "с", regTo: "по", regPublish: "Опубликовать",
  regWeekday1: "Пн", regWeekday2: "Вт", regWeekday3: "Ср", regWeekday4: "Чт", regWeekday5: "Пт", regWeekday6: "Сб", regWeekday7: "Вс",
  regPlanDone: "Опубликовано: новых слотов {created}, закрыто {closed}.",
  regConflicts: "Записи, которые не укладываются в новый график ({n}): решите, оставить их или отменить.",
  regAbsenceTitle: "Отсутствие врача", regReason: "Причина", regReason_sick: "болезнь", regReason_vacation: "отпуск",
  regReason_training: "обучение", regReason_other: "другое", regCheckAbsence: "Проверить",
  regAbsencePreview: "Будут отменены записи пациентов: {cancelled}; закрыто свободных слотов: {closed}. Пациенты получат письмо.",
  regConfirm: "Подтвердить отсутствие", regAbsenceDone: "Готово: отменено записей {cancelled}, закрыто слотов {closed}.",
}, {
  regTitle: "Registry", regClinic: "Polyclinic {clinic}.", regSignIn: "Sign in", regClinicId: "Polyclinic code",
  regSignInIntro: "Sign-in for registry staff: you work with your own polyclinic's data only.",
  regDayTitle: "Appointments of the day", regDate: "Date", regDoctorOptional: "Doctor (code, optional)", regShow: "Show",
  regDayEmpty: "No appointments on this day.", regTime: "Time", regNumber: "Ticket", regDoctor: "Doctor", regRoom: "Room",
  regPatient: "Patient", regBirthDate: "Birth date", regStatus: "Status", regAttendance: "Attendance",
  regCame: "Came", regNoShow: "No-show", regStatus_booked: "booked", regStatus_cancelled: "cancelled",
  regStatus_fulfilled: "came", regStatus_noshow: "no-show", regStatus_rescheduled: "moved",
  regPlanTitle: "Doctor and working plan", regDoctorId: "Doctor code", regDoctorName: "Doctor's full name", regSpecialty: "Specialty",
  regSlotMinutes: "Minutes per appointment", regWeek: "Working days and hours", regFrom: "from", regTo: "to", regPublish: "Publish",
  regWeekday1: "Mon", regWeekday2: "Tue", regWeekday3: "Wed", regWeekday4: "Thu", regWeekday5: "Fri", regWeekday6: "Sat", regWeekday7: "Sun",
  regPlanDone: "Published: {created} new slots, {closed} closed.",
  regConflicts: "Appointments that do not fit the new plan ({n}): decide whether to keep or cancel them.",
  regAbsenceTitle: "Doctor's absence", regReason: "Reason", regReason_sick: "illness", regReason_vacation: "leave",
  regReason_training: "training", regReason_other: "other", regCheckAbsence: "Check",
  regAbsencePreview: "Patients' appointments to be cancelled: {cancelled}; free slots to be closed: {closed}. Patients will be emailed.",
  regConfirm: "Confirm the absence", regAbsenceDone: "Done: {cancelled} appointments cancelled, {closed} slots closed.",
});

const KEY = "zapis.staffToken";
const CLINIC = "zapis.staffClinic";
const SPECIALTIES = ["therapist", "paediatrician", "surgeon", "ophthalmologist", "ent", "neurologist",
  "cardiologist", "endocrinologist", "dermatologist", "urologist", "gynaecologist", "dentist"];

function staffToken() {
  return sessionStorage.getItem(KEY);
}

function call(method, path, body) {
  return api(method, path, { body, fresh: true, headers: { Authorization: `Bearer ${staffToken()}` } });
}

function today() {
  return new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10); // Europe/Moscow, no DST
}

function message(kind, text) {
  return h("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

function failure(err) {
  return message("error", err instanceof ApiError ? errorText(err.code) : errorText("unknown"));
}

function field(label, input) {
  return h("label", { class: "field" }, h("span", { class: "label" }, label), input);
}

/** The route's view (app.js): the staff pages in the page's <main>. */
export function viewStaff() {
  return viewRegistry(document.getElementById("main"));
}

/** The staff pages. `main` is the page's <main>. */
export function viewRegistry(main) {
  document.title = `${t("regTitle")} — ${t("appTitle")}`;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t("regTitle"));
  const body = h("div", { class: "page-body" });
  main.replaceChildren(h("section", { class: "page", "aria-labelledby": "page-title" }, heading, body));
  heading.focus();
  if (!staffToken()) return signIn(body, main);
  const clinicId = sessionStorage.getItem(CLINIC);
  const out = h("button", { type: "button", class: "linklike", onclick: () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(CLINIC);
    viewRegistry(main);
  } }, t("navSignOut"));
  body.append(h("p", { class: "intro" }, t("regClinic", { clinic: clinicId }), " ", out),
    dayList(clinicId), planForm(clinicId), absenceForm(clinicId));
  return undefined;
}

function signIn(body, main) {
  const clinic = h("input", { id: "reg-clinic", name: "clinicId", required: true, autocomplete: "off", value: "cl0101" });
  const note = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "form", onsubmit: async (event) => {
    event.preventDefault();
    note.replaceChildren();
    try {
      const res = await fetch(config.tokenEndpoint, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ staff: true, clinicId: clinic.value.trim() }) });
      if (!res.ok) throw new ApiError("validation_error", res.status);
      sessionStorage.setItem(KEY, (await res.json()).token);
      sessionStorage.setItem(CLINIC, clinic.value.trim());
      viewRegistry(main);
    } catch (err) {
      note.replaceChildren(failure(err));
    }
  } }, field(t("regClinicId"), clinic), h("button", { type: "submit" }, t("regSignIn")));
  body.append(h("p", { class: "intro" }, t("regSignInIntro")), form, note);
}

// ---------------------------------------------------------------- the day list
function dayList(clinicId) {
  const day = h("input", { type: "date", id: "reg-day", name: "date", value: today(), required: true });
  const doctor = h("input", { id: "reg-day-doctor", name: "doctorId", placeholder: `${clinicId}-d01`, autocomplete: "off" });
  const result = h("div", { "aria-live": "polite" });
  let latest = 0;
  async function load() {
    const mine = ++latest; // only the last request asked for fills the list
    result.replaceChildren(message("info", t("loading")));
    const q = new URLSearchParams({ date: day.value });
    if (doctor.value.trim()) q.set("doctorId", doctor.value.trim());
    try {
      const { items } = await call("GET", `/v1/registry/clinics/${clinicId}/appointments?${q}`);
      if (mine === latest) result.replaceChildren(items.length ? table(items, load) : message("info", t("regDayEmpty")));
    } catch (err) {
      if (mine === latest) result.replaceChildren(failure(err));
    }
  }
  const form = h("form", { class: "form inline", onsubmit: (e) => { e.preventDefault(); load(); } },
    field(t("regDate"), day), field(t("regDoctorOptional"), doctor), h("button", { type: "submit" }, t("regShow")));
  setTimeout(load, 0);
  return h("section", { class: "registry-block", "aria-labelledby": "reg-day-title" },
    h("h2", { id: "reg-day-title" }, t("regDayTitle")), form, result);
}

function table(items, reload) {
  const now = Date.now();
  const row = (a) => {
    const started = Date.parse(a.start) <= now;
    const mark = (status) => h("button", { type: "button", class: "secondary", dataset: { mark: status },
      disabled: a.status !== "booked" || !started, onclick: async (event) => {
        event.target.disabled = true;
        try {
          await call("POST", `/v1/registry/appointments/${a.id}/attendance`, { status });
          reload();
        } catch (err) {
          event.target.after(failure(err));
        }
      } }, t(status === "fulfilled" ? "regCame" : "regNoShow"));
    const p = a.patient;
    return h("tr", { dataset: { appointment: a.id } },
      h("td", {}, formatTime(a.start)), h("td", {}, a.number), h("td", {}, a.doctorName), h("td", {}, a.room),
      h("td", {}, [p.lastName, p.firstName, p.middleName].filter(Boolean).join(" ")), h("td", {}, p.birthDate),
      h("td", { class: "status" }, t(`regStatus_${a.status}`)), h("td", {}, mark("fulfilled"), " ", mark("noshow")));
  };
  const head = ["regTime", "regNumber", "regDoctor", "regRoom", "regPatient", "regBirthDate", "regStatus", "regAttendance"];
  return h("table", { class: "day-list" }, h("thead", {}, h("tr", {}, head.map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, items.map(row)));
}

// ---------------------------------------------------------------- a doctor's plan
function planForm(clinicId) {
  const input = (id, attrs = {}) => h("input", { id, name: id, autocomplete: "off", ...attrs });
  const doctorId = input("plan-doctor", { required: true, placeholder: `${clinicId}-d20`, pattern: `${clinicId}-d\\d{1,4}` });
  const name = input("plan-name", { required: true, minlength: 3 });
  const room = input("plan-room", { required: true });
  const minutes = input("plan-minutes", { type: "number", min: 5, max: 120, value: 20, required: true });
  const specialty = h("select", { id: "plan-specialty", name: "specialtyId" },
    SPECIALTIES.map((s) => h("option", { value: s }, s)));
  const days = [1, 2, 3, 4, 5, 6, 7].map((wd) => ({
    wd,
    on: h("input", { type: "checkbox", id: `plan-on-${wd}`, checked: wd <= 5 }),
    from: h("input", { type: "time", id: `plan-from-${wd}`, value: "08:00", "aria-label": `${t(`regWeekday${wd}`)} ${t("regFrom")}` }),
    to: h("input", { type: "time", id: `plan-to-${wd}`, value: "14:00", "aria-label": `${t(`regWeekday${wd}`)} ${t("regTo")}` }),
  }));
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "form", onsubmit: async (event) => {
    event.preventDefault();
    const plan = days.filter((d) => d.on.checked).map((d) => ({ weekday: d.wd, from: d.from.value, to: d.to.value }));
    try {
      const answer = await call("PUT", `/v1/registry/clinics/${clinicId}/doctors/${doctorId.value.trim()}`, {
        name: name.value.trim(), specialtyId: specialty.value, room: room.value.trim(),
        slotMinutes: Number(minutes.value), plan });
      const lines = [message("success", t("regPlanDone", { created: answer.slotsCreated, closed: answer.slotsClosed }))];
      if (answer.conflicts.length) {
        lines.push(message("warning", t("regConflicts", { n: answer.conflicts.length })),
          h("ul", {}, answer.conflicts.map((c) => h("li", {}, `${formatTime(c.start)} ${c.start.slice(0, 10)} — ${c.appointmentId}`))));
      }
      result.replaceChildren(...lines);
    } catch (err) {
      result.replaceChildren(failure(err));
    }
  } },
  field(t("regDoctorId"), doctorId), field(t("regDoctorName"), name), field(t("regSpecialty"), specialty),
  field(t("regRoom"), room), field(t("regSlotMinutes"), minutes),
  h("fieldset", {}, h("legend", {}, t("regWeek")), days.map((d) => h("div", { class: "plan-day" },
    h("label", {}, d.on, " ", t(`regWeekday${d.wd}`)), " ", d.from, " – ", d.to))),
  h("button", { type: "submit" }, t("regPublish")));
  return h("section", { class: "registry-block", "aria-labelledby": "reg-plan-title" },
    h("h2", { id: "reg-plan-title" }, t("regPlanTitle")), form, result);
}

// ---------------------------------------------------------------- an absence
function absenceForm(clinicId) {
  const doctorId = h("input", { id: "abs-doctor", name: "doctorId", required: true, placeholder: `${clinicId}-d01`, autocomplete: "off" });
  const from = h("input", { type: "date", id: "abs-from", name: "from", required: true, value: today() });
  const to = h("input", { type: "date", id: "abs-to", name: "to", required: true, value: today() });
  const reason = h("select", { id: "abs-reason", name: "reason" },
    ["sick", "vacation", "training", "other"].map((r) => h("option", { value: r }, t(`regReason_${r}`))));
  const result = h("div", { "aria-live": "polite" });
  const send = (dryRun) => call("POST", `/v1/registry/clinics/${clinicId}/doctors/${doctorId.value.trim()}/absences`,
    { from: from.value, to: to.value, reason: reason.value, dryRun });
  const form = h("form", { class: "form", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const preview = await send(true);
      const confirm = h("button", { type: "button", id: "abs-confirm", onclick: async () => {
        confirm.disabled = true;
        try {
          const done = await send(false);
          result.replaceChildren(message("success", t("regAbsenceDone", { cancelled: done.cancelledAppointments, closed: done.closedSlots })));
        } catch (err) {
          result.replaceChildren(failure(err));
        }
      } }, t("regConfirm"));
      result.replaceChildren(message("warning", t("regAbsencePreview", { cancelled: preview.cancelledAppointments, closed: preview.closedSlots })), confirm);
      confirm.focus();
    } catch (err) {
      result.replaceChildren(failure(err));
    }
  } }, field(t("regDoctorId"), doctorId), field(t("regFrom"), from), field(t("regTo"), to), field(t("regReason"), reason),
  h("button", { type: "submit" }, t("regCheckAbsence")));
  return h("section", { class: "registry-block", "aria-labelledby": "reg-abs-title", lang: lang() },
    h("h2", { id: "reg-abs-title" }, t("regAbsenceTitle")), form, result);
}
