// The patient's way through: district -> polyclinic -> specialty -> doctor -> date and time -> form ->
// ticket; plus cancellation, the history of applications, the address look-up and signing in. Each page lives in
// views/*.js; this file only lists the routes and starts the page. The first steps (views/browse.js) come with
// the page (index.html preloads them); every other page's module is loaded when it is first shown (lazy()), and
// the registry's staff pages (registry.js) only on #/registry, so a patient never downloads them. A module with
// pages of its own adds them with addRoute() before start() routes (one import line here).
import { ApiError, config, loadConfig } from "./api.js";
import { lang, setLang } from "./i18n.js";
import { addRoute, lazy as lazyModule, route, setup, state, store } from "./state.js";
import { messageBox, renderHeader, setupMenu } from "./ui.js";
import { viewClinics, viewDistricts, viewDoctors, viewSpecialties } from "./views/browse.js";

/** A view of a module loaded on demand; a module that cannot be loaded is a network failure. */
const lazy = (load, name) => lazyModule(() => load().catch(() => {
  throw new ApiError("network");
}), name);

const book = lazy(() => import("./views/book.js"), "viewBook");
const calendar = lazy(() => import("./views/calendar.js"), "viewCalendar");
const referral = lazy(() => import("./views/referral.js"), "viewReferral");
const ticket = lazy(() => import("./views/ticket.js"), "viewTicket");
const cancel = lazy(() => import("./views/ticket.js"), "viewCancel");
const reschedule = lazy(() => import("./views/reschedule.js"), "viewReschedule");
const remindersOff = lazy(() => import("./views/reschedule.js"), "viewRemindersOff");
const waitlist = lazy(() => import("./views/waitlist.js"), "viewWaitlist");
const offer = lazy(() => import("./views/waitlist.js"), "viewOffer");
const my = lazy(() => import("./views/my.js"), "viewMy");
const findToCancel = lazy(() => import("./views/my.js"), "viewFindToCancel");
const address = lazy(() => import("./views/address.js"), "viewAddress");
const signIn = lazy(() => import("./views/signin.js"), "viewSignIn");
const notFound = lazy(() => import("./views/signin.js"), "viewNotFound");
const registry = lazy(() => import("./registry.js"), "viewStaff"); // clinic staff

addRoute(/^\/?$/, viewDistricts);
addRoute(/^\/district\/([\w-]+)$/, viewClinics, ["district"]);
addRoute(/^\/clinic\/([\w-]+)$/, viewSpecialties, ["clinic"]);
addRoute(/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)$/, viewDoctors, ["clinic", "specialty"]);
addRoute(/^\/clinic\/([\w-]+)\/specialty\/([\w-]+)\/doctor\/([\w.-]+)$/, calendar, ["clinic", "specialty", "doctor"]);
addRoute(/^\/book$/, book);
addRoute(/^\/referral$/, referral);
addRoute(/^\/ticket\/([\w.#:-]+)$/, ticket, ["id"]);
addRoute(/^\/cancel$/, findToCancel); // «Отменить запись на приём к врачу» without the ticket: find it first
addRoute(/^\/cancel\/([\w.#:-]+)$/, cancel, ["id"]);
addRoute(/^\/reschedule\/([\w.#:-]+)$/, reschedule, ["id"]);
addRoute(/^\/reminders-off\/([\w.#:-]+)\/([\w-]+)$/, remindersOff, ["id", "token"]);
addRoute(/^\/waitlist$/, waitlist);
addRoute(/^\/offer\/([\w.#:-]+)$/, offer, ["id"]);
addRoute(/^\/my$/, my);
addRoute(/^\/address$/, address);
addRoute(/^\/signin$/, signIn);
addRoute(/^\/registry$/, registry);

function showError(err) {
  document.getElementById("main").replaceChildren(messageBox(err instanceof ApiError ? err : { code: "unknown" }));
}

setup({
  notFound: () => notFound({}).catch(showError),
  before(path) {
    renderHeader();
    if (path === "/signin" && !store.get("returnTo")) store.set("returnTo", "#/");
  },
  onError(err) {
    showError(err);
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
setupMenu();

async function start() {
  setLang(lang());
  await loadConfig();
  if (config.signIn === "oidc" && new URLSearchParams(location.search).has("code")) {
    // Back from the provider's login page: only then is the sign-in code needed.
    const { completeOidc } = await import("./oidc.js");
    const back = await completeOidc(config).catch(() => null);
    if (back) location.hash = back;
  }
  route();
}

start();
