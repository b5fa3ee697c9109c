// The patient's way through: district -> polyclinic -> specialty -> doctor -> date and time -> form ->
// ticket; plus cancellation, "my appointments", the address look-up and signing in. Hash routes (#/...)
// so the static hosting (S3 + CloudFront) needs no rewrites, and the emailed link #/cancel/<id> works.
import { api, ApiError, config, forget, loadConfig, serverNow } from "./api.js";
import * as auth from "./auth.js";
import { h, skeleton } from "./dom.js";
import { ticketIcs } from "./ics.js";
import { viewRegistry } from "./registry.js";
import {
  errorText, formatDay, formatShortDay, formatTime, formatWhen, lang, setLang, t, weekday,
} from "./i18n.js";
import { check, clean, clinicToday } from "./validate.js";

const main = document.getElementById("main");
const statusRegion = document.getElementById("status");
let flash = null; // a message the next page shows first: {code} or {text}
let cleanups = []; // timers of the page being left
let generation = 0; // a newer navigation makes older async renders drop their results
let firstRender = true;

// ---------------------------------------------------------------- small helpers
const store = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(`zapis.${key}`) || "null");
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(`zapis.${key}`, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(`zapis.${key}`);
  },
};

function announce(text) {
  statusRegion.textContent = "";
  setTimeout(() => {
    statusRegion.textContent = text;
  }, 50);
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function addDays(isoDate, n) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function patientName(p) {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(" ");
}

/** A page: its heading (focused after navigation), optional breadcrumbs and intro, and a body. */
function page(title, { crumbs = null, intro = null } = {}) {
  document.title = `${title} — ${t("appTitle")}`;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, title);
  const body = h("div", { class: "page-body" });
  const nav = h("nav", { class: "crumbs", "aria-label": t("crumbs") });
  if (crumbs) fillCrumbs(nav, crumbs);
  const section = h("section", { class: "page", "aria-labelledby": "page-title" },
    nav, heading, intro ? h("p", { class: "intro" }, intro) : null, body);
  main.replaceChildren(section);
  if (flash) {
    body.append(messageBox(flash));
    flash = null;
  }
  if (!firstRender) heading.focus();
  firstRender = false;
  return { body, nav, heading };
}

function fillCrumbs(nav, crumbs) {
  nav.replaceChildren(h("ol", {}, crumbs.map(([label, href]) =>
    h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)))));
}

/** A message for an API error or a page notice, with what the patient can do next. */
function messageBox(what, { retry = null } = {}) {
  const code = what.code;
  const text = what.text || errorText(code);
  const actions = [];
  if (retry && (what instanceof ApiError ? what.retryable : false)) {
    actions.push(h("button", { type: "button", class: "button", onclick: retry }, t("retry")));
  }
  if (code === "not_attached") actions.push(h("a", { href: "#/address", class: "button secondary" }, t("errorActionAddress")));
  if (code === "already_booked_specialty") actions.push(h("a", { href: "#/my", class: "button secondary" }, t("errorActionMy")));
  if (code === "unauthorized") actions.push(h("a", { href: "#/signin", class: "button secondary" }, t("errorActionSignIn")));
  const kind = what.kind || (code ? "error" : "info");
  return h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status", dataset: { code: code || "" } },
    h("p", {}, text), actions.length ? h("p", { class: "actions" }, actions) : null);
}

/** Fill `container` from `load()`, with placeholders meanwhile and a retry button on failure. */
async function loadInto(container, load, render, rows = 4) {
  const mine = generation;
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(skeleton(rows));
  try {
    const data = await load();
    if (mine !== generation) return;
    container.replaceChildren(...[render(data)].flat().filter((x) => x !== null && x !== undefined && x !== false));
  } catch (err) {
    if (mine !== generation) return;
    if (!(err instanceof ApiError)) throw err;
    container.replaceChildren(messageBox(err, { retry: () => loadInto(container, load, render, rows) }));
  } finally {
    container.removeAttribute("aria-busy");
  }
}

function cards(items, renderItem, cls = "cards") {
  return h("ul", { class: cls }, items.map((item) => h("li", {}, renderItem(item))));
}

function slotsInfo(item) {
  return [
    h("span", { class: "free" }, item.freeSlots ? t("freeSlots", { n: item.freeSlots }) : t("noFreeSlots")),
    item.nearestSlot ? h("span", { class: "nearest" }, t("nearest", { when: formatWhen(item.nearestSlot) })) : null,
  ];
}

// ---------------------------------------------------------------- reference data (cached by api.js)
const load = {
  districts: () => api("GET", "/v1/districts").then((r) => r.items),
  clinics: (d) => api("GET", `/v1/districts/${encodeURIComponent(d)}/clinics`).then((r) => r.items),
  clinic: (c) => api("GET", `/v1/clinics/${encodeURIComponent(c)}`),
  specialties: (c, fresh = false) => api("GET", `/v1/clinics/${encodeURIComponent(c)}/specialties`, { fresh }).then((r) => r.items),
  doctors: (c, s, fresh = false) =>
    api("GET", `/v1/clinics/${encodeURIComponent(c)}/specialties/${encodeURIComponent(s)}/doctors`, { fresh }).then((r) => r.items),
};

