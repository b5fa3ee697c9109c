// The first steps: district -> polyclinic -> specialty -> doctor. Every card leads somewhere: a specialty without
// free time to its doctors, where the waiting list ("tell me when a time frees up") is offered for each of them
// and for the specialty as a whole.
import { api, auth, load, notFound } from "../api.js";
import { lang, t } from "../i18n.js";
import { referralFor } from "../state.js";
import { cards, fillCrumbs, h, loadInto, page, slotsInfo } from "../ui.js";

/** Where a specialty's card leads: a referral-only one asks for the referral first (views/referral.js). */
function specialtyHref(clinicId, s) {
  return s.referralRequired && !referralFor(clinicId, s.id)
    ? `#/referral?clinic=${clinicId}&specialty=${s.id}` : `#/clinic/${clinicId}/specialty/${s.id}`;
}

/** The waiting list for a doctor without free time (or, without `doctorId`, any doctor of the specialty). */
export function waitlistHref(clinicId, specialtyId, doctorId = null) {
  const enc = encodeURIComponent;
  return `#/waitlist?clinic=${enc(clinicId)}&specialty=${enc(specialtyId)}${doctorId ? `&doctor=${enc(doctorId)}` : ""}`;
}

export async function viewDistricts() {
  const { body } = page(t("districtsTitle"), {
    intro: [t("districtsIntro"), " ", h("a", { href: "#/address" }, t("districtsFind"))],
  });
  const mine = h("div", { class: "attachment" });
  const list = h("div", {});
  // The portal's «Подать заявление»: booking is the district list below; booking by referral and cancelling
  // (signed in: from the history of applications) are one click away.
  const apply = h("section", { class: "apply", "aria-labelledby": "apply-title" },
    h("h2", { id: "apply-title", class: "apply-title" }, t("applyTitle")),
    h("p", { class: "actions" },
      h("a", { href: "#/referral", class: "button secondary" }, t("referralEntry")),
      auth.signedIn()
        ? h("a", { href: "#/my", class: "button secondary" }, t("navMy"))
        : h("a", { href: "#/cancel", class: "button secondary" }, t("cancelTitle"))));
  body.append(mine, apply, list);
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

/** Whom a polyclinic serves (issue 29): a children's one and one for both are marked; an adult one is not. */
function kindBadge(kind) {
  return kind === "children" || kind === "both" ? h("span", { class: `badge kind-${kind}` }, t(`clinicKind_${kind}`)) : null;
}

/** The district's polyclinics; `?kind=children` (or `adult`), where an age refusal leads, lists those that serve
 * children (or adults) and offers the whole list. */
export async function viewClinics({ district }, query = new URLSearchParams()) {
  const kind = ["children", "adult"].includes(query.get("kind")) ? query.get("kind") : null;
  const { body, nav } = page(t(kind ? `clinicsTitle_${kind}` : "clinicsTitle"), { crumbs: [[t("home"), "#/"]] });
  load.districts().then((ds) => {
    const d = ds.find((x) => x.id === district);
    if (d) fillCrumbs(nav, [[t("home"), "#/"], [d.name, null]]);
  }).catch(() => {});
  const serves = (c) => !kind || !c.kind || c.kind === kind || c.kind === "both";
  await loadInto(body, () => load.clinics(district), (clinics) => [
    cards(clinics.some(serves) ? clinics.filter(serves) : clinics, (c) => h("a", { href: `#/clinic/${c.id}`, class: "card link", dataset: { clinic: c.id, kind: c.kind || "" } },
      h("span", { class: "title" }, c.name), kindBadge(c.kind), h("span", { class: "meta" }, c.address),
      h("span", { class: "meta phone" }, c.phone))),
    kind ? h("p", {}, h("a", { href: `#/district/${district}` }, t("clinicsAll"))) : null,
  ], 2);
}

// The doctors people come to first, in this order; then the rest by name in the page's language; those that
// need a referral last (a patient without one cannot book them).
const FIRST = ["therapist", "gp", "paediatrician"];

export function sortSpecialties(items, language) {
  const rank = (s) => [s.referralRequired ? 1 : 0, FIRST.includes(s.id) ? FIRST.indexOf(s.id) : FIRST.length];
  return [...items].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || a.name.localeCompare(b.name, language);
  });
}

/** Who the specialty sees by age (the paediatrician children, the therapist adults), or nothing. */
function ageNote(s) {
  if (s.ageMax !== null && s.ageMax !== undefined) return h("span", { class: "meta age" }, t("ageUnder", { n: s.ageMax + 1 }));
  if (s.ageMin !== null && s.ageMin !== undefined) return h("span", { class: "meta age" }, t("ageFrom", { n: s.ageMin }));
  return null;
}

