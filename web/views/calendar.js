// Choosing the date and time: the booking window's days (as the API gives them), the free times of the chosen
// day, and holding the chosen time.
import { api, ApiError, load, serverNow } from "../api.js";
import { formatDay, formatShortDay, formatTime, t, weekday } from "../i18n.js";
import { addDays, announce, go, referralFor, state, store } from "../state.js";
import { fillCrumbs, h, loadInto, messageBox, page } from "../ui.js";
import { holdFor, identity, showAttachedClinic, whoForm } from "../who.js";
import { clinicCrumbs, waitlistHref } from "./browse.js";
import { defaultMember, family, forWhomGroup, hasChildren, memberParam } from "./family.js";

export async function viewCalendar({ clinic: clinicId, specialty: specialtyId, doctor: doctorId }) {
  const { body, nav } = page(t("calendarTitle"), { crumbs: [[t("home"), "#/"]] });
  const head = h("div", { class: "doctor-head" }, h("p", { class: "lead placeholder" }, "\u00a0"));
  const calendar = h("div", { class: "calendar-area" });
  const who = whoForm(); // anonymous: who is booking, asked before the time is chosen
  const forWhom = h("div", { class: "for-whom-area" }); // signed in with children: for whom, before the time
  body.append(head, ...(who ? [who] : []), forWhom, calendar);
  const info = Promise.all([load.clinic(clinicId), load.specialties(clinicId), load.doctors(clinicId, specialtyId)]);
  let member = null; // the family member the time is for; null: the signed-in patient (no children)
  const whom = Promise.all([family(), info.catch(() => null)]).then(([members, got]) => {
    if (!hasChildren(members)) return;
    member = defaultMember(members, got && got[1].find((s) => s.id === specialtyId));
    forWhom.replaceChildren(forWhomGroup(members, member, (m) => {
      member = m;
    }));
  });
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

  const doctorsHref = `#/clinic/${clinicId}/specialty/${specialtyId}`;
  // No free time at all: another doctor of the specialty, or the waiting list for this one.
  const none = () => h("div", { class: "message info", dataset: { code: "no_free_time" } }, h("p", {}, t("calendarNone")),
    h("p", { class: "actions" },
      h("a", { href: waitlistHref(clinicId, specialtyId, doctorId), class: "button primary" }, t("waitLink")),
      h("a", { href: doctorsHref, class: "button secondary" }, t("errorActionDoctors"))));
  const show = () => dayAndTime(calendar, doctorId, hold, none);

  async function hold(slot, button) {
    const patient = identity(who);
    if (patient === undefined) return; // the identity's bad fields are marked and the first is focused
    for (const b of calendar.querySelectorAll("button")) b.disabled = true;
    button.setAttribute("aria-busy", "true");
    announce(t("holding"));
    try {
      await whom;
      const { familyMemberId = null } = memberParam(member);
      const referralNumber = referralFor(clinicId, specialtyId);
      const held = await holdFor(slot.id, patient || undefined, referralNumber, familyMemberId);
      // The countdown runs on this device's clock: shift the server's deadline by the clocks' difference.
      const skew = serverNow() === null ? 0 : Date.now() - serverNow();
      held.deadline = Date.parse(held.expiresAt) + skew - 1000; // the Date header counts whole seconds
      const [clinic, specialties, doctors] = await info;
      const specialty = specialties.find((s) => s.id === specialtyId);
      const doctor = doctors.find((d) => d.id === doctorId);
      store.set("flow", {
        clinic: { id: clinic.id, name: clinic.name, address: clinic.address, districtId: clinic.districtId, districtName: clinic.districtName,
          kind: clinic.kind },
        specialty: { id: specialty.id, name: specialty.name },
        doctor: { id: doctor.id, name: doctor.name, room: slot.room || doctor.room },
        slot, hold: held, referralNumber,
        member: familyMemberId ? member : null, // a child: the form shows the child's data, the booking names them
        back: `#/clinic/${clinicId}/specialty/${specialtyId}/doctor/${doctorId}`,
      });
      go("#/book");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (["slot_unavailable", "hold_expired", "not_found"].includes(err.code)) {
        state.flash = { code: "slot_unavailable" };
        viewCalendar({ clinic: clinicId, specialty: specialtyId, doctor: doctorId });
      } else {
        await show();
        const fix = () => who && who.querySelector("input")?.focus();
        const [clinic] = (await info.catch(() => null)) || [];
        const context = { clinicId, specialtyId, doctorsHref, fix: who ? fix : null, signedIn: !who,
          districtId: clinic && clinic.districtId, clinicKind: clinic && clinic.kind };
        const box = messageBox(err, { retry: () => hold(slot, button), context });
        calendar.prepend(box);
        box.focus();
        if (err.code === "not_attached" && patient) await showAttachedClinic(box, patient);
      }
    }
  }

  await show();
}