function notFound() {
  return new ApiError("not_found", 404);
}

// ---------------------------------------------------------------- views
async function viewDistricts() {
  const { body } = page(t("districtsTitle"), {
    intro: [t("districtsIntro"), " ", h("a", { href: "#/address" }, t("districtsFind"))],
  });
  const mine = h("div", { class: "attachment" });
  const list = h("div", {});
  body.append(mine, list);
  if (auth.signedIn()) showMyClinic(mine);
  await loadInto(list, load.districts, (districts) =>
    cards(districts, (d) => h("a", { href: `#/district/${d.id}`, class: "card link" }, h("span", { class: "title" }, d.name)), "cards grid"), 9);
}

async function showMyClinic(container) {
  // The attachment of a signed-in patient: a shortcut to their own polyclinic. Silent when unknown.
  try {
    const found = await api("GET", "/v1/me/attachment", { auth: true });
    const clinic = found && (found.clinic || found);
    const id = clinic && (clinic.id || clinic.clinicId || found.clinicId);
    if (!id) return;
    const name = clinic.name || (await load.clinic(id)).name;
    container.replaceChildren(h("p", { class: "message info" }, t("myClinic", { name }), " ",
      h("a", { href: `#/clinic/${id}` }, t("bookHere"))));
  } catch {
    /* no attachment or no route: the district list is enough */
  }
}

async function viewClinics({ district }) {
  const { body, nav } = page(t("clinicsTitle"), { crumbs: [[t("home"), "#/"]] });
  load.districts().then((ds) => {
    const d = ds.find((x) => x.id === district);
    if (d) fillCrumbs(nav, [[t("home"), "#/"], [d.name, null]]);
  }).catch(() => {});
  await loadInto(body, () => load.clinics(district), (clinics) =>
    cards(clinics, (c) => h("a", { href: `#/clinic/${c.id}`, class: "card link" },
      h("span", { class: "title" }, c.name), h("span", { class: "meta" }, c.address), h("span", { class: "meta" }, c.phone))), 2);
}

function clinicCrumbs(clinic, extra = []) {
  return [[t("home"), "#/"], [clinic.districtName, `#/district/${clinic.districtId}`], ...extra];
}

function clinicHeader(clinic) {
  return h("div", { class: "clinic-head" },
    h("p", { class: "clinic-name" }, clinic.name),
    h("p", { class: "meta" }, clinic.address, " · ", h("a", { href: `tel:${clinic.phone.replace(/[^\d+]/g, "")}` }, clinic.phone)),
    clinic.workingHours ? h("p", { class: "meta" }, `${t("workingHours")}: ${clinic.workingHours}`) : null);
}

async function viewSpecialties({ clinic: clinicId }) {
  const { body, nav } = page(t("specialtiesTitle"), { crumbs: [[t("home"), "#/"]] });
  await loadInto(body, async () => {
    const [clinic, specialties] = await Promise.all([load.clinic(clinicId), load.specialties(clinicId, true)]);
    return { clinic, specialties };
  }, ({ clinic, specialties }) => {
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, null]]));
    return [clinicHeader(clinic), cards(specialties, (s) => {
      const inner = [
        h("span", { class: "title" }, s.name),
        s.referralRequired ? h("span", { class: "badge referral" }, t("referral")) : null,
        h("span", { class: "meta" }, slotsInfo(s)),
      ];
      return s.freeSlots
        ? h("a", { href: `#/clinic/${clinic.id}/specialty/${s.id}`, class: "card link", dataset: { specialty: s.id } }, inner)
        : h("div", { class: "card muted", dataset: { specialty: s.id } }, inner);
    })];
  }, 6);
}

async function viewDoctors({ clinic: clinicId, specialty: specialtyId }) {
  const { body, nav } = page(t("doctorsTitle"), { crumbs: [[t("home"), "#/"]] });
  await loadInto(body, async () => {
    const [clinic, specialties, doctors] = await Promise.all([
      load.clinic(clinicId), load.specialties(clinicId), load.doctors(clinicId, specialtyId, true)]);
    const specialty = specialties.find((s) => s.id === specialtyId);
    if (!specialty) throw notFound();
    return { clinic, specialty, doctors };
  }, ({ clinic, specialty, doctors }) => {
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, `#/clinic/${clinic.id}`], [specialty.name, null]]));
    return [
      h("p", { class: "lead" }, specialty.name, " · ", clinic.name),
      specialty.referralRequired ? h("p", { class: "message warn" }, t("referralNote")) : null,
      cards(doctors, (d) => {
        const inner = [h("span", { class: "title" }, d.name), h("span", { class: "meta" }, t("room", { room: d.room })),
          h("span", { class: "meta" }, slotsInfo(d))];
        return d.freeSlots
          ? h("a", { href: `#/clinic/${clinic.id}/specialty/${specialty.id}/doctor/${d.id}`, class: "card link" }, inner)
          : h("div", { class: "card muted" }, inner);
      }),
    ];
  }, 2);
}

