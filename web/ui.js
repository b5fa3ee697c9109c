// The parts every page is built from: elements (h(), text only: no API text is ever parsed as HTML), the page frame
// with its heading and breadcrumbs, the header with its menu, messages for API errors with the next step, lists
// loaded with placeholders and a retry, form fields with inline checks (the API's own rules), the hold countdown.
// No inline style anywhere: elements are styled by class (styles.css), so the page runs under a strict
// Content-Security-Policy (style-src 'self').
import { ApiError, auth } from "./api.js";
import { errorText, formatWhen, lang, t } from "./i18n.js";
import { announce, go, onLeave, section, state } from "./state.js";

// ---------------------------------------------------------------- elements
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Placeholder rows of a fixed height while a list loads, so nothing jumps when it arrives. */
export function skeleton(rows = 4, cls = "") {
  return h("ul", { class: `skeleton ${cls}`, "aria-hidden": "true" },
    Array.from({ length: rows }, () => h("li", {})));
}

// ---------------------------------------------------------------- the checks of the forms
// The same rules as the API's models (shared/faces/v1/models.py), so a mistake is shown next to its field before
// anything is sent.
const NAME = /^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .-]{0,59}$/; // 1-60 characters
const POLICY = /^\d{6,16}$/;
const SERIES = /^[0-9A-ZА-ЯЁ]{1,12}$/;
const EMAIL = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;
const PHONE = /^\+?[\d ()-]{6,20}$/;

export function clean(name, value) {
  const v = (value || "").trim();
  if (name === "policyNumber") return v.replace(/[\s-]/g, "");
  if (name === "policySeries") return v.replace(/[\s-]/g, "").toUpperCase();
  return v;
}

/** Today's date in the clinic's zone, YYYY-MM-DD. */
export function clinicToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(new Date());
}

function checkDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return "badDate";
  if (value > clinicToday()) return "futureDate";
  return value < "1900-01-01" ? "oldDate" : null;
}

const CHECKS = {
  lastName: (v) => (NAME.test(v) ? null : "badName"),
  firstName: (v) => (NAME.test(v) ? null : "badName"),
  middleName: (v) => (NAME.test(v) ? null : "badName"),
  birthDate: checkDate,
  policyNumber: (v) => (POLICY.test(v) ? null : "badPolicy"),
  policySeries: (v) => (SERIES.test(v) ? null : "badSeries"),
  referralNumber: (v) => (/^\d{12}$/.test(v.replace(/[\s-]/g, "")) ? null : "badReferral"),
  email: (v) => (EMAIL.test(v) && v.length <= 254 ? null : "badEmail"),
  phone: (v) => (PHONE.test(v) ? null : "badPhone"),
};

/** An i18n key of the problem with this field's value, or null when it is fine. */
export function check(name, raw, required) {
  const value = clean(name, raw);
  if (!value) return required ? "required" : null;
  return CHECKS[name] ? CHECKS[name](value) : null;
}

// ---------------------------------------------------------------- the header
// The menu is a disclosure on a phone (the "Menu" button shows and hides it; Escape closes it) and a row of links
// on a wide screen; the signed-in patient and "Sign out" are its last item either way, never off screen.
let menuOpen = false;

function showMenu(open, focusButton = false) {
  menuOpen = open;
  const button = document.getElementById("menu");
  button.setAttribute("aria-expanded", String(open));
  document.getElementById("nav").classList.toggle("open", open);
  if (focusButton) button.focus();
}

/** Once, at start: the menu button and Escape. */
export function setupMenu() {
  document.getElementById("menu").addEventListener("click", () => showMenu(!menuOpen));
  document.querySelector(".top").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menuOpen) showMenu(false, true);
  });
}

