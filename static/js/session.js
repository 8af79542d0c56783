// Who is signed in. A hint in localStorage saves the first /api/me call (and its 401) for visitors.
import {ApiError, get, post} from "/js/api.js";

const HINT = "fablab.signedIn";
const USER_CACHE = "fablab-user";
let user = null;

export function currentUser() {
  return user;
}

export function isStaff() {
  return !!user && (user.role === "staff" || user.role === "admin");
}

export function isAdmin() {
  return !!user && user.role === "admin";
}

// The sites whose desk work (people, queues, series) this staff member does: the ones granted
// (GET /api/me `sites`; every site for an admin). The others would answer 403 not_your_site.
export function workSites(sites) {
  const mine = sites.filter((site) => (user?.sites || []).includes(site.slug));
  return mine.length ? mine : sites;
}

function remember(flag) {
  try {
    if (flag) localStorage.setItem(HINT, "1");
    else localStorage.removeItem(HINT);
  } catch { /* ignore */ }
}

function hinted() {
  try { return localStorage.getItem(HINT) === "1"; } catch { return true; }
}

export async function loadUser() {
  if (!hinted()) return null;
  try {
    user = await get("/api/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      user = null;
      remember(false);
      await forgetCachedData();
    } else {
      throw error;
    }
  }
  return user;
}

export async function signIn(login, password) {
  // Whatever another person left in the offline cache on this phone goes before anything is shown.
  await forgetCachedData();
  user = await post("/api/auth/login", {login, password});
  remember(true);
  return user;
}

// After an invite was accepted (the server opened the session).
export async function adopt(newUser) {
  await forgetCachedData();
  user = newUser;
  remember(true);
}

export async function signOut() {
  try {
    await post("/api/auth/logout");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  } finally {
    user = null;
    remember(false);
    await forgetCachedData();
  }
}

// The service worker keeps the learner's own bookings and pass here: never for the next person.
export async function forgetCachedData() {
  if ("caches" in window) {
    try { await caches.delete(USER_CACHE); } catch { /* ignore */ }
  }
  try { sessionStorage.clear(); } catch { /* ignore */ }
}
