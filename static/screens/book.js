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

// The open days among `count` days from `first`: weekly hours, minus closures and public holidays.
export function openDays(site, closures, first, count) {
  const closed = new Set();
  for (const c of closures) {
    for (let day = c.starts_on; day <= c.ends_on; day = fmt.addDays(day, 1)) closed.add(day);
  }
  const days = [];
  for (let i = 0; i < count; i += 1) {
    const day = fmt.addDays(first, i);
    const weekday = weekdayOf(day, WEEKDAYS);
    const hours = (site.opening_hours || {})[weekday];
    if (hours && hours.length && !closed.has(day)) days.push(day);
  }
  return days;
}

export async function render(root, ctx) {
  const user = currentUser();
  const staff = isStaff();
  let sites;
  try {
    sites = await get("/api/sites");
  } catch (error) {
    replace(root, h("h1", {}, t("book.title")), retryNotice(error, () => ctx.render()));
    return;
  }
  const state = {
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
  const siteOf = () => sites.find((s) => s.slug === state.site) || sites[0];

  const controls = h("div", {});
  const results = h("div", {"aria-live": "polite"});
  const messages = h("div", {class: "messages"});
  const confirmBar = h("div", {class: "confirm-bar", hidden: true});

  // The open days of the next two weeks; a closed or missing day gives way to the first open one.
  async function loadDays() {
    const first = fmt.today(siteOf().timezone);
    const last = fmt.addDays(first, DAYS_SHOWN + LOAN_DAYS_BEYOND - 1);
    const closures = await get(`/api/sites/${encodeURIComponent(siteOf().slug)}/closures${query({from: first, to: last})}`);
    state.openAhead = openDays(siteOf(), closures, first, DAYS_SHOWN + LOAN_DAYS_BEYOND);
    pickDays();
  }

  // The days offered: open, within DAYS_SHOWN and the rules' horizon. True when the day changed.
  function pickDays() {
    const first = fmt.today(siteOf().timezone);
    const shown = Math.min(DAYS_SHOWN - 1, state.maxAhead === null ? DAYS_SHOWN : state.maxAhead);
    state.days = state.openAhead.filter((d) => d <= fmt.addDays(first, shown));
    if (state.days.includes(state.day)) return false;
    state.day = state.days[0] || "";
    return true;
  }

  // Staff: for whom. Themselves by default, or a learner of the site found by name.
  const personLine = h("p", {class: "item-sub", "aria-live": "polite"});
  const personDetails = h("details", {class: "more", id: "book-for"}, h("summary", {}, t("book2.choose_person")));
  function drawPerson() {
    replace(personLine, state.person ? t("book2.for_person", {name: state.person.name}) : t("book2.for_me"),
      state.person ? [" ", h("button", {type: "button", class: "link", onclick: () => {
        state.person = null;
        drawPerson();
      }}, t("book2.for_me_again"))] : null);
  }

  function drawControls() {
    const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: state.site, onchange: async (e) => {
      state.site = e.target.value;
      state.tag = "";
      // The learner search looks in the chosen site.
      const picker = personDetails.querySelector(".picker");
      if (picker) picker.remove();
      state.person = null;
      drawPerson();
      await start();
    }});
    const first = fmt.today(siteOf().timezone);
    const daySelect = state.days.length
      ? select(state.days.map((d) => [d, i18nDay(d, first)]), {value: state.day, onchange: (e) => {
        state.day = e.target.value;
        load();
      }})
      : null;
    if (staff && !personDetails.querySelector(".picker")) {
      personDetails.append(learnerPicker({site: state.site, onPick: (person) => {
        state.person = person;
        personDetails.open = false;
        drawPerson();
      }}));
    }
    replace(controls,
      field(t("book.site"), siteSelect),
      staff ? h("fieldset", {}, h("legend", {}, t("book2.who")), personLine, personDetails) : null,
      chips("kind", t("book.kind"), KINDS.map((k) => [k, fmt.kindLabel(k)]), state.kind, (k) => {
        state.kind = k;
        state.tag = "";
        state.length = null;
        load();
      }),
      daySelect ? field(t("book.day"), daySelect) : h("p", {class: "notice ok"}, t("book2.no_open_day")),
    );
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

  // The slot buttons for one unit (or any unit: "") and the chosen length.
  function candidates(tag = state.tag) {
    const {policy, slots, resources} = state.data;
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
        end = start + Number(state.length) * MINUTE;
      }
      const free = units.filter((r) => fits(r.free, start, end));
      out.push({slot, start, end, free: free.length, tags: free.map((r) => r.tag)});
    }
    return out;
  }

  async function endOfLoan(choice) {
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

  // anyUnit: book any free unit of the kind even though one is chosen (it was taken).
  async function book(choice, button, {anyUnit = false} = {}) {
    button.disabled = true;
    replace(messages);
    try {
      const body = {starts_at: choice.slot.starts_at, ends_at: await endOfLoan(choice)};
      if (state.tag && !anyUnit) body.resource = state.tag;
      else Object.assign(body, {site: state.site, kind: state.kind});
      if (state.person) body.user = state.person.login;
      const booking = await post("/api/bookings", body);
      const done = {name: booking.resource_name || booking.resource, when: fmt.span(booking.starts_at, booking.ends_at, siteOf().timezone)};
      if (state.person) {
        // Staff stay here to book the next one; the learner sees it in their own list.
        replace(messages, h("p", {class: "notice ok", role: "status"}, t("book2.done_for", {...done, person: state.person.name})));
        messages.scrollIntoView({block: "nearest"});
        load(true);
        return;
      }
      ctx.toast(t("book.done", done));
      ctx.go("bookings");
    } catch (error) {
      replace(messages, errorNotice(error, {kind: state.kind, bookingsHref: state.person ? null : ctx.href("bookings")}));
      messages.scrollIntoView({block: "nearest"});
      button.disabled = false;
      if (error instanceof ApiError && error.status === 409) load(true);
    }
  }

  // The wish for the waitlist: by the day the whole opening day, else the slot and its length.
  function wish(choice) {
    const body = {site: state.site, kind: state.kind};
    if (state.tag) body.resource = state.tag;
    if (state.person) body.user = state.person.login;
    if (state.data.policy.unit === "days") body.date = state.day;
    else Object.assign(body, {starts_at: choice.slot.starts_at, ends_at: new Date(choice.end).toISOString()});
    return body;
  }

  async function joinWaitlist(choice, button) {
    button.disabled = true;
    replace(messages);
    try {
      const entry = await post("/api/waitlist", wish(choice));
      const link = h("a", {href: ctx.href("bookings")}, t("book.see_bookings"));
      const text = entry.status === "booked" && entry.booking
        ? t("book.waiting_booked", {name: entry.booking.resource_name || entry.booking.resource,
          when: fmt.span(entry.booking.starts_at, entry.booking.ends_at, siteOf().timezone)})
        : t("book.waiting", {n: entry.position});
      confirmBar.hidden = true;
      // A rule that refuses the learner now (quota, training) would refuse a freed place too.
      const warning = entry.warning
        ? (refusalNotice(entry.warning, {kind: state.kind, bookingsHref: ctx.href("bookings"), role: "status", after: t("book2.waitlist_warning")})
          || h("p", {class: "notice error", role: "status"}, t(`errors.${entry.warning.code}`), " ", t("book2.waitlist_warning")))
        : null;
      replace(messages, h("p", {class: "notice ok", role: "status"}, text, " ", link), warning);
      // Booked at once: the slot's count changed under the learner's eyes.
      if (entry.status === "booked") load(true);
    } catch (error) {
      replace(messages, errorNotice(error, {kind: state.kind}));
      button.disabled = false;
    }
    messages.scrollIntoView({block: "nearest"});
  }

  function choose(choice) {
    state.chosen = choice;
    for (const b of results.querySelectorAll(".slot")) b.setAttribute("aria-pressed", String(b.dataset.start === String(choice.start)));
    const tz = siteOf().timezone;
    const what = state.tag ? (state.data.resources.find((r) => r.tag === state.tag) || {}).name : t(`book.any_${state.kind}`);
    const days = Number(state.length || 1);
    const summary = state.data.policy.unit === "days"
      ? t(days === 1 ? "book.summary_day" : "book.summary_days", {what, day: fmt.dayLabel(state.day), n: days})
      : t("book.summary", {what, when: fmt.span(new Date(choice.start).toISOString(), new Date(choice.end).toISOString(), tz)});
    if (!choice.free) {
      // The chosen unit is taken at that time, another is free: one tap books that one.
      const other = state.tag ? candidates("").find((c) => c.start === choice.start && c.free) : null;
      const takeOther = other ? h("button", {type: "button", class: "primary wide", id: "book-any-unit"},
        t("book2.take_any", {what: t(`book.any_${state.kind}`).toLowerCase()})) : null;
      if (takeOther) takeOther.addEventListener("click", () => book(other, takeOther, {anyUnit: true}));
      const notify = h("button", {type: "button", class: other ? "wide" : "primary wide", id: "join-waitlist"}, t("book.notify"));
      notify.addEventListener("click", () => joinWaitlist(choice, notify));
      replace(confirmBar, h("p", {}, summary, " — ", h("strong", {}, t("book.taken"))),
        other ? null : h("p", {class: "hint"}, t("book.full_hint")), takeOther, notify);
      showConfirmBar();
      return;
    }
    const button = h("button", {type: "button", class: "primary wide", id: "confirm-booking"}, t("book.confirm"));
    button.addEventListener("click", () => book(choice, button));
    replace(confirmBar, h("p", {}, summary), button);
    showConfirmBar();
  }

  // The sticky bar sits over the bottom of the list: scroll so the chosen slot stays above it.
  function showConfirmBar() {
    confirmBar.hidden = false;
    const chosen = results.querySelector('.slot[aria-pressed="true"]');
    if (!chosen) return;
    const covered = chosen.getBoundingClientRect().bottom + 8 - confirmBar.getBoundingClientRect().top;
    if (covered > 0) window.scrollBy({top: covered, behavior: "instant"});
  }

  // The chosen unit has nothing free that day: the other units that do, and "any", in one tap.
  function alternatives() {
    const others = state.data.resources.filter((r) => r.status === "available" && r.tag !== state.tag
      && candidates(r.tag).some((c) => c.free));
    if (!others.length) return null;
    const chosen = state.data.resources.find((r) => r.tag === state.tag);
    const pick = (tag) => () => {
      state.tag = tag;
      drawResults();
    };
    return h("div", {class: "notice ok alternatives", role: "status"},
      h("p", {}, t("book2.unit_taken", {name: chosen ? chosen.name : state.tag, n: others.length})),
      h("div", {class: "button-row"},
        h("button", {type: "button", class: "primary", id: "any-unit", onclick: pick("")}, t(`book.any_${state.kind}`)),
        others.slice(0, 6).map((r) => h("button", {type: "button", onclick: pick(r.tag)}, r.name))));
  }

  function drawResults() {
    const data = state.data;
    const tz = siteOf().timezone;
    const policy = data.policy;
    if (state.length === null) state.length = String(policy.unit === "days" ? policy.min_length : Math.max(policy.min_length, policy.slot_minutes));
    confirmBar.hidden = true;
    state.chosen = null;
    if (data.closed) {
      replace(results, h("p", {class: "notice ok"}, t("book.closed")));
      return;
    }
    const unitOptions = [["", t(`book.any_${state.kind}`)], ...data.resources.filter((r) => r.status === "available").map((r) => [r.tag, r.name])];
    const unitSelect = select(unitOptions, {value: state.tag, onchange: (e) => {
      state.tag = e.target.value;
      drawResults();
    }});
    const lengthSelect = select(lengthOptions(policy), {value: state.length, onchange: (e) => {
      state.length = e.target.value;
      drawResults();
    }});
    const list = candidates();
    const slotsId = uid("slots");
    const slotButtons = list.map((c) => {
      const label = policy.unit === "days" ? `${fmt.time(new Date(c.start).toISOString(), tz)} – ${fmt.time(new Date(c.end).toISOString(), tz)}` : fmt.time(new Date(c.start).toISOString(), tz);
      const freeText = c.free ? (state.tag ? t("book.free") : t("book.n_free", {n: c.free})) : t("book.taken");
      // A full slot stays a button: tapping it offers the waitlist.
      const button = h("button", {type: "button", class: c.free ? "slot" : "slot full", "aria-pressed": "false",
        "data-start": String(c.start), "aria-label": `${label}, ${freeText}`, onclick: () => choose(c)},
      h("span", {}, label), h("small", {}, freeText));
      return h("li", {}, button);
    });
    replace(results,
      field(t("book.unit"), unitSelect),
      field(policy.unit === "days" ? t("book.length_days") : t("book.length"), lengthSelect),
      policy.training_required ? h("p", {class: "hint"}, t("book.training_hint")) : null,
      h("h2", {id: slotsId}, t("book.slots_title", {day: fmt.dayLabel(state.day)})),
      list.some((c) => c.free) ? null : ((state.tag && alternatives()) || h("p", {class: "empty"}, t("book.nothing_free"))),
      h("ul", {class: "slots", "aria-labelledby": slotsId}, slotButtons),
    );
  }

  async function load(keepMessages = false) {
    if (!keepMessages) replace(messages);
    confirmBar.hidden = true;
    if (!state.day) {
      replace(results);
      return;
    }
    replace(results, h("p", {class: "loading"}, t("app.loading")));
    try {
      state.data = await get(`/api/availability${query({site: state.site, kind: state.kind, date: state.day})}`);
      if (state.data.policy.max_days_ahead !== state.maxAhead) {
        // The kind's rules say how far ahead it may be booked: the day list follows them.
        const before = state.days.join();
        state.maxAhead = state.data.policy.max_days_ahead;
        const moved = pickDays();
        if (before !== state.days.join()) drawControls();
        if (moved) {
          await load(keepMessages);
          return;
        }
      }
      drawResults();
    } catch (error) {
      replace(results, retryNotice(error, () => load()));
    }
  }

  // The site's open days, then the controls and the day's slots (again when the site changes).
  async function start() {
    replace(results, h("p", {class: "loading"}, t("app.loading")));
    try {
      await loadDays();
    } catch (error) {
      replace(controls);
      replace(results, retryNotice(error, () => start()));
      return;
    }
    drawControls();
    await load();
  }

  drawPerson();
  replace(root, h("h1", {}, t("book.title")), controls, messages, results, confirmBar);
  await start();
}
