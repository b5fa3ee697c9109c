// The day list (GET /v1/registry/clinics/{id}/appointments): one card per appointment (time, ticket, patient with
// age, doctor and room, status), readable on a 360 px phone, with «Пришёл»/«Не пришёл» once the appointment has
// started. The buttons come alive without a reload (checked every few seconds); after a mark the card changes in
// place and the focus stays on its status.
import { formatDay, formatTime, t } from "./i18n.js";
import { call, failure, field, fieldError, input, note, show } from "./registry-common.js";
import { age, appointments } from "./registry-texts.js";
import { onLeave } from "./state.js";
import { clinicToday, h } from "./ui.js";

const TICK = 15_000; // how often the attendance buttons are checked against the clock

export function dayList(clinicId, again) {
  const day = input({ type: "date", name: "date", value: clinicToday(), required: true });
  const doctor = input({ name: "doctorId", placeholder: `${clinicId}-d01`, autocapitalize: "none", spellcheck: "false" });
  const summary = h("div", {});
  const list = h("ul", { class: "reg-list", "aria-labelledby": "reg-day-title" });
  let latest = 0;
  async function load() {
    const mine = ++latest; // only the last request asked for fills the list
    const doctorId = doctor.value.trim().toLowerCase();
    if (doctorId && !doctorId.startsWith(`${clinicId}-d`)) {
      fieldError(doctor, t("regDoctorOtherClinic", { id: doctorId, prefix: `${clinicId}-d` }));
      doctor.focus();
      return;
    }
    fieldError(doctor, null);
    summary.replaceChildren(note("info", t("loading")));
    list.setAttribute("aria-busy", "true");
    const q = new URLSearchParams({ date: day.value || clinicToday() });
    if (doctorId) q.set("doctorId", doctorId);
    try {
      const { items } = await call("GET", `/v1/registry/clinics/${encodeURIComponent(clinicId)}/appointments?${q}`);
      if (mine !== latest) return;
      summary.replaceChildren(note("info", items.length
        ? t("regDayCount", { day: formatDay(q.get("date")), what: appointments(items.length) }) : t("regDayEmpty")));
      list.replaceChildren(...items.map((a) => card(a, again)));
    } catch (err) {
      if (mine !== latest) return;
      list.replaceChildren();
      show(summary, failure(err, again));
    } finally {
      if (mine === latest) list.removeAttribute("aria-busy");
    }
  }
  const timer = setInterval(() => liven(list), TICK);
  onLeave(() => clearInterval(timer));
  const form = h("form", { class: "reg-filter", novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    load();
  } }, field("reg-day", t("regDate"), day), field("reg-day-doctor", t("regDoctorOptional"), doctor),
  h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("regShow"))));
  setTimeout(load, 0);
  return h("section", { class: "reg-section", "aria-labelledby": "reg-day-title" },
    h("h2", { id: "reg-day-title", tabindex: "-1" }, t("regDayTitle")), form, summary, list);
}

function patientLine(p = {}) {
  const name = [p.lastName, p.firstName, p.middleName].filter(Boolean).join(" ");
  const parts = [name];
  if (Number.isInteger(p.age)) parts.push(age(p.age));
  if (p.birthDate) parts.push(t("regBorn", { date: formatDay(p.birthDate, false) }));
  return parts.join(", ");
}

function card(a, again) {
  const li = h("li", { class: "card reg-card", dataset: { appointment: a.id, start: a.start } });
  fill(li, a, again);
  return li;
}

function started(a) {
  return Date.parse(a.start) <= Date.now();
}

/** The card's content for appointment `a` as it is now. */
function fill(li, a, again) {
  const hintId = `reg-when-${li.dataset.appointment.replace(/[^\w-]/g, "_")}`;
  const open = started(a);
  const mark = (status, cls, label) => h("button", {
    type: "button", class: `button ${cls}`, dataset: { mark: status }, disabled: !open,
    "aria-describedby": open ? null : hintId, onclick: () => markAttendance(li, a, status, again),
  }, t(label));
  const marks = a.status === "booked" ? h("div", { class: "reg-marks" },
    h("p", { class: "hint", id: hintId, hidden: open }, t("regNotStarted", { time: formatTime(a.start) })),
    h("p", { class: "actions" }, mark("fulfilled", "primary", "regCame"), mark("noshow", "secondary", "regNoShow"))) : null;
  li.dataset.status = a.status;
  li.replaceChildren(
    h("h3", { class: "title" }, `${formatTime(a.start)} · ${t("regNumber", { number: a.number })}`),
    h("p", { class: "reg-patient" }, h("span", { class: "label" }, `${t("regPatientLabel")}: `), patientLine(a.patient)),
    h("p", { class: "meta" }, `${t("regDoctorLabel")}: `, t("regDoctorRoom", { doctor: a.doctorName, room: a.room })),
    h("p", { class: "reg-status", tabindex: "-1" }, `${t("regStatusLabel")}: `,
      h("span", { class: `badge status-${a.status}` }, t(`regStatus_${a.status}`))),
    ...(marks ? [marks] : []));
}

/** Turn on the attendance buttons of the appointments that have started since the list was shown. */
function liven(list) {
  for (const li of list.querySelectorAll('li[data-status="booked"]')) {
    if (Date.parse(li.dataset.start) > Date.now()) continue;
    for (const button of li.querySelectorAll("button[data-mark]:disabled")) {
      button.disabled = false;
      button.removeAttribute("aria-describedby");
    }
    const hint = li.querySelector(".reg-marks .hint");
    if (hint) hint.hidden = true;
  }
}

async function markAttendance(li, a, status, again) {
  if (li.getAttribute("aria-busy") === "true") return; // the first click's request is still on its way
  li.setAttribute("aria-busy", "true");
  try {
    const { appointment } = await call("POST", `/v1/registry/appointments/${encodeURIComponent(a.id)}/attendance`, { status });
    a.status = appointment.status;
    fill(li, a, again);
    li.querySelector(".reg-status").focus();
  } catch (err) {
    li.querySelector(".reg-card-error")?.remove();
    const box = failure(err, again);
    box.classList.add("reg-card-error");
    li.append(box);
    box.focus();
  } finally {
    li.removeAttribute("aria-busy");
  }
}