/** The days of the booking window, `from` to `to` (the clinic's dates, YYYY-MM-DD), in order (at most 31, the
 * API's longest window, whatever an answer says). */
function windowDays({ from, to }) {
  const days = [];
  for (let d = from; d <= to && days.length < 31; d = addDays(d, 1)) days.push(d);
  return days;
}

/** The booking window's days (14: today and the next 13, the clinic's dates, as the API's `window` says) of
 * `doctorId` with their free times, into `into`; `onChoose(slot, button)` when a time is clicked. The booking
 * calendar and rescheduling (views/reschedule.js) both choose a time with it. */
export function dayAndTime(into, doctorId, onChoose, none = () => h("p", { class: "message info" }, t("calendarNone"))) {
  let chosenDay = store.get("day");
  // Without dates the answer holds the whole booking window and names its days: the server decides them.
  const fetchSlots = () => api("GET", `/v1/doctors/${encodeURIComponent(doctorId)}/slots`, { fresh: true });
  return loadInto(into, fetchSlots, ({ items: slots, window: bookingWindow }) => {
    const days = windowDays(bookingWindow);
    const byDay = new Map(days.map((d) => [d, []]));
    for (const s of slots) byDay.get(s.start.slice(0, 10))?.push(s);
    if (!slots.length) return none();
    if (!chosenDay || !byDay.get(chosenDay)?.length) chosenDay = days.find((d) => byDay.get(d).length);
    const times = h("div", { class: "times-area" });
    // The days are one radio group (one Tab stop; arrow keys, Home and End move the choice), as in ARIA's
    // radio group pattern with a roving tabindex; days without free times are skipped.
    const choose = (d, focus = false) => {
      chosenDay = d;
      store.set("day", d);
      for (const b of dayButtons) {
        const on = b.dataset.day === d;
        b.setAttribute("aria-checked", String(on));
        b.tabIndex = on ? 0 : -1;
        if (on && focus) b.focus();
      }
      renderTimes();
    };
    const dayButtons = days.map((d) => {
      const n = byDay.get(d).length;
      return h("button", {
        type: "button", class: "day", role: "radio", "aria-checked": String(d === chosenDay),
        tabindex: d === chosenDay ? "0" : "-1", disabled: !n, dataset: { day: d },
        "aria-label": `${formatDay(d)}: ${n ? t("freeSlots", { n }) : t("dayNone")}`,
        onclick: () => choose(d),
      }, h("span", { class: "wd" }, weekday(d)), h("span", { class: "dd" }, formatShortDay(d)),
      h("span", { class: "n" }, n ? t("slotsCount", { n }) : "—"));
    });
    const onKey = (event) => {
      const open = dayButtons.filter((b) => !b.disabled);
      const at = open.findIndex((b) => b.dataset.day === chosenDay);
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      let next = null;
      if (step) next = open[(at + step + open.length) % open.length];
      else if (event.key === "Home") next = open[0];
      else if (event.key === "End") next = open[open.length - 1];
      if (!next) return;
      event.preventDefault();
      choose(next.dataset.day, true);
    };
    const renderTimes = () => {
      const list = byDay.get(chosenDay);
      times.replaceChildren(
        h("h2", { id: "times-title" }, t("slotsOn", { day: formatDay(chosenDay) })),
        list.length
          ? h("ul", { class: "times", "aria-labelledby": "times-title" }, list.map((s) =>
            h("li", {}, h("button", { type: "button", class: "time", dataset: { slot: s.id }, onclick: (e) => onChoose(s, e.currentTarget) },
              formatTime(s.start)))))
          : h("p", {}, t("dayNone")));
    };
    renderTimes();
    return [h("h2", { class: "visually-hidden" }, t("calendarDays")), h("div", { class: "days", role: "radiogroup", "aria-label": t("calendarDays"), onkeydown: onKey }, dayButtons), times];
  }, 3);
}
