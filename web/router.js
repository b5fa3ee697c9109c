// A small hash router: routes are added with addRoute(pattern, view, names) by app.js (and by any module
// that brings its own pages), so the static hosting needs no rewrites and #/cancel/<id> links work.
import { state } from "./state.js";

const routes = [];
let notFound = () => {};
let before = () => {};
let onError = () => {};

/** `pattern` is a RegExp over the path after "#"; its groups become view({name: value}). */
export function addRoute(pattern, view, names = []) {
  routes.push([pattern, view, names]);
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
