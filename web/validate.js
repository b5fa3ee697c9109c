// Inline checks of the form, the same rules as the API's models (shared/faces/v1/models.py), so a mistake is
// shown next to its field before anything is sent.
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

/** An i18n key of the problem with this field's value, or null when it is fine. */
export function check(name, raw, required) {
  const value = clean(name, raw);
  if (!value) return required ? "required" : null;
  switch (name) {
    case "lastName":
    case "firstName":
    case "middleName":
      return NAME.test(value) ? null : "badName";
    case "birthDate": {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return "badDate";
      if (value > clinicToday()) return "futureDate";
      return value < "1900-01-01" ? "oldDate" : null;
    }
    case "policyNumber":
      return POLICY.test(value) ? null : "badPolicy";
    case "policySeries":
      return SERIES.test(value) ? null : "badSeries";
    case "referralNumber":
      return /^\d{12}$/.test(value.replace(/[\s-]/g, "")) ? null : "badReferral";
    case "email":
      return EMAIL.test(value) && value.length <= 254 ? null : "badEmail";
    case "phone":
      return PHONE.test(value) ? null : "badPhone";
    default:
      return null;
  }
}
