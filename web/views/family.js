// The signed-in patient's family (issue 29): themselves and the children they represent in the register
// (GET /v1/me/family, loaded once per page and sign-in), the "for whom" choice of the booking and the waiting list,
// and what the clinic did with an appointment (issue 28: the access journal's entries about it), in words.
// An adult without children has a family of one: no "for whom" step anywhere, the history as it always was.
import { api, auth } from "../api.js";
import { formatDay, formatTime, t } from "../i18n.js";
import { patientName, store } from "../state.js";
import { clinicToday, h } from "../ui.js";

let cached = null; // {sub, items: Promise} of the signed-in patient whose family it is

/** The family of the signed-in patient, self first; [] when not signed in or when it cannot be loaded (then the
 * pages act for the patient alone, as before families existed). */
export function family() {
  const claims = auth.claims();
  if (!claims) return Promise.resolve([]);
  const sub = claims.sub || auth.displayName(claims);
  if (cached && cached.sub === sub) return cached.items;
  const items = api("GET", "/v1/me/family", { auth: true })
    .then((r) => (Array.isArray(r && r.items) ? r.items : []))
    .catch(() => {
      cached = null; // tried again on the next page
      return [];
    });
  cached = { sub, items };
  return items;
}

/** Someone who books for others: the family has a child. */
export function hasChildren(members) {
  return members.some((m) => m.relation === "child");
}

/** The `familyMemberId` to send for `member`: none for the patient themselves (absent means self). */
export function memberParam(member) {
  return member && member.relation === "child" ? { familyMemberId: member.id } : {};
}

function ageOn(birthDate, day) {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = day.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The member's name and birth date, "(вы)" for the patient themselves. */
export function memberLabel(m) {
  const born = m.birthDate ? `, ${formatDay(m.birthDate, false)}` : "";
  return `${patientName(m)}${born}${m.relation === "self" ? ` ${t("familySelf")}` : ""}`;
}

/** Whom to book for first: the one chosen last in this tab, unless the specialty does not see them by age (a
 * paediatrician and the parent), then the first of the family it does see. */
export function defaultMember(members, specialty = null) {
  const kept = store.get("member");
  const first = members.find((m) => m.id === kept) || members[0];
  if (!specialty || !first) return first;
  const today = clinicToday();
  const fits = (m) => {
    if (!m.birthDate) return true;
    const age = ageOn(m.birthDate, today);
    return !((specialty.ageMin !== null && specialty.ageMin !== undefined && age < specialty.ageMin)
      || (specialty.ageMax !== null && specialty.ageMax !== undefined && age > specialty.ageMax));
  };
  return fits(first) ? first : members.find(fits) || first;
}

/** "For whom": a radio group of the family (native radios: Tab reaches the group, the arrow keys choose). */
export function forWhomGroup(members, chosen, onChange) {
  return h("fieldset", { class: "for-whom", dataset: { forWhom: "" } },
    h("legend", {}, t("forWhomTitle")),
    members.map((m, i) => h("p", { class: "field check" },
      h("input", {
        type: "radio", name: "familyMember", id: `f-member-${i}`, value: m.id, checked: chosen && m.id === chosen.id,
        dataset: { relation: m.relation },
        onchange: () => {
          store.set("member", m.id);
          onChange(m);
        },
      }),
      " ", h("label", { for: `f-member-${i}` }, memberLabel(m)))));
}

// ---------------------------------------------------------------- the clinic's access to an appointment
function accessLine(entry) {
  const role = t(`accessRole_${entry.role}`);
  const action = t(`accessAction_${entry.action}`);
  return t("accessLine", {
    who: role.startsWith("accessRole_") ? t("accessRoleOther") : role,
    did: action.startsWith("accessAction_") ? t("accessActionOther") : action,
    day: formatDay(entry.at, false), time: formatTime(entry.at),
  });
}

/** Who at the clinic looked at or changed the appointment, and when (newest first, as the API gives it); null
 * when nobody did. */
export function accessDetails(access) {
  if (!Array.isArray(access) || !access.length) return null;
  return h("details", { class: "access" },
    h("summary", {}, t("accessTitle", { n: access.length })),
    h("ul", {}, access.map((entry) => h("li", { dataset: { action: entry.action, role: entry.role } }, accessLine(entry)))));
}