export function renderHeader() {
  document.documentElement.lang = lang();
  document.getElementById("brand-title").textContent = t("appTitle");
  document.getElementById("brand-subtitle").textContent = t("appSubtitle");
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("footer-text").textContent = t("footer");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("appTitle"));
  const where = section();
  const current = { my: "my", address: "address", signin: "signin" }[where]
    || (["", "district", "clinic", "book"].includes(where) ? "book" : "");
  const link = (key, href, label) => h("li", {}, h("a", { href, "aria-current": current === key ? "page" : null }, label));
  const items = [link("book", "#/", t("navBook")), link("address", "#/address", t("navAddress")), link("my", "#/my", t("navMy"))];
  if (auth.signedIn()) {
    const signOut = () => {
      auth.signOut();
      showMenu(false);
      renderHeader();
      state.flash = { text: t("signedOut"), kind: "info" };
      go("#/");
    };
    items.push(h("li", { class: "user" }, h("span", { class: "who" }, t("signedInAs", { name: auth.displayName() })), " ",
      h("button", { type: "button", class: "linklike", onclick: signOut }, t("navSignOut"))));
  } else {
    items.push(link("signin", "#/signin", t("navSignIn")));
  }
  nav.replaceChildren(h("ul", {}, items));
  const menu = document.getElementById("menu");
  menu.textContent = t("menu");
  showMenu(false); // a new page starts with the menu closed
  const switcher = document.getElementById("lang");
  switcher.textContent = t("langSwitch");
  switcher.setAttribute("lang", lang() === "ru" ? "en" : "ru");
  switcher.setAttribute("aria-label", t("langSwitchLabel"));
}

// ---------------------------------------------------------------- the page
/** A page: its heading (focused after navigation), optional breadcrumbs and intro, and a body. */
export function page(title, { crumbs = null, intro = null } = {}) {
  document.title = `${title} — ${t("appTitle")}`;
  const main = document.getElementById("main");
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, title);
  const body = h("div", { class: "page-body" });
  const nav = h("nav", { class: "crumbs", "aria-label": t("crumbs") });
  if (crumbs) fillCrumbs(nav, crumbs);
  const introBox = intro ? h("p", { class: "intro" }, intro) : null;
  const section_ = h("section", { class: "page", "aria-labelledby": "page-title" }, nav, heading, introBox, body);
  main.replaceChildren(section_);
  if (state.flash) {
    body.append(messageBox(state.flash));
    state.flash = null;
  }
  if (!state.firstRender) heading.focus();
  state.firstRender = false;
  return { body, nav, heading, intro: introBox };
}

export function fillCrumbs(nav, crumbs) {
  nav.replaceChildren(h("ol", {}, crumbs.map(([label, href]) =>
    h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)))));
}

// ---------------------------------------------------------------- refusals and their next step
const enc = encodeURIComponent;

function referralHref(c) {
  return c.clinicId && c.specialtyId ? `#/referral?clinic=${enc(c.clinicId)}&specialty=${enc(c.specialtyId)}` : "#/referral";
}

const MY = ["errorActionMy", "#/my"];
const ADDRESS = ["errorActionAddress", "#/address"];

// What the patient can do after each refusal, given where it happened (`context`: clinicId, specialtyId, timesHref
// (the doctor's times), doctorsHref (the specialty's doctors), ticketHref, fix (focus the fields to correct)).
// A refusal of the server for a time (taken, outside the window) leads back to the times; one for the patient
// (not attached, unknown, too young or too old, no referral) to where they can book.
const NEXT = {
  not_attached: () => [ADDRESS],
  attachment_not_found: () => [ADDRESS],
  address_not_found: (c) => [c.fix ? ["errorActionFixAddress", c.fix] : null],
  patient_not_found: (c) => [c.fix ? ["errorActionFix", c.fix] : null, ADDRESS],
  referral_required: (c) => [["referralAsk", referralHref(c)]],
  age_restricted: (c, d) => [ageClinics(c, d), c.clinicId ? ["errorActionOtherDoctor", `#/clinic/${enc(c.clinicId)}`] : null, ADDRESS],
  already_booked_specialty: () => [MY],
  referral_used: () => [MY],
  referral_expired: (c) => [["errorActionGp", c.clinicId ? `#/clinic/${enc(c.clinicId)}` : "#/"]],
  referral_not_found: (c) => [c.fix ? ["errorActionFix", c.fix] : null],
  referral_mismatch: (c) => [c.fix ? ["errorActionFix", c.fix] : null, ["errorActionHome", "#/"]],
  waitlist_exists: (c) => [c.signedIn ? MY : null, c.doctorsHref ? ["errorActionDoctors", c.doctorsHref] : null],
  outside_booking_window: (c) => [c.timesHref ? ["errorActionTimes", c.timesHref] : null],
  hold_mismatch: (c) => [c.timesHref ? ["errorActionTimes", c.timesHref] : null],
  appointment_started: () => [MY],
  already_cancelled: (c) => [c.ticketHref ? ["openTicket", c.ticketHref] : MY],
  already_rescheduled: () => [MY],
  reschedule_mismatch: () => [MY],
  unauthorized: () => [["errorActionSignIn", "#/signin"]],
};

