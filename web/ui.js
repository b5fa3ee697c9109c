// The parts every page is built from: the page frame with its heading and breadcrumbs, messages for API
// errors, lists loaded with placeholders and a retry, form fields with inline checks, the hold countdown.
import { ApiError } from "./api.js";
import { h, skeleton } from "./dom.js";
import { errorText, formatWhen, t } from "./i18n.js";
import { announce, onLeave, state } from "./state.js";
import { check, clinicToday } from "./validate.js";

/** A page: its heading (focused after navigation), optional breadcrumbs and intro, and a body. */
export function page(title, { crumbs = null, intro = null } = {}) {
  document.title = `${title} — ${t("appTitle")}`;
  const main = document.getElementById("main");
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, title);
  const body = h("div", { class: "page-body" });
  const nav = h("nav", { class: "crumbs", "aria-label": t("crumbs") });
  if (crumbs) fillCrumbs(nav, crumbs);
  const section = h("section", { class: "page", "aria-labelledby": "page-title" },
    nav, heading, intro ? h("p", { class: "intro" }, intro) : null, body);
  main.replaceChildren(section);
  if (state.flash) {
    body.append(messageBox(state.flash));
    state.flash = null;
  }
  if (!state.firstRender) heading.focus();
  state.firstRender = false;
  return { body, nav, heading };
}

export function fillCrumbs(nav, crumbs) {
  nav.replaceChildren(h("ol", {}, crumbs.map(([label, href]) =>
    h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)))));
}

/** A message for an API error or a page notice, with what the patient can do next. */
export function messageBox(what, { retry = null } = {}) {
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
  // tabindex -1: a refusal takes the focus from a button that is disabled while its request runs.
  return h("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status", tabindex: "-1", dataset: { code: code || "" } },
    h("p", {}, text), actions.length ? h("p", { class: "actions" }, actions) : null);
}

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