async function viewCalendar({ clinic: clinicId, specialty: specialtyId, doctor: doctorId }) {
  const { body, nav } = page(t("calendarTitle"), { crumbs: [[t("home"), "#/"]] });
  const head = h("div", { class: "doctor-head" }, h("p", { class: "lead placeholder" }, "\u00a0"));
  const calendar = h("div", { class: "calendar-area" });
  body.append(head, calendar);
  const today = clinicToday();
  const days = Array.from({ length: 14 }, (_, i) => addDays(today, i));
  let chosenDay = store.get("day");

  const info = Promise.all([load.clinic(clinicId), load.specialties(clinicId), load.doctors(clinicId, specialtyId)]);
  info.then(([clinic, specialties, doctors]) => {
    const specialty = specialties.find((s) => s.id === specialtyId);
    const doctor = doctors.find((d) => d.id === doctorId);
    if (!specialty || !doctor) return;
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, `#/clinic/${clinic.id}`],
      [specialty.name, `#/clinic/${clinic.id}/specialty/${specialty.id}`], [doctor.name, null]]));
    head.replaceChildren(h("p", { class: "lead" }, doctor.name, " · ", specialty.name),
      h("p", { class: "meta" }, clinic.name, ", ", clinic.address, " · ", t("room", { room: doctor.room })));
    if (specialty.referralRequired) head.append(h("p", { class: "message warn" }, t("referralNote")));
  }).catch(() => {});

  const show = () => loadInto(calendar, async () => {
    const r = await api("GET", `/v1/doctors/${encodeURIComponent(doctorId)}/slots?from=${days[0]}&to=${days[13]}`, { fresh: true });
    return r.items;
  }, (slots) => {
    const byDay = new Map(days.map((d) => [d, []]));
    for (const s of slots) byDay.get(s.start.slice(0, 10))?.push(s);
    if (!slots.length) return h("p", { class: "message info" }, t("calendarNone"));
    if (!chosenDay || !byDay.get(chosenDay)?.length) chosenDay = days.find((d) => byDay.get(d).length);
    const times = h("div", { class: "times-area" });
    const dayButtons = days.map((d) => {
      const n = byDay.get(d).length;
      return h("button", {
        type: "button", class: "day", "aria-pressed": String(d === chosenDay), disabled: !n, dataset: { day: d },
        onclick: () => {
          chosenDay = d;
          store.set("day", d);
          for (const b of dayButtons) b.setAttribute("aria-pressed", String(b.dataset.day === d));
          renderTimes();
        },
      }, h("span", { class: "wd" }, weekday(d)), h("span", { class: "dd" }, formatShortDay(d)),
      h("span", { class: "n" }, n ? t("slotsCount", { n }) : "—"));
    });
    const renderTimes = () => {
      const list = byDay.get(chosenDay);
      times.replaceChildren(
        h("h2", { id: "times-title" }, t("slotsOn", { day: formatDay(chosenDay) })),
        list.length
          ? h("ul", { class: "times", "aria-labelledby": "times-title" }, list.map((s) =>
            h("li", {}, h("button", { type: "button", class: "time", dataset: { slot: s.id }, onclick: (e) => hold(s, e.currentTarget) },
              formatTime(s.start)))))
          : h("p", {}, t("dayNone")));
    };
    renderTimes();
    return [h("h2", { class: "visually-hidden" }, t("calendarDays")), h("div", { class: "days", role: "group", "aria-label": t("calendarDays") }, dayButtons), times];
  }, 3);

  async function hold(slot, button) {
    for (const b of calendar.querySelectorAll("button")) b.disabled = true;
    button.setAttribute("aria-busy", "true");
    announce(t("holding"));
    try {
      const held = await api("POST", "/v1/holds", { body: { slotId: slot.id } });
      // The countdown runs on this device's clock: shift the server's deadline by the clocks' difference.
      const skew = serverNow() === null ? 0 : Date.now() - serverNow();
      held.deadline = Date.parse(held.expiresAt) + skew - 1000; // the Date header counts whole seconds
      const [clinic, specialties, doctors] = await info;
      const specialty = specialties.find((s) => s.id === specialtyId);
      const doctor = doctors.find((d) => d.id === doctorId);
      store.set("flow", {
        clinic: { id: clinic.id, name: clinic.name, address: clinic.address },
        specialty: { id: specialty.id, name: specialty.name },
        doctor: { id: doctor.id, name: doctor.name, room: slot.room || doctor.room },
        slot, hold: held,
        back: `#/clinic/${clinicId}/specialty/${specialtyId}/doctor/${doctorId}`,
      });
      go("#/book");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (["slot_unavailable", "hold_expired", "not_found"].includes(err.code)) {
        flash = { code: "slot_unavailable" };
        viewCalendar({ clinic: clinicId, specialty: specialtyId, doctor: doctorId });
      } else {
        await show();
        calendar.prepend(messageBox(err, { retry: () => hold(slot, button) }));
      }
    }
  }

  await show();
}

