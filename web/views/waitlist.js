// The waiting list: "tell me when a time frees up" for a doctor (or any doctor of a specialty) without free
// time, the offer page the email's link opens (the freed time is held for the patient for 15 minutes, one
// button books it), and the waiting entries of the history of applications (signed in) with "Stop waiting".
import { api, ApiError, auth, forget, load, notFound, serverNow } from "../api.js";
import { formatDay, formatTime, formatWhen, t } from "../i18n.js";
import { addDays, go, referralFor, store } from "../state.js";
import {
  badFields, clean, clinicToday, countdown, field, fillCrumbs, fixErrors, h, loadInto, messageBox, page, showFieldError,
} from "../ui.js";
import { showAttachedClinic, typed } from "../who.js";
import { FIELDS, problemKey } from "./book.js";
import { clinicCrumbs, waitlistHref } from "./browse.js";
import { defaultMember, family, forWhomGroup, hasChildren, memberParam } from "./family.js";
import { ticketHash } from "./ticket.js";

const enc = encodeURIComponent;

// The booking form's patient fields, without the phone; the email is where the offer goes.
const PATIENT_FIELDS = FIELDS.filter(([name]) => name !== "phone")
  .map(([name, label, required, attrs]) => [name, label, required, name === "email" ? { ...attrs, hint: "waitEmailHint" } : attrs]);

/** An i18n key of the problem with the period's `name` field ("from" or "to"), or null. */
function periodProblem(form, name) {
  const value = form.elements[name].value;
  if (!value) return "required";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return "badDate";
  if (value < clinicToday()) return "waitPastDate";
  const from = form.elements.from.value;
  return name === "to" && from && value < from ? "waitToBeforeFrom" : null;
}

function what(entry) {
  return `${entry.specialty} · ${entry.doctorName || t("waitAnyDoctor")}`;
}

/** Leave the waiting list: signed in by the token, otherwise with the policy the entry was made with. */
function stopWaiting(entry, policy = null) {
  if (!policy) return api("DELETE", `/v1/me/waitlist/${enc(entry.id)}`, { auth: true });
  return api("POST", `/v1/waitlist/${enc(entry.id)}/cancel`, { body: policy });
}

// ---------------------------------------------------------------- joining the list
export async function viewWaitlist(_params, query) {
  const clinicId = query.get("clinic");
  const specialtyId = query.get("specialty");
  const doctorId = query.get("doctor") || null;
  const { body, nav } = page(t("waitTitle"), { crumbs: [[t("home"), "#/"], [t("waitTitle"), null]], intro: t("waitIntro") });
  const area = h("div", { class: "waitlist-area" });
  body.append(area);
  if (!clinicId || !specialtyId) {
    area.append(messageBox({ code: "not_found" }), h("p", {}, h("a", { href: "#/" }, t("home"))));
    return;
  }
  await loadInto(area, async () => {
    const [clinic, specialties, doctors] = await Promise.all([
      load.clinic(clinicId), load.specialties(clinicId), load.doctors(clinicId, specialtyId)]);
    const specialty = specialties.find((s) => s.id === specialtyId);
    const doctor = doctorId ? doctors.find((d) => d.id === doctorId) : null;
    if (!specialty || (doctorId && !doctor)) throw notFound();
    return { clinic, specialty, doctor };
  }, ({ clinic, specialty, doctor }) => {
    const doctorsHref = `#/clinic/${clinic.id}/specialty/${specialty.id}`;
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, `#/clinic/${clinic.id}`], [specialty.name, doctorsHref], [t("waitTitle"), null]]));
    const summary = h("div", { class: "summary" },
      h("p", { class: "when" }, doctor ? doctor.name : t("waitAnyDoctor")),
      h("p", {}, specialty.name, doctor ? [" · ", t("room", { room: doctor.room })] : null),
      h("p", { class: "meta" }, clinic.name, ", ", clinic.address));
    const referralNumber = referralFor(clinic.id, specialty.id);
    if (specialty.referralRequired && !referralNumber) {
      // By referral only, and this tab has none for it: the referral first, as on the doctors' page.
      return [summary, h("p", { class: "message warn" }, t("referralNote")),
        h("p", { class: "actions" }, h("a", { href: `#/referral?clinic=${clinic.id}&specialty=${specialty.id}`, class: "button primary" }, t("referralAsk")))];
    }
    return [summary, waitForm({ clinicId: clinic.id, specialtyId: specialty.id, doctorId: doctor ? doctor.id : null, referralNumber, specialty,
      districtId: clinic.districtId, clinicKind: clinic.kind })];
  }, 3);
}

