// Book in two taps: site, kind and day are preset; tap a free slot, then "Réserver".
// A full slot can be tapped too: "M'avertir si une place se libère" joins the waitlist.
// Staff book for a learner of their site, found by name.
import {ApiError, get, post, query} from "/js/api.js";
import {field, h, replace, select, uid} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {learnerPicker} from "/js/people.js";
import {errorNotice, refusalNotice, retryNotice} from "/js/refusal.js";
import {currentUser, isStaff} from "/js/session.js";
import {vocabulary, weekdayOf} from "/js/vocabulary.js";

const {kinds: KINDS, weekdays: WEEKDAYS} = await vocabulary();
const MINUTE = 60 * 1000;
// The day list: this many calendar days from today (fewer when the rules open bookings fewer days
// ahead), closed ones left out; a loan by the day may run this many calendar days further.
const DAYS_SHOWN = 14;
const LOAN_DAYS_BEYOND = 14;

function chips(name, legend, options, chosen, onChange) {
  return h("fieldset", {},
    h("legend", {}, legend),
    h("div", {class: "choices"}, options.map(([value, label]) => h("label", {class: "choice"},
      h("input", {type: "radio", name, value, checked: value === chosen, onchange: () => onChange(value)}),
      h("span", {}, label)))));
}

// Does [start, end) fit inside one of the free intervals?
export function fits(free, start, end) {
  return free.some((span) => Date.parse(span.starts_at) <= start && end <= Date.parse(span.ends_at));
}

// The open days among `count` days from `first`: weekly hours, minus closures and public holidays,
// and minus today once its last opening range has ended (at 19:00 the list starts tomorrow, instead
// of on a day with nothing left to book).
export function openDays(site, closures, first, count) {
  const closed = new Set();
  for (const c of closures) {
    for (let day = c.starts_on; day <= c.ends_on; day = fmt.addDays(day, 1)) closed.add(day);
  }
  const today = fmt.today(site.timezone);
  const now = fmt.clockNow(site.timezone);
  const days = [];
  for (let i = 0; i < count; i += 1) {
    const day = fmt.addDays(first, i);
    const weekday = weekdayOf(day, WEEKDAYS);
    const hours = (site.opening_hours || {})[weekday];
    const over = day === today && hours && hours.every(([, closes]) => closes <= now);
    if (hours && hours.length && !closed.has(day) && !over) days.push(day);
  }
  return days;
}

// What the screen starts on: the link's site, kind, unit and day when it names them.
function initialState(ctx, sites) {
  const user = currentUser();
  return {
    site: ctx.query.get("site") || user.site || (sites[0] && sites[0].slug),
    kind: KINDS.includes(ctx.query.get("kind")) ? ctx.query.get("kind") : KINDS[0],
    tag: ctx.query.get("tag") || "",
    day: ctx.query.get("date") || "",
    days: [], // the open days a booking may start on
    openAhead: [], // every open day known, further on too (where a loan of several days ends)
    maxAhead: null, // the rules' max_days_ahead, once the day's availability told it
    length: null,
    chosen: null,
    data: null,
    person: null,
  };
}

// What every step of the screen shares: the choices so far and the places it draws in.
function newPage(ctx, sites) {
  const state = initialState(ctx, sites);
  return {
    ctx, sites, state, staff: isStaff(),
    siteOf: () => sites.find((s) => s.slug === state.site) || sites[0],
    controls: h("div", {}),
    results: h("div", {"aria-live": "polite"}),
    messages: h("div", {class: "messages"}),
    confirmBar: h("div", {class: "confirm-bar", hidden: true}),
    // Staff: for whom. Themselves by default, or a learner of the site found by name.
    personLine: h("p", {class: "item-sub", "aria-live": "polite"}),
    personDetails: h("details", {class: "more", id: "book-for"}, h("summary", {}, t("book2.choose_person"))),
  };
}

// The open days of the next two weeks; a closed or missing day gives way to the first open one.
async function loadDays(page) {
  const site = page.siteOf();
  const first = fmt.today(site.timezone);
  const last = fmt.addDays(first, DAYS_SHOWN + LOAN_DAYS_BEYOND - 1);
  const closures = await get(`/api/sites/${encodeURIComponent(site.slug)}/closures${query({from: first, to: last})}`);
  page.state.openAhead = openDays(site, closures, first, DAYS_SHOWN + LOAN_DAYS_BEYOND);
  page.state.closures = closures;
  pickDays(page);
}

