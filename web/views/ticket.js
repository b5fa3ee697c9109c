// The ticket (талон) and cancelling an appointment by the link from the ticket or the email.
import { api, ApiError, auth, forget } from "../api.js";
import { ticketIcs } from "../ics.js";
import { formatTime, formatWhen, t } from "../i18n.js";
import { onLeave, patientName, store } from "../state.js";
import { badFields, clean, field, h, loadInto, messageBox, page } from "../ui.js";
import { accessDetails } from "./family.js";

function ticketRows(a) {
  return h("dl", { class: "ticket-rows" },
    h("dt", {}, t("when")), h("dd", { class: "when" }, formatWhen(a.start), "–", formatTime(a.end)),
    h("dt", {}, t("doctor")), h("dd", {}, a.doctor.name),
    h("dt", {}, t("specialty")), h("dd", {}, a.doctor.specialty),
    h("dt", {}, t("clinic")), h("dd", {}, a.clinic.name, h("br"), a.clinic.address, h("br"), h("span", { class: "phone" }, a.clinic.phone), h("br"), t("room", { room: a.room })),
    h("dt", {}, t("patient")), h("dd", { class: "patient" }, patientName(a.patient)),
    // A parent's booking for a child: the patient is the child, and who booked is said too (issue 29).
    a.bookedBy ? [h("dt", {}, t("bookedBy")), h("dd", { class: "booked-by" }, patientName(a.bookedBy))] : null,
    h("dt", {}, t("status")), h("dd", {}, h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))));
}

