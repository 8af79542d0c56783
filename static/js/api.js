// The one way to talk to the server: same-origin fetch, CSRF header, problem details → French message.
import {has, t} from "/js/i18n.js";

export class ApiError extends Error {
  constructor(status, code, detail, body = {}) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body;
  }
}

function cookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : null;
}

async function csrfToken() {
  if (!cookie("csrftoken")) {
    // Any safe request sets the cookie; /health is the cheapest.
    await fetch("/health", {credentials: "same-origin", cache: "no-store"});
  }
  return cookie("csrftoken") || "";
}

const SAFE = new Set(["GET", "HEAD"]);

// api("POST", "/api/bookings", {...}) → parsed JSON (or null for 204); throws ApiError.
export async function api(method, path, body, options = {}) {
  const headers = {Accept: "application/json"};
  const init = {method, headers, credentials: "same-origin", cache: "no-store"};
  if (!SAFE.has(method)) headers["X-CSRFToken"] = await csrfToken();
  if (body instanceof FormData || body instanceof Blob) {
    init.body = body;
    if (options.contentType) headers["Content-Type"] = options.contentType;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "");
  }
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => ({})) : await response.text();
  if (!response.ok) {
    const problem = typeof data === "object" && data ? data : {};
    throw new ApiError(response.status, problem.code || `http_${response.status}`, problem.detail || "", problem);
  }
  // The service worker marks answers it served from its cache because the network was out.
  if (options.withMeta) return {data, offline: response.headers.get("x-fablab-offline") === "1"};
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body === undefined ? {} : body);
export const patch = (path, body) => api("PATCH", path, body);

// What to tell the person: the French (or English) sentence for the problem's code.
export function errorMessage(error) {
  if (!(error instanceof ApiError)) return t("errors.unexpected");
  // A problem may name a `reason` (weak_password) or a `scope` (too_many_attempts): the sentence for
  // that case when there is one, filled with the problem's own fields.
  const variant = error.body && (error.body.reason || error.body.scope);
  if (variant && has(`errors.${error.code}_${variant}`)) {
    return t(`errors.${error.code}_${variant}`, {...error.body, wait: waitText(error.body.retry_after)});
  }
  if (has(`errors.${error.code}`)) return t(`errors.${error.code}`, error.body || {}); // "16 ans minimum"
  if (error.status === 401) return t("errors.not_authenticated");
  if (error.status === 403) return t("errors.forbidden");
  if (error.status === 404) return t("errors.not_found");
  if (error.status === 409) return t("errors.conflict");
  if (error.status === 422 || error.status === 400) return t("errors.invalid_input");
  if (error.status >= 500) return t("errors.server");
  return t("errors.unexpected");
}

// "45 s", "3 min": how long to wait, from a number of seconds.
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 1));
  return s < 60 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
