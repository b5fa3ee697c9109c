// The patient's way through: district -> polyclinic -> specialty -> doctor -> date and time -> form ->
// ticket; plus cancellation, "my appointments", the address look-up and signing in. Each page lives in
// views/*.js; this file only lists the routes and starts the page. A module with pages of its own adds
// them with addRoute() before start() routes (one import line here).
import { ApiError, config, loadConfig } from "./api.js";
import * as auth from "./auth.js";
import { renderHeader } from "./header.js";
import { lang, setLang } from "./i18n.js";
import { addRoute, route, setup } from "./router.js";
import { state, store } from "./state.js";
import { viewRegistry } from "./registry.js";
import { messageBox } from "./ui.js";
import { viewAddress } from "./views/address.js";
import { viewBook } from "./views/book.js";
import { viewClinics, viewDistricts, viewDoctors, viewSpecialties } from "./views/browse.js";
import { viewCalendar } from "./views/calendar.js";
import { viewMy } from "./views/my.js";
import { viewReferral } from "./views/referral.js";
import { viewRemindersOff, viewReschedule } from "./views/reschedule.js";
import { viewNotFound, viewSignIn } from "./views/signin.js";
import { viewCancel, viewTicket } from "./views/ticket.js";
import { viewOffer, viewWaitlist } from "./views/waitlist.js";

addRoute(/^\/?$/, viewDistricts);
addRoute(/^\/district\/([\w-]+)$/, viewClinics, ["district"]);
addRoute(/^\/clinic\/([\w-]+)$/, viewSpecialties, ["clinic"]);
addRoute(/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)$/, viewDoctors, ["clinic", "specialty"]);
addRoute(/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)\/doctor\/([\w.-]+)$/, viewCalendar, ["clinic", "specialty", "doctor"]);
addRoute(/^\/book$/, viewBook);
addRoute(/^\/referral$/, viewReferral);
addRoute(/^\/ticket\/([\w.#:-]+)$/, viewTicket, ["id"]);
addRoute(/^\/cancel\/([\w.#:-]+)$/, viewCancel, ["id"]);
addRoute(/^\/reschedule\/([\w.#:-]+)$/, viewReschedule, ["id"]);
addRoute(/^\/reminders-off\/([\w.#:-]+)\/([\w-]+)$/, viewRemindersOff, ["id", "token"]);
addRoute(/^\/waitlist$/, viewWaitlist);
addRoute(/^\/offer\/([\w.#:-]+)$/, viewOffer, ["id"]);
addRoute(/^\/my$/, viewMy);
addRoute(/^\/address$/, viewAddress);
addRoute(/^\/signin$/, viewSignIn);
addRoute(/^\/registry$/, () => viewRegistry(document.getElementById("main"))); // clinic staff (registry.js)

setup({
  notFound: viewNotFound,
  before(path) {
    renderHeader();
    if (path === "/signin" && !store.get("returnTo")) store.set("returnTo", "#/");
  },
  onError(err) {
    document.getElementById("main").replaceChildren(messageBox(err instanceof ApiError ? err : { code: "unknown" }));
    throw err;
  },
});

document.getElementById("lang").addEventListener("click", () => {
  setLang(lang() === "ru" ? "en" : "ru");
  state.firstRender = true; // stay on the switch: re-render without moving focus
  route();
  document.getElementById("lang").focus();
});

document.getElementById("skip").addEventListener("click", (event) => {
  event.preventDefault();
  (document.getElementById("page-title") || document.getElementById("main")).focus();
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
