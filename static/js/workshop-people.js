// A workshop's people, for its staff (issue 29): who holds a seat (partner seats marked) and who
// waits, in order; signing someone up (found, or created on the spot); attendance by pass or tick,
// with a late arrival or an early leave.
import {api, errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {passToken, searchPicker} from "/js/people.js";
import {scanner} from "/js/scanner.js";
import {hhmm, listOf, zonedIso} from "/js/workshops.js";
import * as fmt from "/js/format.js";

const STATUSES = ["job_seeker", "pupil", "student", "neet", "employed", "trainee", "other", "unknown"];

// The arrival and departure of a present person, to correct a late arrival or an early leave.
function timesForm(page, row) {
  const {w, tz} = page;
  const day = fmt.ymd(w.starts_at, tz);
  const arrived = h("input", {type: "time", required: true, value: hhmm(row.arrived_at || w.starts_at, tz)});
  const left = h("input", {type: "time", required: true, value: hhmm(row.left_at || w.ends_at, tz)});
  const form = h("form", {class: "attendance-times"},
    h("div", {class: "two-up"}, field(t("workshops.arrived"), arrived), field(t("workshops.left"), left)),
    h("button", {type: "submit", class: "wide"}, t("workshops.save_times")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    record(page, {participant: row.participant, arrived_at: zonedIso(day, arrived.value, tz),
      left_at: zonedIso(day, left.value, tz)});
  });
  return h("details", {}, h("summary", {}, t("workshops.times")), form);
}

async function record(page, body) {
  try {
    const done = await post(`/api/workshops/${page.w.id}/attendance`, body);
    page.done(t("workshops.attended", {name: done.name}));
  } catch (error) {
    page.fail(error);
  }
}

// Minors and consents (issue 30): a minor without a guardian's consent to image rights is marked, and
// the mark opens their record (where a consent is signed or a paper form recorded).
function noPhotoMark(row) {
  if (!row.no_photo) return null;
  return h("p", {class: "no-photo"}, h("a", {href: `/#/people/${row.participant}/minor`, title: t("minors.no_photo_title")},
    h("span", {class: "badge no-photo-badge"}, t("minors.no_photo"))));
}

function seatedItem(page, row) {
  const here = !!row.arrived_at;
  const tz = page.tz;
  return h("li", {class: ["item", "registration", here ? "present" : ""], "data-id": String(row.id)},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, row.name || "—", row.seat === "partner"
        ? [" ", h("span", {class: "badge st-checked_out"}, t("workshops.partner_seat"))] : null),
      noPhotoMark(row),
      row.partner ? h("p", {class: "item-sub"}, row.partner) : null,
      h("p", {class: "item-sub attendance-state"}, here
        ? t("workshops.present", {from: fmt.time(row.arrived_at, tz), to: fmt.time(row.left_at, tz)}) : t("workshops.absent")),
      here ? timesForm(page, row) : null),
    h("div", {class: "item-actions"},
      here ? null : h("button", {type: "button", class: "primary", onclick: () => record(page, {participant: row.participant})},
        t("workshops.tick")),
      confirmButton(t("workshops.unregister"), t("workshops.unregister_confirm"), () => unregister(page, row), {class: "danger"})));
}

function waitingItem(page, row) {
  return h("li", {class: "item registration", "data-id": String(row.id)},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("span", {class: "badge st-waiting"}, t("workshops.position", {n: row.position})), " ", row.name || "—"),
      row.partner ? h("p", {class: "item-sub"}, row.partner) : null),
    h("div", {class: "item-actions"},
      confirmButton(t("workshops.unregister"), t("workshops.unregister_confirm"), () => unregister(page, row), {class: "danger"})));
}

async function unregister(page, row) {
  try {
    await api("DELETE", `/api/workshops/${page.w.id}/registrations/${row.id}`);
    page.done(t("workshops.unregistered", {name: row.name}));
  } catch (error) {
    page.fail(error);
  }
}

// Seats taken, then the waiting list in its order.
export function registrationsPart(page, rows) {
  const seated = rows.filter((r) => r.status === "registered");
  const waiting = rows.filter((r) => r.status === "waiting").sort((a, b) => a.position - b.position);
  const present = seated.filter((r) => r.arrived_at).length;
  return h("section", {class: "group registrations", "aria-labelledby": "h-registrations"},
    h("h2", {id: "h-registrations"}, t("workshops.registrations")),
    h("h3", {}, t("workshops.seated"), " ", h("span", {class: "count"}, `(${t("workshops.attended_count", {n: present, total: seated.length})})`)),
    seated.length ? h("ul", {class: "list seated"}, seated.map((r) => seatedItem(page, r))) : h("p", {class: "empty"}, t("workshops.nobody")),
    waiting.length ? [h("h3", {}, t("workshops.waiting")), h("ol", {class: "list waiting"}, waiting.map((r) => waitingItem(page, r)))] : null);
}

