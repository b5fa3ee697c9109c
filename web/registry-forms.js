// The head of registry's forms: a doctor's plan (PUT /v1/registry/clinics/{id}/doctors/{doctorId}: specialties by
// name, "by referral" marked, the English name) and a doctor's absence (POST .../absences: first a dry run that
// counts the patients it affects, then the confirmation). A doctor code of another clinic is caught before
// anything is sent; after every answer the focus goes to its message.
import { ApiError } from "./api.js";
import { errorText, formatTime, lang, t } from "./i18n.js";
import { call, failure, field, fieldError, input, note, select, show } from "./registry-common.js";
import { appointments, SPECIALTIES } from "./registry-texts.js";
import { clinicToday, h } from "./ui.js";

const DOCTOR_ID = /^([a-z0-9]{2,24})-d\d{1,4}$/;

/** Why `value` is not a doctor code of `clinicId` (a message), or null when it is one. */
function doctorProblem(clinicId, value) {
  const prefix = `${clinicId}-d`;
  if (!value) return t("regRequired");
  const m = value.match(DOCTOR_ID);
  if (m && m[1] !== clinicId) return t("regDoctorOtherClinic", { id: value, prefix });
  return m ? null : t("regDoctorIdBad", { prefix });
}

/** The API's refusal as the message of its field (focused), or of the week (`result`): true when it was shown. */
function fieldRefusal(err, controls, clinicId, result) {
  if (!(err instanceof ApiError)) return false;
  const { doctorId } = controls;
  const id = doctorId.value.trim().toLowerCase();
  if (err.code === "not_found") {
    fieldError(doctorId, doctorProblem(clinicId, id) || t("regDoctorUnknown", { id }));
    doctorId.focus();
    return true;
  }
  const texts = {
    doctorId: () => doctorProblem(clinicId, id) || t("regDoctorOtherClinic", { id, prefix: `${clinicId}-d` }),
    specialtyId: () => t("regSpecialtyBad"),
    from: () => t("regDatesBad"),
    to: () => t("regDatesBad"),
  };
  const fields = (err.code === "validation_error" && err.details && err.details.fields) || [];
  for (const f of fields) {
    const name = String(f.field || "").split(".")[0];
    if (name.startsWith("plan")) {
      show(result, note("error", t("regPlanBad")));
      return true;
    }
    const control = controls[name];
    if (!control) continue;
    result.replaceChildren();
    fieldError(control, texts[name] ? texts[name]() : errorText("validation_error"));
    control.focus();
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- a doctor's plan
function specialtyOptions() {
  const en = lang() === "en";
  return SPECIALTIES.map((s) => [s.id, `${en ? s.en : s.ru}${s.referral ? ` — ${t("regReferralMark")}` : ""}`]);
}

function weekRows() {
  return [1, 2, 3, 4, 5, 6, 7].map((wd) => {
    const long = t(`regWeekdayLong${wd}`);
    const time = (value, word) => input({ type: "time", value, step: 300, class: "reg-time", id: `plan-${word}-${wd}`,
      "aria-label": `${long}, ${t(word === "from" ? "regFrom" : "regTo")}` });
    const row = { wd, from: time("08:00", "from"), to: time("14:00", "to") };
    row.on = h("button", { type: "button", class: "button secondary reg-day-toggle", id: `plan-on-${wd}`,
      "aria-pressed": String(wd <= 5), "aria-describedby": "plan-week-hint", onclick: () => setDay(row, row.on.getAttribute("aria-pressed") !== "true") },
    t(`regWeekday${wd}`));
    setDay(row, wd <= 5);
    return row;
  });
}

function setDay(row, on) {
  row.on.setAttribute("aria-pressed", String(on));
  row.from.disabled = !on;
  row.to.disabled = !on;
}

export function planForm(clinicId, again) {
  const prefix = `${clinicId}-d`;
  const controls = {
    doctorId: input({ name: "doctorId", required: true, placeholder: `${prefix}20`, autocapitalize: "none", spellcheck: "false" }),
    name: input({ name: "name", required: true, autocomplete: "off" }),
    nameEn: input({ name: "nameEn", lang: "en", autocomplete: "off" }),
    specialtyId: select(specialtyOptions(), "therapist", { name: "specialtyId" }),
    room: input({ name: "room", required: true }),
    slotMinutes: input({ type: "number", name: "slotMinutes", min: 5, max: 120, value: 20, required: true, inputmode: "numeric" }),
  };
  const days = weekRows();
  const result = h("div", {});
  const check = () => {
    const c = controls;
    const bad = [
      fieldError(c.doctorId, doctorProblem(clinicId, c.doctorId.value.trim().toLowerCase())) ? c.doctorId : null,
      fieldError(c.name, c.name.value.trim().length < 3 ? t("regNameShort") : null) ? c.name : null,
      fieldError(c.room, c.room.value.trim() ? null : t("regRequired")) ? c.room : null,
    ].filter(Boolean);
    if (bad.length) bad[0].focus();
    return !bad.length;
  };
  const form = h("form", { class: "reg-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!check()) return;
    const c = controls;
    const plan = days.filter((d) => d.on.getAttribute("aria-pressed") === "true")
      .map((d) => ({ weekday: d.wd, from: d.from.value, to: d.to.value }));
    const body = { name: c.name.value.trim(), specialtyId: c.specialtyId.value, room: c.room.value.trim(),
      slotMinutes: Number(c.slotMinutes.value), plan };
    if (c.nameEn.value.trim()) body.nameEn = c.nameEn.value.trim();
    const doctorId = c.doctorId.value.trim().toLowerCase();
    try {
      const answer = await call("PUT", `/v1/registry/clinics/${encodeURIComponent(clinicId)}/doctors/${encodeURIComponent(doctorId)}`, body);
      const who = [answer.doctor && answer.doctor.name, answer.doctor && answer.doctor.specialty].filter(Boolean).join(", ");
      const box = note("success", t("regPlanDone", { doctor: who || doctorId, created: appointments(answer.slotsCreated),
        closed: appointments(answer.slotsClosed) }));
      if (answer.conflicts.length) {
        box.append(h("p", {}, t("regConflicts", { n: answer.conflicts.length })),
          h("ul", {}, answer.conflicts.map((x) => h("li", {}, `${x.start.slice(0, 10)} ${formatTime(x.start)} — ${x.appointmentId || x.slotId}`))));
      }
      show(result, box);
    } catch (err) {
      if (!fieldRefusal(err, controls, clinicId, result)) show(result, failure(err, again));
    }
  } },
  field("plan-doctor", t("regDoctorId"), controls.doctorId, t("regDoctorIdHint", { prefix })),
  field("plan-name", t("regDoctorName"), controls.name),
  field("plan-name-en", t("regDoctorNameEn"), controls.nameEn, t("regDoctorNameEnHint")),
  field("plan-specialty", t("regSpecialty"), controls.specialtyId, t("regReferralHint")),
  field("plan-room", t("regRoom"), controls.room),
  field("plan-minutes", t("regSlotMinutes"), controls.slotMinutes),
  h("fieldset", { class: "reg-week" }, h("legend", {}, t("regWeek")),
    h("p", { class: "hint", id: "plan-week-hint" }, t("regWeekHint")),
    days.map((d) => h("div", { class: "reg-day" }, d.on, d.from, h("span", { "aria-hidden": "true" }, "–"), d.to))),
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regPublish"))));
  return h("section", { class: "reg-section", "aria-labelledby": "reg-plan-title" },
    h("h2", { id: "reg-plan-title", tabindex: "-1" }, t("regPlanTitle")), form, result);
}

// ---------------------------------------------------------------- an absence
export function absenceForm(clinicId, again) {
  const controls = {
    doctorId: input({ name: "doctorId", required: true, placeholder: `${clinicId}-d01`, autocapitalize: "none", spellcheck: "false" }),
    from: input({ type: "date", name: "from", required: true, value: clinicToday() }),
    to: input({ type: "date", name: "to", required: true, value: clinicToday() }),
    reason: select(["sick", "vacation", "training", "other"].map((r) => [r, t(`regReason_${r}`)]), "sick", { name: "reason" }),
  };
  const result = h("div", {});
  let asked = null; // what the preview counted: the confirmation sends exactly that
  let busy = false;
  const send = (what, dryRun) => call("POST",
    `/v1/registry/clinics/${encodeURIComponent(clinicId)}/doctors/${encodeURIComponent(what.doctorId)}/absences`,
    { from: what.from, to: what.to, reason: what.reason, dryRun });
  async function confirm() {
    if (busy || !asked) return;
    busy = true;
    try {
      const done = await send(asked, false);
      asked = null;
      show(result, note("success", t("regAbsenceDone", { cancelled: done.cancelledAppointments, closed: appointments(done.closedSlots) })));
    } catch (err) {
      show(result, failure(err, again));
    } finally {
      busy = false;
    }
  }
  const form = h("form", { class: "reg-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const c = controls;
    const what = { doctorId: c.doctorId.value.trim().toLowerCase(), from: c.from.value, to: c.to.value, reason: c.reason.value };
    const bad = [
      fieldError(c.doctorId, doctorProblem(clinicId, what.doctorId)) ? c.doctorId : null,
      fieldError(c.from, what.from ? null : t("regRequired")) ? c.from : null,
      fieldError(c.to, !what.to ? t("regRequired") : what.to < what.from ? t("regDatesBad") : null) ? c.to : null,
    ].filter(Boolean);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    asked = null;
    try {
      const preview = await send(what, true);
      asked = what;
      show(result, note("warn", t("regAbsencePreview", { cancelled: preview.cancelledAppointments, closed: appointments(preview.closedSlots) }),
        h("p", { class: "actions" }, h("button", { type: "button", class: "button primary", id: "abs-confirm", onclick: confirm }, t("regConfirm")))));
    } catch (err) {
      if (!fieldRefusal(err, controls, clinicId, result)) show(result, failure(err, again));
    }
  } },
  field("abs-doctor", t("regDoctorId"), controls.doctorId, t("regDoctorIdHint", { prefix: `${clinicId}-d` })),
  field("abs-from", t("regAbsenceFrom"), controls.from), field("abs-to", t("regAbsenceTo"), controls.to),
  field("abs-reason", t("regReason"), controls.reason),
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regCheckAbsence"))));
  return h("section", { class: "reg-section", "aria-labelledby": "reg-abs-title" },
    h("h2", { id: "reg-abs-title", tabindex: "-1" }, t("regAbsenceTitle")), form, result);
}