// The days offered: open, within DAYS_SHOWN and the rules' horizon. True when the day changed.
function pickDays(page) {
  const state = page.state;
  const first = fmt.today(page.siteOf().timezone);
  const shown = Math.min(DAYS_SHOWN - 1, state.maxAhead === null ? DAYS_SHOWN : state.maxAhead);
  state.days = state.openAhead.filter((d) => d <= fmt.addDays(first, shown));
  if (state.days.includes(state.day)) return false;
  state.day = state.days[0] || "";
  return true;
}

function drawPerson(page) {
  const state = page.state;
  replace(page.personLine, state.person ? t("book2.for_person", {name: state.person.name}) : t("book2.for_me"),
    state.person ? [" ", h("button", {type: "button", class: "link", onclick: () => {
      state.person = null;
      drawPerson(page);
    }}, t("book2.for_me_again"))] : null);
}

function siteSelect(page) {
  const state = page.state;
  return select(page.sites.map((s) => [s.slug, s.name]), {value: state.site, onchange: async (e) => {
    state.site = e.target.value;
    state.tag = "";
    // The learner search looks in the chosen site.
    const picker = page.personDetails.querySelector(".picker");
    if (picker) picker.remove();
    state.person = null;
    drawPerson(page);
    await start(page);
  }});
}

function daySelect(page) {
  const state = page.state;
  if (!state.days.length) return null;
  const first = fmt.today(page.siteOf().timezone);
  return select(state.days.map((d) => [d, i18nDay(d, first)]), {value: state.day, onchange: (e) => {
    state.day = e.target.value;
    load(page);
  }});
}

// Staff find the learner among the chosen site's: the picker is made once per site.
function addLearnerPicker(page) {
  const details = page.personDetails;
  if (!page.staff || details.querySelector(".picker")) return;
  details.append(learnerPicker({site: page.state.site, onPick: (person) => {
    page.state.person = person;
    details.open = false;
    drawPerson(page);
  }}));
}

function drawControls(page) {
  const state = page.state;
  const sites = siteSelect(page);
  const days = daySelect(page);
  addLearnerPicker(page);
  replace(page.controls,
    field(t("book.site"), sites),
    page.staff ? h("fieldset", {}, h("legend", {}, t("book2.who")), page.personLine, page.personDetails) : null,
    chips("kind", t("book.kind"), KINDS.map((k) => [k, fmt.kindLabel(k)]), state.kind, (k) => {
      state.kind = k;
      state.tag = "";
      state.length = null;
      load(page);
    }),
    days ? field(t("book.day"), days) : h("p", {class: "notice ok"}, t("book2.no_open_day")),
    closedDays(page),
  );
}

// Why a weekday is missing from the day list: the closures and public holidays of the days shown.
function closedDays(page) {
  const state = page.state;
  const last = state.days[state.days.length - 1] || fmt.today(page.siteOf().timezone);
  const shown = (state.closures || []).filter((c) => c.starts_on <= last);
  if (!shown.length) return null;
  return h("p", {class: "hint closed-days"}, t("screens.closed_days", {
    days: shown.map((c) => {
      const when = c.starts_on === c.ends_on ? fmt.dayLabel(c.starts_on) : `${fmt.dayLabel(c.starts_on)} – ${fmt.dayLabel(c.ends_on)}`;
      return c.reason ? `${when} (${c.reason})` : when;
    }).join(" ; ")}));
}

function i18nDay(day, first) {
  if (day === first) return `${t("book.today")} — ${fmt.dayLabel(day)}`;
  if (day === fmt.addDays(first, 1)) return `${t("book.tomorrow")} — ${fmt.dayLabel(day)}`;
  return fmt.dayLabel(day);
}

function lengthOptions(policy) {
  const options = [];
  if (policy.unit === "days") {
    for (let n = policy.min_length; n <= policy.max_length; n += 1) options.push([String(n), t(n === 1 ? "book.one_day" : "book.n_days", {n})]);
  } else {
    for (let m = Math.max(policy.min_length, policy.slot_minutes); m <= policy.max_length; m += policy.slot_minutes) {
      const hours = Math.floor(m / 60), minutes = m % 60;
      options.push([String(m), hours ? (minutes ? `${hours} h ${String(minutes).padStart(2, "0")}` : `${hours} h`) : `${minutes} min`]);
    }
  }
  return options;
}

// Would [start, end) end after the closing of the opening span it starts in? The rules refuse it
// (unless the kind may end after closing), so the slot is not offered at all (issue 28).
export function endsAfterClosing(opening, start, end) {
  const span = opening.find((s) => Date.parse(s.starts_at) <= start && start < Date.parse(s.ends_at));
  return !span || end > Date.parse(span.ends_at);
}