// The door: a pass scanned (camera, photo or typed) records the person as present now.
// A pass the door refuses (unknown, another workshop's visitor…) says so under the field, where the
// person at the door is looking, not at the top of the page.
export function attendancePart(page) {
  const door = h("div", {class: "messages", "aria-live": "polite"});
  const atTheDoor = {...page, fail: (error) => replace(door, notice(errorMessage(error)))};
  return h("section", {class: "card attendance", "aria-labelledby": "h-attendance"},
    h("h2", {id: "h-attendance"}, t("workshops.attendance")),
    h("p", {class: "hint"}, t("workshops.attendance_lead")),
    scanner({label: t("workshops.pass_label"), onResult: (text) => record(atTheDoor, {pass: passToken(text)})}),
    door);
}

async function signUp(page, person) {
  try {
    const made = await post(`/api/workshops/${page.w.id}/registrations`, {participant: person.id});
    page.done(made.status === "waiting" ? t("workshops.waiting_someone", {name: person.name, n: made.position})
      : t("workshops.registered_someone", {name: person.name}));
  } catch (error) {
    page.fail(error);
  }
}

// Find a young person of the site by name; a tap signs them up.
function searchPart(page) {
  return searchPicker({label: t("workshops.search"), hint: t("workshops.search_hint"), none: t("workshops.no_match"),
    onPick: (person) => signUp(page, person),
    find: (text) => findPeople(page.w.site, text),
    line: (p) => [h("span", {class: "item-title"}, p.name), " ",
      h("span", {class: "item-sub"}, p.visitor ? t("workshops.visitor_line") : p.partner ? p.partner.name : (p.login || ""))]});
}

// The site's participants, and its learners who never signed up yet (they become participants
// when signed up), once each.
async function findPeople(site, text) {
  const [participants, learners] = await Promise.all([
    get(`/api/participants${query({site, q: text})}`), get(`/api/users${query({q: text, role: "learner", site})}`)]);
  const found = listOf(participants, "participants");
  const known = new Set(found.map((p) => p.id));
  const others = listOf(learners, "users").filter((u) => u.active !== false && !known.has(u.id));
  return [...found, ...others];
}

// "14/03/2008", "2008-03-14" or "2008" → {birth_date} or {birth_year}; {} when empty or unreadable.
export function birthOf(text) {
  const value = (text || "").trim();
  if (/^\d{4}$/.test(value)) return {birth_year: Number(value)};
  const fr = value.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (fr) return {birth_date: `${fr[3]}-${fr[2].padStart(2, "0")}-${fr[1].padStart(2, "0")}`};
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return {birth_date: value};
  return {};
}

// The fields of a young person without an account; `body()` reads them for POST /api/participants.
export function participantFields(partners) {
  const f = {
    firstName: h("input", {required: true, maxlength: "100", autocomplete: "off"}),
    initial: h("input", {maxlength: "3", autocomplete: "off", class: "short"}),
    birth: h("input", {inputmode: "numeric", maxlength: "10", autocomplete: "off"}),
    partner: select([["", t("workshops.none_option")], ...partners.map((p) => [String(p.id), p.name])]),
    status: select(STATUSES.map((s) => [s, t(`workshops.statuses.${s}`)]), {value: "unknown"}),
  };
  const parts = [h("div", {class: "two-up"}, field(t("workshops.first_name"), f.firstName), field(t("workshops.initial"), f.initial)),
    field(t("workshops.birth"), f.birth, t("workshops.birth_hint")), field(t("workshops.partner"), f.partner),
    field(t("workshops.status"), f.status)];
  const body = (site) => ({first_name: f.firstName.value.trim(), initial: f.initial.value.trim(), site,
    ...birthOf(f.birth.value), partner: f.partner.value ? Number(f.partner.value) : null, status: f.status.value});
  return {parts, body};
}

function quickPart(page) {
  const fields = participantFields(page.partners);
  const form = h("form", {class: "quick-participant"}, fields.parts,
    h("button", {type: "submit", class: "primary wide"}, t("workshops.add_and_sign_up")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const person = await post("/api/participants", fields.body(page.w.site));
      await signUp(page, person);
    } catch (error) {
      page.fail(error);
    }
  });
  return h("details", {class: "quick-new"}, h("summary", {}, t("workshops.quick_new")), form);
}

export function signUpPart(page) {
  return h("section", {class: "card sign-up-someone", "aria-labelledby": "h-sign-up"},
    h("h2", {id: "h-sign-up"}, t("workshops.sign_up_someone")), searchPart(page), quickPart(page));
}