// ---------------------------------------------------------------- the form and the hold
const FIELDS = [
  // name, label key, required, input attributes
  ["lastName", "lastName", true, { autocomplete: "family-name" }],
  ["firstName", "firstName", true, { autocomplete: "given-name" }],
  ["middleName", "middleName", false, { autocomplete: "additional-name" }],
  ["birthDate", "birthDate", true, { type: "date", autocomplete: "bday", min: "1900-01-01" }],
  ["policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }],
  ["policySeries", "policySeries", false, { autocomplete: "off" }],
  ["email", "email", true, { type: "email", autocomplete: "email", hint: "emailHint" }],
  ["phone", "phoneOpt", false, { type: "tel", autocomplete: "tel" }],
];

function field(name, labelKey, required, attrs, value = "", readonly = false) {
  const id = `f-${name}`;
  const { hint, ...inputAttrs } = attrs;
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const input = h("input", {
    id, name, type: "text", ...inputAttrs, required: required && !readonly, readonly, value,
    "aria-describedby": describedBy, max: name === "birthDate" ? clinicToday() : null,
  });
  const error = h("p", { class: "field-error", id: `${id}-error` });
  if (!readonly) {
    input.addEventListener("blur", () => showFieldError(input, required));
    input.addEventListener("input", () => {
      if (input.getAttribute("aria-invalid") === "true") showFieldError(input, required);
    });
  }
  return h("div", { class: "field" },
    h("label", { for: id }, t(labelKey), required && !readonly ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, t(hint)) : null, input, error);
}

function showFieldError(input, required, key = undefined) {
  const problem = key === undefined ? check(input.name, input.value, required) : key;
  const error = document.getElementById(`${input.id}-error`);
  error.textContent = problem ? t(problem) : "";
  if (problem) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return problem;
}

function countdown(end, onExpire) {
  const out = h("p", { class: "countdown", role: "timer", "aria-live": "off" });
  let warned = false;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    out.textContent = t("holdLeft", { time });
    out.classList.toggle("urgent", left <= 60);
    if (left <= 60 && !warned) {
      warned = true;
      announce(t("holdLeft", { time }));
    }
    if (left === 0) {
      clearInterval(timer);
      onExpire();
    }
  };
  const timer = setInterval(tick, 1000);
  cleanups.push(() => clearInterval(timer));
  tick();
  return out;
}

function releaseHold(flow) {
  if (flow && flow.hold) api("DELETE", `/v1/holds/${encodeURIComponent(flow.hold.holdId)}`).catch(() => {});
}