// The slot buttons for one unit (or any unit: "") and the chosen length; none that ends after closing.
function candidates(page, tag = page.state.tag) {
  const {policy, slots, resources} = page.state.data;
  const now = Date.now();
  const units = tag ? resources.filter((r) => r.tag === tag) : resources.filter((r) => r.status === "available");
  const out = [];
  for (const slot of slots) {
    const start = Date.parse(slot.starts_at);
    let end;
    if (policy.unit === "days") {
      if (Date.parse(slot.ends_at) <= now) continue;
      end = Date.parse(slot.ends_at);
    } else {
      if (start + policy.slot_minutes * MINUTE <= now) continue;
      end = start + Number(page.state.length) * MINUTE;
      if (!policy.may_end_after_closing && endsAfterClosing(page.state.data.opening, start, end)) continue;
    }
    const free = units.filter((r) => fits(r.free, start, end));
    out.push({slot, start, end, free: free.length, tags: free.map((r) => r.tag)});
  }
  return out;
}

async function endOfLoan(page, choice) {
  const state = page.state;
  // By the minute the end is the slot plus the length; by the day the loan ends at closing of
  // its last open day, which may be another date.
  if (state.data.policy.unit !== "days") return new Date(choice.end).toISOString();
  const days = Number(state.length || 1);
  if (days <= 1) return new Date(choice.end).toISOString();
  const ahead = state.openAhead.filter((d) => d >= state.day);
  const lastDay = ahead[days - 1];
  if (!lastDay) throw new ApiError(422, "too_far_ahead", "");
  const later = await get(`/api/availability${query({site: state.site, kind: state.kind, date: lastDay})}`);
  if (later.closed || !later.opening.length) throw new ApiError(422, "closed_day", "");
  return new Date(Date.parse(later.opening[later.opening.length - 1].ends_at)).toISOString();
}

async function bookingBody(page, choice, anyUnit) {
  const state = page.state;
  const body = {starts_at: choice.slot.starts_at, ends_at: await endOfLoan(page, choice)};
  if (state.tag && !anyUnit) body.resource = state.tag;
  else Object.assign(body, {site: state.site, kind: state.kind});
  if (state.person) body.user = state.person.login;
  return body;
}

// anyUnit: book any free unit of the kind even though one is chosen (it was taken).
async function book(page, choice, button, {anyUnit = false} = {}) {
  const {ctx, messages, state} = page;
  button.disabled = true;
  replace(messages);
  try {
    const booking = await post("/api/bookings", await bookingBody(page, choice, anyUnit));
    const done = {name: booking.resource_name || booking.resource, when: fmt.span(booking.starts_at, booking.ends_at, page.siteOf().timezone)};
    if (state.person) {
      // Staff stay here to book the next one; the learner sees it in their own list.
      replace(messages, h("p", {class: "notice ok", role: "status"}, t("book2.done_for", {...done, person: state.person.name})));
      messages.scrollIntoView({block: "nearest"});
      load(page, true);
      return;
    }
    ctx.toast(t("book.done", done));
    ctx.go("bookings");
  } catch (error) {
    replace(messages, errorNotice(error, {kind: state.kind, bookingsHref: state.person ? null : ctx.href("bookings")}));
    messages.scrollIntoView({block: "nearest"});
    button.disabled = false;
    if (error instanceof ApiError && error.status === 409) load(page, true);
  }
}

// The wish for the waitlist: by the day the whole opening day, else the slot and its length.
function wish(page, choice) {
  const state = page.state;
  const body = {site: state.site, kind: state.kind};
  if (state.tag) body.resource = state.tag;
  if (state.person) body.user = state.person.login;
  if (state.data.policy.unit === "days") body.date = state.day;
  else Object.assign(body, {starts_at: choice.slot.starts_at, ends_at: new Date(choice.end).toISOString()});
  return body;
}

// The place in the queue (or the booking it made at once), and a rule that would refuse the learner.
function waitlistNotices(page, entry) {
  const {ctx, state} = page;
  const link = h("a", {href: ctx.href("bookings")}, t("book.see_bookings"));
  const text = entry.status === "booked" && entry.booking
    ? t("book.waiting_booked", {name: entry.booking.resource_name || entry.booking.resource,
      when: fmt.span(entry.booking.starts_at, entry.booking.ends_at, page.siteOf().timezone)})
    : t("book.waiting", {n: entry.position});
  // A rule that refuses the learner now (quota, training) would refuse a freed place too.
  const warning = entry.warning
    ? (refusalNotice(entry.warning, {kind: state.kind, bookingsHref: ctx.href("bookings"), role: "status", after: t("book2.waitlist_warning")})
      || h("p", {class: "notice error", role: "status"}, t(`errors.${entry.warning.code}`), " ", t("book2.waitlist_warning")))
    : null;
  return [h("p", {class: "notice ok", role: "status"}, text, " ", link), warning];
}