export function clinicCrumbs(clinic, extra = []) {
  return [[t("home"), "#/"], [clinic.districtName, `#/district/${clinic.districtId}`], ...extra];
}

function clinicHeader(clinic) {
  return h("div", { class: "clinic-head" },
    h("p", { class: "clinic-name" }, clinic.name, " ", kindBadge(clinic.kind)),
    h("p", { class: "meta" }, clinic.address, " · ", h("a", { href: `tel:${clinic.phone.replace(/[^\d+]/g, "")}`, class: "phone" }, clinic.phone)),
    clinic.workingHours ? h("p", { class: "meta" }, `${t("workingHours")}: ${clinic.workingHours}`) : null);
}

export async function viewSpecialties({ clinic: clinicId }) {
  const { body, nav } = page(t("specialtiesTitle"), { crumbs: [[t("home"), "#/"]] });
  await loadInto(body, async () => {
    const [clinic, specialties] = await Promise.all([load.clinic(clinicId), load.specialties(clinicId, true)]);
    return { clinic, specialties };
  }, ({ clinic, specialties }) => {
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, null]]));
    return [clinicHeader(clinic), cards(sortSpecialties(specialties, lang()), (s) => {
      const inner = [
        h("span", { class: "title" }, s.name),
        s.referralRequired ? h("span", { class: "badge referral" }, t("referral")) : null,
        ageNote(s),
        h("span", { class: "meta" }, slotsInfo(s)),
        // No free time: the card leads to the doctors, where the waiting list is offered.
        s.freeSlots ? null : h("span", { class: "wait-note" }, t("waitCardNote")),
      ];
      return h("a", { href: specialtyHref(clinic.id, s), class: `card link${s.freeSlots ? "" : " muted"}`, dataset: { specialty: s.id } }, inner);
    })];
  }, 6);
}

export async function viewDoctors({ clinic: clinicId, specialty: specialtyId }) {
  const { body, nav } = page(t("doctorsTitle"), { crumbs: [[t("home"), "#/"]] });
  await loadInto(body, async () => {
    const [clinic, specialties, doctors] = await Promise.all([
      load.clinic(clinicId), load.specialties(clinicId), load.doctors(clinicId, specialtyId, true)]);
    const specialty = specialties.find((s) => s.id === specialtyId);
    if (!specialty) throw notFound();
    return { clinic, specialty, doctors };
  }, ({ clinic, specialty, doctors }) => {
    fillCrumbs(nav, clinicCrumbs(clinic, [[clinic.name, `#/clinic/${clinic.id}`], [specialty.name, null]]));
    if (specialty.referralRequired && !referralFor(clinic.id, specialty.id)) {
      // By referral only, and this tab has none for it: the referral's number and last name first.
      return [h("p", { class: "lead" }, specialty.name, " · ", clinic.name),
        h("p", { class: "message warn" }, t("referralNote")),
        h("p", { class: "actions" }, h("a", { href: specialtyHref(clinic.id, specialty), class: "button primary" }, t("referralAsk")))];
    }
    const anyFree = doctors.some((d) => d.freeSlots);
    return [
      h("p", { class: "lead" }, specialty.name, " · ", clinic.name),
      specialty.referralRequired ? h("p", { class: "message warn" }, t("referralNote")) : null,
      // Nobody has a free time: say so first, with the waiting list for any doctor of the specialty.
      anyFree ? null : h("div", { class: "message info", dataset: { code: "no_free_time" } }, h("p", {}, t("doctorsNone")),
        h("p", { class: "actions" }, h("a", { href: waitlistHref(clinic.id, specialty.id), class: "button primary" }, t("waitAnyLink")))),
      cards(doctors, (d) => {
        const inner = [h("span", { class: "title" }, d.name), h("span", { class: "meta" }, t("room", { room: d.room })),
          h("span", { class: "meta" }, slotsInfo(d))];
        // No free time: the waiting list offers the first time that frees up (views/waitlist.js).
        return d.freeSlots
          ? h("a", { href: `#/clinic/${clinic.id}/specialty/${specialty.id}/doctor/${d.id}`, class: "card link" }, inner)
          : h("div", { class: "card muted" }, inner, h("span", {}, h("a", { href: waitlistHref(clinic.id, specialty.id, d.id), class: "wait-link" },
            t("waitLink"), h("span", { class: "visually-hidden" }, ` (${d.name})`))));
      }),
    ];
  }, 2);
}