async function viewBook() {
  const flow = store.get("flow");
  if (!flow) {
    go("#/");
    return;
  }
  const signed = auth.claims();
  const { body } = page(t("formTitle"), {
    crumbs: [[t("home"), "#/"], [flow.clinic.name, `#/clinic/${flow.clinic.id}`],
      [flow.specialty.name, `#/clinic/${flow.clinic.id}/specialty/${flow.specialty.id}`], [flow.doctor.name, flow.back], [t("formTitle"), null]],
    intro: signed ? t("formSignedIntro") : t("formIntro"),
  });
  let form = null;
  const collect = () => Object.fromEntries(FIELDS.map(([name]) => [name, clean(name, form?.elements[name]?.value)]));
  const backToTimes = (message) => {
    if (!signed && form) store.set("form", collect()); // typed data waits for the next try (this tab only)
    releaseHold(flow);
    flash = message;
    store.set("day", flow.slot.start.slice(0, 10));
    go(flow.back);
  };
  const summary = h("div", { class: "summary" },
    h("p", { class: "when" }, formatWhen(flow.slot.start)),
    h("p", {}, flow.doctor.name, " · ", flow.specialty.name, " · ", t("room", { room: flow.doctor.room })),
    h("p", { class: "meta" }, flow.clinic.name, ", ", flow.clinic.address),
    countdown(flow.hold.deadline || Date.parse(flow.hold.expiresAt), () => backToTimes({ code: "hold_gone", text: t("holdGone"), kind: "error" })));

  const saved = store.get("form") || {};
  const values = signed ? {
    lastName: signed.family_name, firstName: signed.given_name, middleName: signed.middle_name || "",
    birthDate: signed.birthdate, policyNumber: signed.oms_policy_number, policySeries: signed.oms_policy_series || "",
    email: signed.email || "",
  } : saved;
  const fields = FIELDS.filter(([name]) => !signed || name !== "phone")
    .filter(([name]) => !signed || values[name])
    .map(([name, label, required, attrs]) => field(name, label, required, attrs, values[name] || "", Boolean(signed)));
  const errors = h("div", { class: "form-errors" });
  const submit = h("button", { type: "submit", class: "button primary" }, t("confirm"));
  form = h("form", { novalidate: true, class: "patient-form" },
    h("fieldset", {}, h("legend", {}, t("patient")), fields),
    errors,
    h("p", { class: "actions" }, submit,
      h("button", { type: "button", class: "button secondary", onclick: () => backToTimes(null) }, t("changeTime"))));
  body.append(summary, form);


  async function send() {
    const data = collect();
    const request = signed
      ? { path: "/v1/me/appointments", body: { slotId: flow.slot.id, holdId: flow.hold.holdId }, auth: true }
      : {
        path: "/v1/appointments",
        body: {
          slotId: flow.slot.id, holdId: flow.hold.holdId,
          patient: Object.fromEntries(Object.entries(data).filter(([, v]) => v !== "")),
        },
        auth: false,
      };
    // One key per booking attempt; a retry of the same attempt (same data) sends the same key again.
    const fingerprint = JSON.stringify(request.body);
    const pending = flow.pending && flow.pending.fingerprint === fingerprint ? flow.pending : { key: crypto.randomUUID(), fingerprint };
    flow.pending = pending;
    if (!signed) store.set("form", data);
    store.set("flow", flow);
    submit.disabled = true;
    submit.textContent = t("booking");
    errors.replaceChildren();
    try {
      const result = await api("POST", request.path, {
        body: request.body, auth: request.auth, headers: { "Idempotency-Key": pending.key },
      });
      const ticket = result.appointment;
      store.set(`ticket.${ticket.id}`, ticket);
      store.remove("flow");
      store.remove("form");
      forget("/specialties");
      go(`#/ticket/${ticket.id}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      submit.disabled = false;
      submit.textContent = t("confirm");
      if (!err.retryable) {
        flow.pending = null; // decided: another try is a new attempt
        store.set("flow", flow);
      }
      if (["slot_unavailable", "hold_expired", "hold_mismatch"].includes(err.code)) {
        backToTimes({ code: err.code });
        return;
      }
      if (err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
        for (const f of err.details.fields) {
          const input = form.elements[String(f.field).split(".").pop()];
          if (input && !input.readOnly) showFieldError(input, false, problemKey(input.name));
        }
      }
      errors.replaceChildren(messageBox(err, { retry: send }));
      errors.querySelector("button, a")?.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!signed) {
      const bad = FIELDS.map(([name, , required]) => {
        const input = form.elements[name];
        return input && showFieldError(input, required) ? input : null;
      }).filter(Boolean);
      if (bad.length) {
        errors.replaceChildren(h("div", { class: "message error", role: "alert" }, h("p", {}, t("fixErrors", { n: bad.length }))));
        bad[0].focus();
        return;
      }
    }
    send();
  });
}

function problemKey(name) {
  return { birthDate: "badDate", policyNumber: "badPolicy", policySeries: "badSeries", email: "badEmail", phone: "badPhone" }[name] || "badName";
}

// ---------------------------------------------------------------- the ticket
function ticketRows(a) {
  return h("dl", { class: "ticket-rows" },
    h("dt", {}, t("when")), h("dd", { class: "when" }, formatWhen(a.start), "–", formatTime(a.end)),
    h("dt", {}, t("doctor")), h("dd", {}, a.doctor.name),
    h("dt", {}, t("specialty")), h("dd", {}, a.doctor.specialty),
    h("dt", {}, t("clinic")), h("dd", {}, a.clinic.name, h("br"), a.clinic.address, h("br"), a.clinic.phone, h("br"), t("room", { room: a.room })),
    h("dt", {}, t("patient")), h("dd", {}, patientName(a.patient)),
    h("dt", {}, t("status")), h("dd", {}, h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))));
}

function icsLink(a) {
  const summary = `${a.doctor.specialty}: ${a.doctor.name}`;
  const description = `${t("ticketNumber", { number: a.number })}\n${a.cancellation.hint}\n${a.cancellation.url}`;
  const blob = new Blob([ticketIcs(a, summary, description, t("room", { room: a.room }))], { type: "text/calendar;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  cleanups.push(() => URL.revokeObjectURL(url));
  return h("a", { href: url, download: `talon-${a.number}.ics`, class: "button secondary", id: "add-to-calendar" }, t("addToCalendar"));
}

function viewTicket({ id }) {
  const a = store.get(`ticket.${id}`);
  const { body } = page(t("ticketTitle"), { crumbs: [[t("home"), "#/"], [t("ticketTitle"), null]] });
  if (!a) {
    body.append(h("p", { class: "message info" }, t("ticketMissing"), " ", h("a", { href: "#/my" }, t("navMy"))));
    return;
  }
  const booked = a.status === "booked";
  body.append(h("article", { class: "ticket", "aria-label": t("ticketNumber", { number: a.number }) },
    h("p", { class: "ticket-number" }, t("ticketNumber", { number: a.number })),
    ticketRows(a),
    booked ? h("p", { class: "meta no-print" }, t("ticketSent")) : null,
    h("p", { class: "actions no-print" },
      h("button", { type: "button", class: "button primary", onclick: () => window.print() }, t("print")),
      booked ? icsLink(a) : null),
    booked ? h("section", { class: "how-to-cancel", "aria-labelledby": "cancel-title" },
      h("h2", { id: "cancel-title" }, t("howToCancel")),
      h("p", {}, a.cancellation.hint),
      h("p", { class: "no-print" }, h("a", { href: `#/cancel/${a.id}`, class: "button secondary" }, t("cancelThis")))) : null));
}

// ---------------------------------------------------------------- cancellation
function cancelledNotice(result) {
  const a = result.appointment;
  store.set(`ticket.${a.id}`, a);
  return h("div", { class: "message success", role: "status" },
    h("p", {}, t("cancelled", { number: a.number })), result.notice ? h("p", {}, result.notice) : null);
}

function viewCancel({ id }) {
  const known = store.get(`ticket.${id}`);
  const signed = auth.signedIn();
  const { body } = page(t("cancelTitle"), {
    crumbs: [[t("home"), "#/"], [t("cancelTitle"), null]],
    intro: signed ? t("cancelSignedIntro") : t("cancelIntro"),
  });
  if (known) body.append(h("div", { class: "summary" }, h("p", { class: "when" }, t("ticketNumber", { number: known.number }), " · ", formatWhen(known.start)),
    h("p", {}, known.doctor.name, " · ", known.doctor.specialty), h("p", { class: "meta" }, known.clinic.name)));
  const out = h("div", { class: "result" });
  const button = h("button", { type: "submit", class: "button danger" }, t("cancelDo"));
  const fields = signed ? [] : [
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }),
    field("policySeries", "policySeries", false, { autocomplete: "off" })];
  const form = h("form", { novalidate: true }, fields, out, h("p", { class: "actions" }, button));
  body.append(form);
  const send = async () => {
    button.disabled = true;
    button.textContent = t("cancelling");
    out.replaceChildren();
    try {
      const result = signed
        ? await api("POST", `/v1/me/appointments/${encodeURIComponent(id)}/cancel`, { auth: true, body: {} })
        : await api("POST", `/v1/appointments/${encodeURIComponent(id)}/cancel`, {
          body: Object.fromEntries([["policyNumber", clean("policyNumber", form.elements.policyNumber.value)],
            ["policySeries", clean("policySeries", form.elements.policySeries.value) || null]].filter(([, v]) => v)),
        });
      forget("/specialties");
      form.replaceWith(cancelledNotice(result));
      body.querySelector(".message")?.focus?.();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      button.disabled = false;
      button.textContent = t("cancelDo");
      out.replaceChildren(messageBox(err, { retry: send }));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!signed) {
      const bad = [showFieldError(form.elements.policyNumber, true) ? form.elements.policyNumber : null,
        showFieldError(form.elements.policySeries, false) ? form.elements.policySeries : null].filter(Boolean);
      if (bad.length) {
        bad[0].focus();
        return;
      }
    }
    send();
  });
}

