// State shared by the views: the tab's session storage, the message the next page shows first, the timers
// of the page being left, the navigation counter that makes older async renders drop their results, and the
// hash router that walks between the pages (no rewrites needed from the static hosting, #/cancel/<id> links work).
export const state = {
  flash: null, // a message the next page shows first: {code} or {text}
  cleanups: [], // run when the page is left (timers, held slots, object URLs)
  generation: 0,
  firstRender: true,
};

export const store = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(`zapis.${key}`) || "null");
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(`zapis.${key}`, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(`zapis.${key}`);
  },
};

/** Run `stop` when the current page is left. */
export function onLeave(stop) {
  state.cleanups.push(stop);
}

/** Say `text` through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById("status");
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

export function addDays(isoDate, n) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function patientName(p) {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(" ");
}

// ---------------------------------------------------------------- the referral this tab found (views/referral.js)
/** The referral number to book `specialtyId` at `clinicId` with, when this tab found one for it. */
export function referralFor(clinicId, specialtyId) {
  const r = store.get("referral");
  return r && r.clinicId === clinicId && r.specialtyId === specialtyId ? r.number : null;
}

/** Forget the referral once an appointment used it (the next booking needs a new look-up). */
export function forgetReferral() {
  store.remove("referral");
}

// ---------------------------------------------------------------- the router
// Routes are added with addRoute(pattern, view, names) by app.js (and by any module that brings its own pages).
const routes = [];
let notFound = () => {};
let before = () => {};
let onError = () => {};

/** `pattern` is a RegExp over the path after "#"; its groups become view({name: value}). */
export function addRoute(pattern, view, names = []) {
  routes.push([pattern, view, names]);
}

/** A view whose module is loaded when it is first shown (`load` is `() => import(...)`); an older navigation's
 * module that arrives late renders nothing. */
export function lazy(load, name) {
  return async (params, query) => {
    const mine = state.generation;
    const module = await load();
    return mine === state.generation ? module[name](params, query) : undefined;
  };
}

/** setup({notFound, before, onError}): the page for unknown paths, what runs before each view, errors. */
export function setup(options) {
  ({ notFound = notFound, before = before, onError = onError } = options);
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** The section of the current route ("my", "clinic", ...), for the menu's current item. */
export function section() {
  return (location.hash.split("/")[1] || "").split("?")[0];
}

export function route() {
  state.generation += 1;
  const leaving = state.cleanups;
  state.cleanups = [];
  for (const stop of leaving) stop();
  const path = decodeURIComponent(location.hash.replace(/^#/, "").split("?")[0]) || "/";
  before(path);
  for (const [pattern, view, names] of routes) {
    const m = path.match(pattern);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
      Promise.resolve(view(params, new URLSearchParams(location.hash.split("?")[1] || ""))).catch(onError);
      return;
    }
  }
  notFound();
}