async function joinWaitlist(page, choice, button) {
  const messages = page.messages;
  button.disabled = true;
  replace(messages);
  try {
    const entry = await post("/api/waitlist", wish(page, choice));
    page.confirmBar.hidden = true;
    replace(messages, waitlistNotices(page, entry));
    // Booked at once: the slot's count changed under the learner's eyes.
    if (entry.status === "booked") load(page, true);
  } catch (error) {
    replace(messages, errorNotice(error, {kind: page.state.kind}));
    button.disabled = false;
  }
  messages.scrollIntoView({block: "nearest"});
}

// "Ordinateur portable · mardi 3 – 10:00–11:00": what the confirm bar is about to book.
function choiceSummary(page, choice) {
  const state = page.state;
  const what = state.tag ? (state.data.resources.find((r) => r.tag === state.tag) || {}).name : t(`book.any_${state.kind}`);
  const days = Number(state.length || 1);
  return state.data.policy.unit === "days"
    ? t(days === 1 ? "book.summary_day" : "book.summary_days", {what, day: fmt.dayLabel(state.day), n: days})
    : t("book.summary", {what, when: fmt.span(new Date(choice.start).toISOString(), new Date(choice.end).toISOString(), page.siteOf().timezone)});
}

// The chosen unit is taken at that time: one tap books another one free then, or joins the waitlist.
function offerTakenSlot(page, choice, summary) {
  const kind = page.state.kind;
  const other = page.state.tag ? candidates(page, "").find((c) => c.start === choice.start && c.free) : null;
  const takeOther = other ? h("button", {type: "button", class: "primary wide", id: "book-any-unit"},
    t("book2.take_any", {what: t(`book.any_${kind}`).toLowerCase()})) : null;
  if (takeOther) takeOther.addEventListener("click", () => book(page, other, takeOther, {anyUnit: true}));
  const notify = h("button", {type: "button", class: other ? "wide" : "primary wide", id: "join-waitlist"}, t("book.notify"));
  notify.addEventListener("click", () => joinWaitlist(page, choice, notify));
  replace(page.confirmBar, h("p", {}, summary, " — ", h("strong", {}, t("book.taken"))),
    other ? null : h("p", {class: "hint"}, t("book.full_hint")), takeOther, notify);
}

function choose(page, choice) {
  page.state.chosen = choice;
  for (const b of page.results.querySelectorAll(".slot")) b.setAttribute("aria-pressed", String(b.dataset.start === String(choice.start)));
  const summary = choiceSummary(page, choice);
  if (choice.free) {
    const button = h("button", {type: "button", class: "primary wide", id: "confirm-booking"}, t("book.confirm"));
    button.addEventListener("click", () => book(page, choice, button));
    replace(page.confirmBar, h("p", {}, summary), button);
  } else {
    offerTakenSlot(page, choice, summary);
  }
  showConfirmBar(page);
}

// The sticky bar sits over the bottom of the list: scroll so the chosen slot stays above it.
function showConfirmBar(page) {
  page.confirmBar.hidden = false;
  const chosen = page.results.querySelector('.slot[aria-pressed="true"]');
  if (!chosen) return;
  const covered = chosen.getBoundingClientRect().bottom + 8 - page.confirmBar.getBoundingClientRect().top;
  if (covered > 0) window.scrollBy({top: covered, behavior: "instant"});
}

// The chosen unit has nothing free that day: the other units that do, and "any", in one tap.
function alternatives(page) {
  const state = page.state;
  const others = state.data.resources.filter((r) => r.status === "available" && r.tag !== state.tag
    && candidates(page, r.tag).some((c) => c.free));
  if (!others.length) return null;
  const chosen = state.data.resources.find((r) => r.tag === state.tag);
  const pick = (tag) => () => {
    state.tag = tag;
    drawResults(page);
  };
  return h("div", {class: "notice ok alternatives", role: "status"},
    h("p", {}, t("book2.unit_taken", {name: chosen ? chosen.name : state.tag, n: others.length})),
    h("div", {class: "button-row"},
      h("button", {type: "button", class: "primary", id: "any-unit", onclick: pick("")}, t(`book.any_${state.kind}`)),
      others.slice(0, 6).map((r) => h("button", {type: "button", onclick: pick(r.tag)}, r.name))));
}