// ---------------------------------------------------------------- my appointments
function appointmentCard(a, cancel) {
  const future = a.status === "booked" && new Date(a.start).getTime() > Date.now();
  const actions = h("p", { class: "actions" });
  const card = h("article", { class: "card appointment", dataset: { id: a.id, status: a.status } },
    h("p", { class: "title" }, formatWhen(a.start), " ", h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))),
    h("p", {}, a.doctor.name, " · ", a.doctor.specialty),
    h("p", { class: "meta" }, a.clinic.name, ", ", a.clinic.address, " · ", t("ticketNumber", { number: a.number })),
    actions);
  const open = h("a", { href: `#/ticket/${a.id}`, class: "button secondary", onclick: () => store.set(`ticket.${a.id}`, a) }, t("openTicket"));
  const showActions = () => {
    actions.replaceChildren(open);
    if (future && a.status === "booked") {
      actions.append(h("button", { type: "button", class: "button danger", onclick: ask }, t("cancelThis")));
    }
  };
  function ask() {
    const yes = h("button", { type: "button", class: "button danger", onclick: async () => {
      yes.disabled = true;
      yes.textContent = t("cancelling");
      try {
        const result = await cancel(a);
        Object.assign(a, result.appointment);
        card.replaceWith(appointmentCard(a, cancel));
        announce(t("cancelled", { number: a.number }));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        actions.replaceChildren(messageBox(err), open);
      }
    } }, t("cancelYes"));
    actions.replaceChildren(h("span", { class: "confirm", role: "group", "aria-label": t("cancelConfirm", { number: a.number, when: formatWhen(a.start) }) },
      h("span", {}, t("cancelConfirm", { number: a.number, when: formatWhen(a.start) })), " ", yes, " ",
      h("button", { type: "button", class: "button secondary", onclick: () => { showActions(); actions.querySelector(".danger")?.focus(); } }, t("cancelNo"))));
    yes.focus();
  }
  showActions();
  return card;
}