function waitForm(target) {
  const signed = auth.claims();
  const today = clinicToday();
  // Signed in with children: for whom (issue 29), the patient's own name otherwise.
  const whom = h("div", { class: "for-whom-area" }, h("p", { class: "meta" }, auth.displayName(signed || undefined)));
  let member = null;
  if (signed) {
    family().then((members) => {
      if (!hasChildren(members)) return;
      member = defaultMember(members, target.specialty);
      whom.replaceChildren(forWhomGroup(members, member, (m) => {
        member = m;
      }));
    });
  }
  const patientFields = signed
    ? [whom, field("email", "waitEmailOpt", false, { type: "email", autocomplete: "email", hint: "waitEmailHint" }, signed.email || "")]
    : PATIENT_FIELDS.map(([name, label, required, attrs]) => field(name, label, required, attrs, typed()[name] || ""));
  const checks = signed ? [["email", false]] : PATIENT_FIELDS.map(([name, , required]) => [name, required]);
  const errors = h("div", { class: "form-errors" });
  const submit = h("button", { type: "submit", class: "button primary" }, t("waitSubmit"));
  const form = h("form", { novalidate: true, class: "patient-form waitlist-form", "aria-label": t("waitTitle") },
    h("fieldset", {}, h("legend", {}, t("patient")), patientFields),
    h("fieldset", {}, h("legend", {}, t("waitPeriod")),
      field("from", "waitFrom", true, { type: "date", min: today }, today),
      field("to", "waitTo", true, { type: "date", min: today }, addDays(today, 13))),
    errors,
    h("p", { class: "actions" }, submit));

  // The period's own checks (the first day not past, the last not before the first), after field()'s own.
  for (const name of ["from", "to"]) {
    const input = form.elements[name];
    const recheck = () => showFieldError(input, true, periodProblem(form, name));
    input.addEventListener("blur", recheck);
    input.addEventListener("input", () => {
      if (input.getAttribute("aria-invalid") === "true") recheck();
    });
  }
  // "Correct the errors: N" counts down as the fields are fixed, as on the booking form.
  form.addEventListener("input", () => {
    const box = errors.querySelector("[data-fix-errors]");
    if (!box) return;
    const n = form.querySelectorAll('input[aria-invalid="true"]').length;
    if (n) box.querySelector("p").textContent = t("fixErrors", { n });
    else box.remove();
  });

  const collect = () => Object.fromEntries(checks.map(([name]) => [name, clean(name, form.elements[name].value)]));

  async function send() {
    const data = collect();
    const period = { from: form.elements.from.value, to: form.elements.to.value };
    const request = {
      clinicId: target.clinicId, specialtyId: target.specialtyId, ...period,
      ...(target.doctorId ? { doctorId: target.doctorId } : {}),
      ...(target.referralNumber ? { referralNumber: target.referralNumber } : {}),
    };
    const nonEmpty = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== ""));
    if (!signed) {
      store.set("form", { ...(store.get("form") || {}), ...data }); // the booking form starts from it too
      store.set("who", Object.fromEntries(["lastName", "birthDate", "policyNumber", "policySeries"].map((n) => [n, data[n]])));
    }
    submit.disabled = true;
    submit.textContent = t("waitSending");
    errors.replaceChildren();
    try {
      const { entry } = signed
        ? await api("POST", "/v1/me/waitlist", { body: { ...request, ...nonEmpty, ...memberParam(member) }, auth: true })
        : await api("POST", "/v1/waitlist", { body: { ...request, patient: nonEmpty } });
      const policy = signed ? null : Object.fromEntries(Object.entries({ policyNumber: data.policyNumber, policySeries: data.policySeries }).filter(([, v]) => v));
      const done = joined(entry, period, data.email || (signed && signed.email) || "", policy);
      form.replaceWith(done);
      done.focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      submit.disabled = false;
      submit.textContent = t("waitSubmit");
      if (err.code === "validation_error" && err.details && Array.isArray(err.details.fields)) {
        for (const f of err.details.fields) {
          const input = form.elements[String(f.field).split(".").pop()];
          if (input && !input.readOnly) showFieldError(input, false, problemKey(input.name));
        }
      }
      const context = {
        clinicId: target.clinicId, specialtyId: target.specialtyId, signedIn: Boolean(signed),
        districtId: target.districtId, clinicKind: target.clinicKind,
        doctorsHref: `#/clinic/${enc(target.clinicId)}/specialty/${enc(target.specialtyId)}`,
        fix: signed ? null : () => form.querySelector("input")?.focus(),
      };
      const box = messageBox(err, { retry: send, context });
      errors.replaceChildren(box);
      box.focus(); // the refusal is read out, and Tab goes on to its actions
      if (err.code === "not_attached" && !signed) {
        await showAttachedClinic(box, Object.fromEntries(Object.entries({ policyNumber: data.policyNumber, policySeries: data.policySeries,
          lastName: data.lastName, birthDate: data.birthDate }).filter(([, v]) => v)));
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const bad = [...badFields(form, checks),
      ...["from", "to"].map((name) => (showFieldError(form.elements[name], true, periodProblem(form, name)) ? form.elements[name] : null))
        .filter(Boolean)];
    if (fixErrors(errors, bad)) return;
    send();
  });
  return form;
}