// The unit and the length: a change draws the day's slots again.
function resultFields(page, policy) {
  const state = page.state;
  const unitOptions = [["", t(`book.any_${state.kind}`)], ...state.data.resources.filter((r) => r.status === "available").map((r) => [r.tag, r.name])];
  const unitSelect = select(unitOptions, {value: state.tag, onchange: (e) => {
    state.tag = e.target.value;
    drawResults(page);
  }});
  const lengthSelect = select(lengthOptions(policy), {value: state.length, onchange: (e) => {
    state.length = e.target.value;
    drawResults(page);
  }});
  return [field(t("book.unit"), unitSelect), field(policy.unit === "days" ? t("book.length_days") : t("book.length"), lengthSelect)];
}

function slotButton(page, c, policy) {
  const tz = page.siteOf().timezone;
  const label = policy.unit === "days" ? `${fmt.time(new Date(c.start).toISOString(), tz)} – ${fmt.time(new Date(c.end).toISOString(), tz)}` : fmt.time(new Date(c.start).toISOString(), tz);
  const freeText = c.free ? (page.state.tag ? t("book.free") : t("book.n_free", {n: c.free})) : t("book.taken");
  // A full slot stays a button: tapping it offers the waitlist.
  const button = h("button", {type: "button", class: c.free ? "slot" : "slot full", "aria-pressed": "false",
    "data-start": String(c.start), "aria-label": `${label}, ${freeText}`, onclick: () => choose(page, c)},
  h("span", {}, label), h("small", {}, freeText));
  return h("li", {}, button);
}

function drawResults(page) {
  const state = page.state;
  const policy = state.data.policy;
  if (state.length === null) state.length = String(policy.unit === "days" ? policy.min_length : Math.max(policy.min_length, policy.slot_minutes));
  page.confirmBar.hidden = true;
  state.chosen = null;
  if (state.data.closed) {
    replace(page.results, h("p", {class: "notice ok"}, t("book.closed")));
    return;
  }
  const list = candidates(page);
  const slotsId = uid("slots");
  const fields = resultFields(page, policy);
  replace(page.results,
    fields,
    policy.training_required && !policy.training_held ? h("p", {class: "hint training-hint"},
      policy.training ? t("screens.training_hint", {name: policy.training}) : t("book.training_hint")) : null,
    h("h2", {id: slotsId}, t("book.slots_title", {day: fmt.dayLabel(state.day)})),
    policy.unit === "minutes" && !policy.may_end_after_closing && Number(state.length) > policy.slot_minutes
      ? h("p", {class: "hint closing-hint"}, t("screens.closing_hint")) : null,
    list.some((c) => c.free) ? null : ((state.tag && alternatives(page)) || h("p", {class: "empty"}, t("book.nothing_free"))),
    h("ul", {class: "slots", "aria-labelledby": slotsId}, list.map((c) => slotButton(page, c, policy))),
  );
}

// The kind's rules say how far ahead it may be booked: the day list follows them. True when the
// chosen day had to change (its availability must then be asked again).
function followHorizon(page) {
  const state = page.state;
  if (state.data.policy.max_days_ahead === state.maxAhead) return false;
  const before = state.days.join();
  state.maxAhead = state.data.policy.max_days_ahead;
  const moved = pickDays(page);
  if (before !== state.days.join()) drawControls(page);
  return moved;
}

async function load(page, keepMessages = false) {
  const state = page.state;
  if (!keepMessages) replace(page.messages);
  page.confirmBar.hidden = true;
  if (!state.day) {
    replace(page.results);
    return;
  }
  replace(page.results, h("p", {class: "loading"}, t("app.loading")));
  try {
    state.data = await get(`/api/availability${query({site: state.site, kind: state.kind, date: state.day})}`);
    if (followHorizon(page)) {
      await load(page, keepMessages);
      return;
    }
    drawResults(page);
  } catch (error) {
    replace(page.results, retryNotice(error, () => load(page)));
  }
}

// The site's open days, then the controls and the day's slots (again when the site changes).
async function start(page) {
  replace(page.results, h("p", {class: "loading"}, t("app.loading")));
  try {
    await loadDays(page);
  } catch (error) {
    replace(page.controls);
    replace(page.results, retryNotice(error, () => start(page)));
    return;
  }
  drawControls(page);
  await load(page);
}

export async function render(root, ctx) {
  let sites;
  try {
    sites = await get("/api/sites");
  } catch (error) {
    replace(root, h("h1", {}, t("book.title")), retryNotice(error, () => ctx.render()));
    return;
  }
  const page = newPage(ctx, sites);
  drawPerson(page);
  replace(root, h("h1", {}, t("book.title")), page.controls, page.messages, page.results, page.confirmBar);
  await start(page);
}