async function viewMy() {
  const signed = auth.signedIn();
  const { body } = page(t("myTitle"), { crumbs: [[t("home"), "#/"], [t("myTitle"), null]], intro: signed ? t("mySignedIntro") : t("myIntro") });
  const cancelSigned = (a) => api("POST", `/v1/me/appointments/${encodeURIComponent(a.id)}/cancel`, { auth: true, body: {} });
  if (signed) {
    const list = h("div", { class: "history" });
    body.append(list);
    const more = async (token, into) => {
      const q = token ? `?nextToken=${encodeURIComponent(token)}` : "";
      await loadInto(into, () => api("GET", `/v1/me/appointments${q}`, { auth: true }), (page_) => {
        const out = [page_.items.length || token ? cards(page_.items, (a) => appointmentCard(a, cancelSigned), "cards list") : h("p", {}, t("myNone"))];
        if (page_.nextToken) {
          const next = h("div", {});
          out.push(next, h("p", {}, h("button", { type: "button", class: "button secondary", onclick: (e) => { e.currentTarget.remove(); more(page_.nextToken, next); } }, t("more"))));
        }
        return out;
      }, 3);
    };
    await more(null, list);
    return;
  }
  body.append(h("p", {}, h("a", { href: "#/signin" }, t("mySignInHint"))));
  const results = h("div", { class: "results", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "button primary" }, t("search"));
  const form = h("form", { novalidate: true, class: "search-form" },
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }),
    field("policySeries", "policySeries", false, { autocomplete: "off" }),
    field("birthDate", "birthDate", true, { type: "date", autocomplete: "bday", min: "1900-01-01" }),
    h("p", { class: "actions" }, button));
  body.append(form, results);
  const send = async () => {
    const policy = {
      policyNumber: clean("policyNumber", form.elements.policyNumber.value),
      policySeries: clean("policySeries", form.elements.policySeries.value) || undefined,
    };
    const cancelAnonymous = (a) => api("POST", `/v1/appointments/${encodeURIComponent(a.id)}/cancel`, { body: policy });
    button.disabled = true;
    await loadInto(results, () => api("POST", "/v1/appointments/search", { body: { ...policy, birthDate: form.elements.birthDate.value } }),
      (r) => (r.items.length ? cards(r.items, (a) => appointmentCard(a, cancelAnonymous), "cards list") : h("p", { class: "message info" }, t("myNone"))), 2);
    button.disabled = false;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = [["policyNumber", true], ["policySeries", false], ["birthDate", true]]
      .map(([name, required]) => (showFieldError(form.elements[name], required) ? form.elements[name] : null)).filter(Boolean);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    send();
  });
}

// ---------------------------------------------------------------- address look-up
function viewAddress() {
  const { body } = page(t("addressTitle"), { crumbs: [[t("home"), "#/"], [t("addressTitle"), null]], intro: t("addressIntro") });
  const results = h("div", { class: "results" });
  const form = h("form", { novalidate: true, class: "address-form", role: "search" },
    h("div", { class: "row" },
      field("street", "street", true, { autocomplete: "address-line1", hint: "streetHint" }),
      field("house", "house", true, { autocomplete: "off", class: "short" })),
    h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("find"))));
  body.append(form, results);
  const ask = (districtId = null, street = null) => {
    const q = new URLSearchParams({ street: street || form.elements.street.value.trim(), house: form.elements.house.value.trim() });
    if (districtId) q.set("districtId", districtId);
    loadInto(results, () => api("GET", `/v1/addresses/clinics?${q}`, { fresh: true }).catch((err) => {
      if (err instanceof ApiError && err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
        for (const f of err.details.fields) {
          const input = form.elements[f.field];
          if (input) showFieldError(input, true, f.field === "house" ? "badHouse" : "badStreet");
        }
      }
      throw err;
    }), (r) => {
      if (r.candidates && r.candidates.length) {
        return [h("h2", {}, t("addressCandidates")), cards(r.candidates, (c) => h("button", {
          type: "button", class: "card link candidate", onclick: () => {
            form.elements.street.value = c.name;
            ask(c.districtId, c.name);
          },
        }, h("span", { class: "title" }, c.name), h("span", { class: "meta" }, t("districtOf", { name: c.districtName }))))];
      }
      const items = r.items || [];
      if (!items.length) return h("p", { class: "message info", role: "status" }, errorText("address_not_found"));
      const address = r.street ? `${r.street.name}, ${r.house}` : r.house;
      return [h("h2", {}, t("addressFound", { address })), cards(items, (c) => h("div", { class: "card", dataset: { clinic: c.id } },
        h("span", { class: "title" }, c.name), h("span", { class: "meta" }, c.address),
        c.phone ? h("span", { class: "meta" }, c.phone) : null,
        h("span", {}, h("a", { href: `#/clinic/${c.id}`, class: "button secondary" }, t("bookHere")))))];
    }, 2);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = ["street", "house"].map((n) => (showFieldError(form.elements[n], true) ? form.elements[n] : null)).filter(Boolean);
    if (bad.length) {
      bad[0].focus();
      return;
    }
    ask();
  });
}