/** The confirmation after joining, with a way to leave the list again. */
function joined(entry, period, email, policy) {
  const from = formatDay(entry.from || period.from, false);
  const to = formatDay(entry.to || period.to, false);
  const stop = h("button", { type: "button", class: "button secondary", onclick: leave }, t("waitStop"));
  const done = h("div", { class: "message success", role: "status", tabindex: "-1", dataset: { entry: entry.id } },
    h("p", {}, t("waitDone", { from, to })),
    email ? h("p", {}, t("waitDoneEmail", { email })) : null,
    h("p", { class: "actions" }, stop, policy ? null : h("a", { href: "#/my", class: "button secondary" }, t("errorActionMy"))));
  async function leave() {
    stop.disabled = true;
    done.querySelector("[data-code]")?.remove();
    try {
      const result = await stopWaiting(entry, policy);
      const left = h("p", { class: "message success", role: "status", tabindex: "-1" }, t("waitStopped", { what: what(result.entry || entry) }));
      done.replaceWith(left);
      left.focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      stop.disabled = false;
      const box = messageBox(err);
      done.append(box);
      box.focus();
    }
  }
  return done;
}

// ---------------------------------------------------------------- the offer (the email's link)
export async function viewOffer({ id }, query) {
  const token = query.get("t");
  const { body } = page(t("offerTitle"), { crumbs: [[t("home"), "#/"], [t("offerTitle"), null]] });
  const area = h("div", { class: "offer-area" });
  body.append(area);
  if (!token) {
    area.append(h("p", { class: "message info" }, t("offerNoToken")));
    return;
  }
  let shown = 0; // the render a countdown belongs to: an older one's expiry changes nothing
  const fetchEntry = () => api("GET", `/v1/waitlist/${enc(id)}?t=${enc(token)}`, { fresh: true }).then((r) => r.entry);

  /** Load the entry again and show its state (after the offer ran out or was refused); focus the message. */
  async function reload(code) {
    await loadInto(area, fetchEntry, (entry) => (entry.status === "offered" && !code ? offered(entry) : closed(entry, code)), 3);
    area.querySelector(".message")?.focus();
  }

  function offered(entry) {
    shown += 1;
    const mine = shown;
    const o = entry.offer;
    // The countdown runs on this device's clock: shift the server's deadline by the clocks' difference.
    const skew = serverNow() === null ? 0 : Date.now() - serverNow();
    const deadline = Date.parse(o.expiresAt) + skew - 1000;
    const errors = h("div", { class: "form-errors" });
    const button = h("button", { type: "button", class: "button primary", onclick: accept }, t("confirm"));
    async function accept() {
      button.disabled = true;
      button.textContent = t("booking");
      errors.replaceChildren();
      try {
        const { appointment } = await api("POST", `/v1/waitlist/${enc(id)}/accept`, { body: { token } });
        shown += 1; // booked: the countdown has nothing more to say
        store.set(`ticket.${appointment.id}`, appointment);
        forget("/specialties");
        go(ticketHash(appointment));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (["offer_expired", "slot_unavailable", "hold_expired", "not_found"].includes(err.code)) {
          shown += 1;
          await reload("offer_expired");
          return;
        }
        button.disabled = false;
        button.textContent = t("confirm");
        const box = messageBox(err, { retry: accept });
        errors.replaceChildren(box);
        box.focus();
      }
    }
    return [
      h("div", { class: "summary offer", dataset: { slot: o.slotId } },
        h("p", { class: "when" }, formatWhen(o.start), "–", formatTime(o.end)),
        h("p", {}, o.doctorName || entry.doctorName, " · ", entry.specialty, " · ", t("room", { room: o.room })),
        h("p", { class: "meta" }, entry.clinicName),
        countdown(deadline, () => {
          if (mine === shown) reload("offer_expired");
        })),
      h("p", {}, t("offerIntro")),
      errors,
      h("p", { class: "actions" }, button),
    ];
  }

  function closed(entry, code = null) {
    if (entry.status === "booked") {
      const kept = entry.appointmentId ? store.get(`ticket.${entry.appointmentId}`) : null;
      return h("div", { class: "message success", role: "status", tabindex: "-1", dataset: { status: entry.status } },
        h("p", {}, t("offerBooked")),
        h("p", { class: "actions" }, kept ? h("a", { href: ticketHash(kept), class: "button secondary" }, t("openTicket")) : null,
          h("a", { href: "#/my", class: "button secondary" }, t("errorActionMy"))));
    }
    if (entry.status === "waiting" && !code) {
      return h("p", { class: "message info", tabindex: "-1", dataset: { status: entry.status } }, t("offerWaiting"));
    }
    const box = messageBox({ code: "offer_expired", kind: code ? "error" : "warn" });
    box.dataset.status = entry.status;
    box.append(h("p", { class: "actions" },
      h("a", { href: waitlistHref(entry.clinicId, entry.specialtyId, entry.doctorId), class: "button secondary" }, t("offerWaitAgain")),
      h("a", { href: `#/clinic/${enc(entry.clinicId)}/specialty/${enc(entry.specialtyId)}`, class: "button secondary" }, t("errorActionTimes"))));
    return box;
  }

  await loadInto(area, fetchEntry, (entry) => (entry.status === "offered" && entry.offer ? offered(entry) : closed(entry)), 3);
}