function icsLink(a) {
  const summary = `${a.doctor.specialty}: ${a.doctor.name}`;
  const description = `${t("ticketNumber", { number: a.number })}\n${a.cancellation.hint}\n${a.cancellation.url}`;
  const blob = new Blob([ticketIcs(a, summary, description, t("room", { room: a.room }))], { type: "text/calendar;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  onLeave(() => URL.revokeObjectURL(url));
  return h("a", { href: url, download: `talon-${a.number}.ics`, class: "button secondary", id: "add-to-calendar" }, t("addToCalendar"));
}

/** The ticket's address in the page: with its capability token when the API gave one (any tab opens it). */
export function ticketHash(a) {
  return a.ticketUrl ? `#${a.ticketUrl.split("#")[1]}` : `#/ticket/${a.id}`;
}

/** The ticket this tab keeps (it booked, searched or cancelled it), else the one of the link's token; or null. */
export async function findTicket(id, token) {
  const kept = store.get(`ticket.${id}`);
  if (kept || !token) return kept;
  try {
    const { appointment } = await api("GET", `/v1/appointments/${encodeURIComponent(id)}?t=${encodeURIComponent(token)}`, { fresh: true });
    store.set(`ticket.${id}`, appointment);
    return appointment;
  } catch (err) {
    if (!(err instanceof ApiError) || err.retryable) throw err;
    return null;
  }
}

export async function viewTicket({ id }, query) {
  const { body } = page(t("ticketTitle"), { crumbs: [[t("home"), "#/"], [t("ticketTitle"), null]] });
  const token = query.get("t");
  const area = h("div", {}); // below a notice the page may show first (rescheduled)
  body.append(area);
  await loadInto(area, () => findTicket(id, token), (a) => {
    if (!a) return h("p", { class: "message info" }, t("ticketMissing"), " ", h("a", { href: "#/my" }, t("navMy")));
    const booked = a.status === "booked";
    const withToken = token ? `?t=${encodeURIComponent(token)}` : "";
    const cancelHref = `#/cancel/${a.id}${withToken}`;
    const movable = booked && Date.parse(a.start) > Date.now();
    return h("article", { class: "ticket", "aria-label": t("ticketNumber", { number: a.number }) },
      h("h2", { class: "ticket-number" }, t("ticketNumber", { number: a.number })),
      ticketRows(a),
      accessDetails(a.access),
      // A moved appointment links to the one it moved to (and back): this tab keeps both.
      a.rescheduledTo ? h("p", { class: "message info no-print" }, h("a", { href: `#/ticket/${a.rescheduledTo}`, dataset: { moved: "to" } }, t("rescheduledToLink"))) : null,
      a.referralNumber ? h("p", { class: "meta referral-number" }, t("referralOnTicket", { number: a.referralNumber })) : null,
      a.rescheduledFrom ? h("p", { class: "meta no-print" }, h("a", { href: `#/ticket/${a.rescheduledFrom}`, dataset: { moved: "from" } }, t("rescheduledFromLink"))) : null,
      booked ? h("p", { class: "meta no-print" }, t("ticketSent")) : null,
      h("p", { class: "actions no-print" },
        h("button", { type: "button", class: "button primary", onclick: () => window.print() }, t("print")),
        booked ? icsLink(a) : null,
        movable ? h("a", { href: `#/reschedule/${a.id}${withToken}`, class: "button secondary", id: "reschedule" }, t("rescheduleThis")) : null),
      booked ? h("section", { class: "how-to-cancel", "aria-labelledby": "cancel-title" },
        h("h2", { id: "cancel-title" }, t("howToCancel")),
        h("p", {}, a.cancellation.hint),
        h("p", { class: "no-print" }, h("a", { href: cancelHref, class: "button secondary" }, t("cancelThis")))) : null);
  }, 3);
}

// ---------------------------------------------------------------- cancellation
// «Отменить запись на приём к врачу», the place the ticket and the emails name: which appointment, the policy (not
// signed in), the button. Its words follow the appointment's state: once cancelled (here or before), the page says
// so, and asks for nothing more.
function which(a, label) {
  return h("div", { class: "summary", dataset: { number: a.number, status: a.status } },
    h("p", {}, label, " ", h("span", { class: `badge status-${a.status}` }, t(`status_${a.status}`))),
    h("p", { class: "when" }, t("ticketNumber", { number: a.number }), " · ", formatWhen(a.start)),
    h("p", {}, a.doctor.name, " · ", a.doctor.specialty), h("p", { class: "meta" }, a.clinic.name, ", ", a.clinic.address));
}

function cancelledNotice(a, notice = null) {
  return h("div", { class: "message success", role: "status", tabindex: "-1" },
    h("p", {}, t("cancelled", { number: a.number })), notice ? h("p", {}, notice) : null,
    h("p", { class: "actions" }, h("a", { href: ticketHash(a), class: "button secondary" }, t("openTicket")),
      h("a", { href: "#/", class: "button secondary" }, t("bookAgain"))));
}

/** An appointment that is no longer booked (cancelled, moved, attended): nothing to cancel. */
function notCancellable(a) {
  const moved = a.status === "rescheduled" && a.rescheduledTo;
  return h("div", { class: "message info", role: "status", tabindex: "-1", dataset: { code: "not_cancellable" } },
    h("p", {}, t("cancelNotBooked", { status: t(`status_${a.status}`).toLowerCase() })),
    h("p", { class: "actions" },
      h("a", { href: moved ? `#/ticket/${a.rescheduledTo}` : ticketHash(a), class: "button secondary" },
        moved ? t("rescheduledToLink") : t("openTicket")),
      h("a", { href: "#/my", class: "button secondary" }, t("navMy"))));
}

export async function viewCancel({ id }, query) {
  const signed = auth.signedIn();
  const { body, intro } = page(t("cancelTitle"), {
    crumbs: [[t("home"), "#/"], [t("cancelTitle"), null]],
    intro: signed ? t("cancelSignedIntro") : t("cancelIntro"),
  });
  // Which appointment this is: from the link's token (the emailed link has one), else from this tab.
  const about = h("div", { class: "which" });
  body.append(about);
  const out = h("div", { class: "result" });
  const button = h("button", { type: "submit", class: "button danger" }, t("cancelDo"));
  const fields = signed ? [] : [
    field("policyNumber", "policyNumber", true, { inputmode: "numeric", autocomplete: "off", hint: "policyNumberHint" }),
    field("policySeries", "policySeries", false, { autocomplete: "off" })];
  const form = h("form", { novalidate: true }, fields, out, h("p", { class: "actions" }, button));
  body.append(form);
  /** The page as it is once the appointment is no longer booked: no intro asking for the policy, no form. */
  const settle = (a, shown) => {
    intro?.remove();
    about.replaceChildren(which(a, t(a.status === "cancelled" ? "cancelWhichDone" : "cancelWhich")));
    form.replaceWith(shown);
    shown.focus();
  };
  findTicket(id, query.get("t")).then((known) => {
    if (!known || !form.isConnected) return;
    if (known.status === "booked") about.replaceChildren(which(known, t("cancelFor")));
    else settle(known, notCancellable(known));
  }).catch(() => {});
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
      const a = result.appointment;
      store.set(`ticket.${a.id}`, a);
      settle(a, cancelledNotice(a, result.notice));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      button.disabled = false;
      button.textContent = t("cancelDo");
      // Not found here means the policy does not match the appointment (or the link is wrong), not stale data.
      const context = { ticketHref: `#/ticket/${encodeURIComponent(id)}${query.get("t") ? `?t=${encodeURIComponent(query.get("t"))}` : ""}` };
      const box = messageBox(err.code === "not_found" ? { code: "not_found", text: t("cancelNotFound") } : err, { retry: send, context });
      out.replaceChildren(box);
      box.focus();
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!signed) {
      const bad = badFields(form, [["policyNumber", true], ["policySeries", false]]);
      if (bad.length) {
        bad[0].focus();
        return;
      }
    }
    send();
  });
}