// ---------------------------------------------------------------- signing in
function viewSignIn() {
  const returnTo = store.get("returnTo") || "#/";
  const { body } = page(t("signInTitle"), { crumbs: [[t("home"), "#/"], [t("signInTitle"), null]], intro: t("signInIntro") });
  if (config.signIn !== "local") {
    body.append(h("p", {}, h("button", { type: "button", class: "button primary", onclick: () => auth.signInOidc(config, returnTo) }, t("signInGo"))));
    return;
  }
  const out = h("div", {});
  const form = h("form", { novalidate: true },
    h("p", { class: "meta" }, t("signInLocal")),
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off" }),
    out, h("p", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, t("signInDo"))));
  body.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (showFieldError(form.elements.policyNumber, true)) {
      form.elements.policyNumber.focus();
      return;
    }
    try {
      await auth.signInLocal(config, form.elements.policyNumber.value);
      store.remove("returnTo");
      renderHeader();
      go(returnTo);
    } catch {
      out.replaceChildren(h("div", { class: "message error", role: "alert" }, h("p", {}, t("signInFailed"))));
    }
  });
}

function viewNotFound() {
  const { body } = page(t("notFoundTitle"));
  body.append(h("p", {}, t("notFoundText"), " ", h("a", { href: "#/" }, t("navBook"))));
}

// ---------------------------------------------------------------- header, router, start
function renderHeader() {
  document.documentElement.lang = lang();
  document.getElementById("brand-title").textContent = t("appTitle");
  document.getElementById("brand-subtitle").textContent = t("appSubtitle");
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("footer-text").textContent = t("footer");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("appTitle"));
  const section = (location.hash.split("/")[1] || "").split("?")[0];
  const current = { my: "my", address: "address", signin: "signin" }[section] || (["", "district", "clinic", "book"].includes(section) ? "book" : "");
  const link = (key, href, label) => h("li", {}, h("a", { href, "aria-current": current === key ? "page" : null }, label));
  const items = [link("book", "#/", t("navBook")), link("address", "#/address", t("navAddress")), link("my", "#/my", t("navMy"))];
  if (auth.signedIn()) {
    items.push(h("li", { class: "user" }, h("span", { class: "who" }, t("signedInAs", { name: auth.displayName() })), " ",
      h("button", { type: "button", class: "linklike", onclick: () => { auth.signOut(); renderHeader(); flash = { text: t("signedOut"), kind: "info" }; go("#/"); } }, t("navSignOut"))));
  } else {
    items.push(link("signin", "#/signin", t("navSignIn")));
  }
  nav.replaceChildren(h("ul", {}, items));
  const switcher = document.getElementById("lang");
  switcher.textContent = t("langSwitch");
  switcher.setAttribute("lang", lang() === "ru" ? "en" : "ru");
  switcher.setAttribute("aria-label", t("langSwitchLabel"));
}

const ROUTES = [
  [/^\/?$/, viewDistricts, []],
  [/^\/district\/([\w-]+)$/, viewClinics, ["district"]],
  [/^\/clinic\/([\w-]+)$/, viewSpecialties, ["clinic"]],
  [/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)$/, viewDoctors, ["clinic", "specialty"]],
  [/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)\/doctor\/([\w.-]+)$/, viewCalendar, ["clinic", "specialty", "doctor"]],
  [/^\/book$/, viewBook, []],
  [/^\/ticket\/([\w.#:-]+)$/, viewTicket, ["id"]],
  [/^\/cancel\/([\w.#:-]+)$/, viewCancel, ["id"]],
  [/^\/my$/, viewMy, []],
  [/^\/address$/, viewAddress, []],
  [/^\/signin$/, viewSignIn, []],
  [/^\/registry$/, () => viewRegistry(main), []],
];

function route() {
  generation += 1;
  for (const stop of cleanups) stop();
  cleanups = [];
  const path = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  renderHeader();
  if (path === "/signin" && !store.get("returnTo")) store.set("returnTo", "#/");
  for (const [pattern, view, names] of ROUTES) {
    const m = path.match(pattern);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
      Promise.resolve(view(params)).catch((err) => {
        main.replaceChildren(messageBox(err instanceof ApiError ? err : { code: "unknown" }));
        throw err;
      });
      return;
    }
  }
  viewNotFound();
}

document.getElementById("lang").addEventListener("click", () => {
  setLang(lang() === "ru" ? "en" : "ru");
  firstRender = true; // stay on the switch: re-render without moving focus
  route();
  document.getElementById("lang").focus();
});

document.getElementById("skip").addEventListener("click", (event) => {
  event.preventDefault();
  (document.getElementById("page-title") || main).focus();
});

document.addEventListener("click", (event) => {
  // Remember where to come back after signing in.
  const a = event.target.closest && event.target.closest('a[href="#/signin"]');
  if (a && !location.hash.startsWith("#/signin")) store.set("returnTo", location.hash || "#/");
});

window.addEventListener("hashchange", route);

async function start() {
  setLang(lang());
  await loadConfig();
  if (config.signIn === "oidc") {
    const back = await auth.completeOidc(config).catch(() => null);
    if (back) location.hash = back;
  }
  route();
}

start();