// ---------------------------------------------------------------- the history of applications (signed in)
/** The signed-in patient's waiting entries (or, with `familyMemberId`, their child's: the family's `n`th member)
 * into `container`; nothing at all when there are none or the list could not be loaded (the history is what the
 * page is for). */
export async function myWaitlist(container, { familyMemberId = null, n = null } = {}) {
  let items;
  try {
    const q = familyMemberId ? `?familyMemberId=${enc(familyMemberId)}` : "";
    ({ items } = await api("GET", `/v1/me/waitlist${q}`, { auth: true }));
  } catch {
    return;
  }
  const prefix = n === null ? "wait" : `wait-${n}`; // one page may list several members' entries
  const open = (items || []).filter((e) => e.status === "waiting" || e.status === "offered");
  if (!open.length) return;
  const notice = h("div", {});
  const list = h("ul", { class: "cards list" });
  const card = (entry, i) => {
    const titleId = `${prefix}-entry-${i}`;
    const actions = h("p", { class: "actions" });
    const stop = h("button", { type: "button", class: "button secondary", "aria-describedby": titleId }, t("waitStop"));
    const item = h("li", {}, h("article", { class: "card wait-entry", dataset: { id: entry.id, status: entry.status } },
      h("p", { class: "title", id: titleId }, what(entry), " ", h("span", { class: `badge status-${entry.status}` }, t(`waitStatus_${entry.status}`))),
      h("p", { class: "meta" }, entry.clinicName, " · ",
        t("waitPeriodText", { from: formatDay(entry.from, false), to: formatDay(entry.to, false) })),
      entry.status === "offered" && entry.offer
        ? h("p", {}, t("waitOfferedNote", { when: formatWhen(entry.offer.start), until: formatTime(entry.offer.expiresAt) })) : null,
      actions));
    actions.append(stop);
    stop.addEventListener("click", async () => {
      stop.disabled = true;
      try {
        const result = await stopWaiting(entry);
        item.remove();
        // The notice takes the focus the button had (it is gone now).
        const done = h("p", { class: "message success", role: "status", tabindex: "-1" }, t("waitStopped", { what: what(result.entry || entry) }));
        notice.replaceChildren(done);
        if (!list.children.length) list.remove();
        done.focus();
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        stop.disabled = false;
        const box = messageBox(err);
        actions.replaceChildren(box, stop);
        box.focus();
      }
    });
    return item;
  };
  list.append(...open.map(card));
  const heading = n === null ? "h2" : "h3"; // under the member's name in a family's history
  container.replaceChildren(h("section", { class: "waitlist", "aria-labelledby": `${prefix}-title` },
    h(heading, { id: `${prefix}-title` }, t("myWaitTitle")), notice, list));
}
