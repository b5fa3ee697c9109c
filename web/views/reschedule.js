// Moving an appointment to another time (issue 14): the booking calendar's day and time choice, for any doctor of
// the appointment's specialty at its clinic, then a confirmation with the old and the new time. One request
// moves it (POST .../reschedule, one transaction): the old appointment stays until the new one is booked.
// Also the reminder email's "turn reminders off" link.
import { api, ApiError, auth, forget, load } from "../api.js";
import { formatWhen, t } from "../i18n.js";
import { go, state, store } from "../state.js";
import { badFields, clean, field, h, loadInto, messageBox, page } from "../ui.js";
import { typed } from "../who.js";
import { dayAndTime } from "./calendar.js";
import { findTicket, ticketHash } from "./ticket.js";

const POLICY_FIELDS = [
  ["policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }],
  ["policySeries", false, { autocomplete: "off" }],
];

function movable(a) {
  return a.status === "booked" && Date.parse(a.start) > Date.now();
}

function line(a, doctorName = a.doctor.name) {
  return [formatWhen(a.start), " · ", doctorName];
}

export async function viewReschedule({ id }, query) {
  const token = query.get("t");
  const { body } = page(t("rescheduleTitle"), {
    crumbs: [[t("home"), "#/"], [t("navMy"), "#/my"], [t("rescheduleTitle"), null]], intro: t("rescheduleIntro"),
  });
  const area = h("div", { class: "reschedule" });
  body.append(area);
  await loadInto(area, async () => {
    const a = await findTicket(id, token);
    const doctors = a ? await load.doctors(a.clinic.id, a.doctor.specialtyId, true) : [];
    return { a, doctors };
  }, ({ a, doctors }) => {
    if (!a) return h("p", { class: "message info" }, t("ticketMissing"), " ", h("a", { href: "#/my" }, t("navMy")));
    if (!movable(a)) {
      return h("p", { class: "message info", dataset: { code: "not_movable" } }, t("rescheduleNotBooked"), " ",
        h("a", { href: ticketHash(a) }, t("openTicket")));
    }
    return chooser(a, doctors);
  }, 3);
}

function chooser(a, doctors) {
  const now = h("div", { class: "summary", dataset: { number: a.number } },
    h("p", {}, t("rescheduleNow")),
    h("p", { class: "when" }, t("ticketNumber", { number: a.number }), " · ", formatWhen(a.start)),
    h("p", {}, a.doctor.name, " · ", a.doctor.specialty), h("p", { class: "meta" }, a.clinic.name, ", ", a.clinic.address));
  const times = h("div", { class: "calendar-area" });
  const step = h("div", { class: "reschedule-step" });
  // Any doctor of the same specialty at the same clinic; the appointment's own doctor first.
  const others = doctors.filter((d) => d.id !== a.doctor.id);
  const choices = [{ id: a.doctor.id, name: a.doctor.name }, ...others];
  const select = h("select", { id: "f-doctor", name: "doctor" },
    choices.map((d) => h("option", { value: d.id }, d.name)));
  const pick = h("p", { class: "field" }, h("label", { for: "f-doctor" }, t("rescheduleDoctor")), select);
  const doctorName = () => choices.find((d) => d.id === select.value).name;
  const showTimes = () => dayAndTime(times, select.value, (slot) => confirm(slot));
  select.addEventListener("change", showTimes);

  function confirm(slot) {
    const fields = auth.signedIn() ? [] : POLICY_FIELDS.map(([name, required, attrs]) =>
      field(name, name, required, attrs, typed()[name] || ""));
    const out = h("div", { class: "result" });
    const button = h("button", { type: "submit", class: "button primary" }, t("rescheduleDo"));
    const title = h("h2", { id: "confirm-title", tabindex: "-1" }, t("rescheduleConfirmTitle"));
    const form = h("form", { novalidate: true, class: "reschedule-confirm", "aria-labelledby": "confirm-title" },
      title,
      h("dl", { class: "ticket-rows" },
        h("dt", {}, t("rescheduleFrom")), h("dd", { class: "old" }, line(a)),
        h("dt", {}, t("rescheduleTo")), h("dd", { class: "new" }, line({ start: slot.start }, doctorName()))),
      fields, out,
      h("p", { class: "actions" }, button,
        h("button", { type: "button", class: "button secondary", onclick: back }, t("changeTime"))));
    step.replaceChildren(form);
    pick.hidden = true;
    times.hidden = true;
    title.focus();
    const key = crypto.randomUUID(); // a retry of this confirmation is the same request
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const signed = auth.signedIn();
      if (!signed) {
        const bad = badFields(form, POLICY_FIELDS.map(([name, required]) => [name, required]));
        if (bad.length) {
          bad[0].focus();
          return;
        }
      }
      const policy = signed ? {} : Object.fromEntries(POLICY_FIELDS
        .map(([name]) => [name, clean(name, form.elements[name].value)]).filter(([, v]) => v));
      button.disabled = true;
      button.textContent = t("rescheduling");
      out.replaceChildren();
      try {
        const path = `${signed ? "/v1/me" : "/v1"}/appointments/${encodeURIComponent(a.id)}/reschedule`;
        const result = await api("POST", path, { auth: signed, body: { ...policy, slotId: slot.id }, headers: { "Idempotency-Key": key } });
        const moved = result.appointment;
        store.set(`ticket.${moved.id}`, moved);
        store.set(`ticket.${a.id}`, { ...a, status: "rescheduled", rescheduledTo: moved.id });
        forget("/specialties");
        forget("/slots");
        state.flash = { code: "rescheduled", kind: "success", text: t("rescheduledNotice", { number: moved.number }) };
        go(ticketHash(moved));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        button.disabled = false;
        button.textContent = t("rescheduleDo");
        if (["slot_unavailable", "hold_expired"].includes(err.code)) {
          back({ code: "slot_unavailable" });
          return;
        }
        // Not found here means the policy does not match the appointment, as for cancelling.
        const box = messageBox(err.code === "not_found" ? { code: "not_found", text: t("cancelNotFound") } : err,
          { context: { ticketHref: ticketHash(a) } });
        out.replaceChildren(box);
        box.focus();
      }
    });
  }

  function back(message = null) {
    step.replaceChildren(...(message && message.code ? [messageBox(message)] : []));
    pick.hidden = false;
    times.hidden = false;
    showTimes();
    (step.firstChild || select).focus();
  }

  showTimes();
  return [now, pick, step, times];
}

/** The reminder email's link: reminders off for one appointment, no sign-in (the link carries a token). */
export async function viewRemindersOff({ id, token }) {
  const { body } = page(t("remindersOffTitle"), { crumbs: [[t("home"), "#/"], [t("remindersOffTitle"), null]] });
  const out = h("div", { class: "result", "aria-live": "polite" });
  body.append(out);
  await loadInto(out, () => api("POST", `/v1/appointments/${encodeURIComponent(id)}/reminders/off`, { body: { token } })
    .then(() => true, (err) => {
      if (err instanceof ApiError && !err.retryable) return false;
      throw err;
    }),
  (done) => h("p", { class: `message ${done ? "success" : "info"}`, role: "status" }, done ? t("remindersOffDone") : t("remindersOffBad")), 1);
}