/** A patient the specialty does not see by age (issue 29): a child to the district's children's polyclinics, an
 * adult to its adult ones (`details`: the refusal's ageMin/ageMax), unless this polyclinic (`clinicKind`) is one
 * already (then another of its doctors is the way on). */
function ageClinics(c, d = {}) {
  const known = (n) => n !== null && n !== undefined;
  const kind = (known(d.ageMin) && "children") || (known(d.ageMax) && "adult") || null;
  if (!c.districtId || !kind || c.clinicKind === kind) return null;
  return [kind === "children" ? "errorActionChildrenClinic" : "errorActionAdultClinic", `#/district/${enc(c.districtId)}?kind=${kind}`];
}

/** The next steps of a refusal: links (a string) or buttons (a function); `details` are the refusal's. */
export function nextSteps(code, context = {}, details = {}) {
  const steps = (NEXT[code] ? NEXT[code](context, details || {}) : []).filter(Boolean);
  return steps.map(([key, to]) => (typeof to === "function"
    ? h("button", { type: "button", class: "button secondary", onclick: to }, t(key))
    : h("a", { href: to, class: "button secondary" }, t(key))));
}

/** A message for an API error or a page notice, with what the patient can do next. */
export function messageBox(what, { retry = null, context = {} } = {}) {
  const code = what.code;
  const text = what.text || errorText(code);
  const actions = [];
  if (retry && (what instanceof ApiError ? what.retryable : false)) {
    actions.push(h("button", { type: "button", class: "button", onclick: retry }, t("retry")));
  }
  actions.push(...nextSteps(code, context, what.details));
  const kind = what.kind || (code ? "error" : "info");
  // tabindex -1: a refusal takes the focus from a button that is disabled while its request runs.
  return h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status", tabindex: "-1", dataset: { code: code || "" } },
    h("p", {}, text), actions.length ? h("p", { class: "actions" }, actions) : null);
}

// ---------------------------------------------------------------- lists
/** Fill `container` from `load()`, with placeholders meanwhile and a retry button on failure. */
export async function loadInto(container, load, render, rows = 4) {
  const mine = state.generation;
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(skeleton(rows));
  try {
    const data = await load();
    if (mine !== state.generation) return;
    container.replaceChildren(...[render(data)].flat().filter((x) => x !== null && x !== undefined && x !== false));
  } catch (err) {
    if (mine !== state.generation) return;
    if (!(err instanceof ApiError)) throw err;
    container.replaceChildren(messageBox(err, { retry: () => loadInto(container, load, render, rows) }));
  } finally {
    container.removeAttribute("aria-busy");
  }
}

export function cards(items, renderItem, cls = "cards") {
  return h("ul", { class: cls }, items.map((item) => h("li", {}, renderItem(item))));
}

export function slotsInfo(item) {
  return [
    h("span", { class: "free" }, item.freeSlots ? t("freeSlots", { n: item.freeSlots }) : t("noFreeSlots")),
    item.nearestSlot ? h("span", { class: "nearest" }, t("nearest", { when: formatWhen(item.nearestSlot) })) : null,
  ];
}

// ---------------------------------------------------------------- form fields
export function field(name, labelKey, required, attrs, value = "", readonly = false) {
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

export function showFieldError(input, required, key = undefined) {
  const problem = key === undefined ? check(input.name, input.value, required) : key;
  const error = document.getElementById(`${input.id}-error`);
  error.textContent = problem ? t(problem) : "";
  if (problem) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return problem;
}

/** The fields of `form` named in `checks` ([name, required]) that fail their check, first to last. */
export function badFields(form, checks) {
  return checks.map(([name, required]) => {
    const input = form.elements[name];
    return input && showFieldError(input, required) ? input : null;
  }).filter(Boolean);
}

/** After a submit with bad fields: "fix N errors" in `errors` (read out at once), the first bad field focused.
 *  Returns true when there was anything to fix. */
export function fixErrors(errors, bad) {
  if (!bad.length) return false;
  errors.replaceChildren(h("div", { class: "message error", role: "alert", dataset: { fixErrors: "" } },
    h("p", {}, t("fixErrors", { n: bad.length }))));
  bad[0].focus();
  return true;
}

export function countdown(end, onExpire) {
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
  onLeave(() => clearInterval(timer));
  tick();
  return out;
}
