// Book in two taps: site, kind and day are preset; tap a free slot, then "Réserver".
// A full slot can be tapped too: "M'avertir si une place se libère" joins the waitlist.
import {ApiError, errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select, uid} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {currentUser} from "/js/session.js";

const KINDS = ["laptop", "printer_3d", "room"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE = 60 * 1000;

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

// The open days from `first` on, by the site's weekly hours (closures are checked by the server).
function openDaysFrom(site, first, count) {
  const days = [];
  for (let i = 0; days.length < count && i < 31; i += 1) {
    const day = fmt.addDays(first, i);
    const weekday = WEEKDAYS[new Date(`${day}T12:00:00Z`).getUTCDay()];
    const hours = (site.opening_hours || {})[weekday];
    if (hours && hours.length) days.push(day);
  }
  return days;
}

export async function render(root, ctx) {
  const user = currentUser();
  const sites = await get("/api/sites");
  const state = {
    site: ctx.query.get("site") || user.site || (sites[0] && sites[0].slug),
    kind: KINDS.includes(ctx.query.get("kind")) ? ctx.query.get("kind") : "laptop",
    tag: ctx.query.get("tag") || "",
    day: ctx.query.get("date") || "",
    length: null,
    chosen: null,
    data: null,
  };
  const siteOf = () => sites.find((s) => s.slug === state.site) || sites[0];
  if (!state.day) state.day = fmt.today(siteOf().timezone);

  const controls = h("div", {});
  const results = h("div", {"aria-live": "polite"});
  const messages = h("div", {class: "messages"});
  const confirmBar = h("div", {class: "confirm-bar", hidden: true});

  function drawControls() {
    const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: state.site, onchange: (e) => {
      state.site = e.target.value;
      state.tag = "";
      load();
    }});
    const days = [];
    const first = fmt.today(siteOf().timezone);
    for (let i = 0; i < 14; i += 1) days.push(fmt.addDays(first, i));
    const daySelect = select(days.map((d) => [d, i18nDay(d, first)]), {value: state.day, onchange: (e) => {
      state.day = e.target.value;
      load();
    }});
    replace(controls,
      field(t("book.site"), siteSelect),
      chips("kind", t("book.kind"), KINDS.map((k) => [k, fmt.kindLabel(k)]), state.kind, (k) => {
        state.kind = k;
        state.tag = "";
        state.length = null;
        load();
      }),
      field(t("book.day"), daySelect),
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

  // The slot buttons for the chosen unit (or any unit) and length.
  function candidates() {
    const {policy, slots, resources} = state.data;
    const now = Date.now();
    const units = state.tag ? resources.filter((r) => r.tag === state.tag) : resources;
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
    // By the day: the loan ends at closing of its last open day, which may be another date.
    // By the slot (rooms, printers) the length is minutes: the end is the slot's own.
    if (state.data.policy.unit !== "days") return new Date(choice.end).toISOString();
    const days = Number(state.length || 1);
    if (days <= 1) return new Date(choice.end).toISOString();
    const lastDay = openDaysFrom(siteOf(), state.day, days)[days - 1];
    const later = await get(`/api/availability${query({site: state.site, kind: state.kind, date: lastDay})}`);
    if (later.closed || !later.opening.length) throw new ApiError(422, "closed_day", "");
    return new Date(Date.parse(later.opening[later.opening.length - 1].ends_at)).toISOString();
  }

  async function book(choice, button) {
    button.disabled = true;
    replace(messages);
    try {
      const body = {starts_at: choice.slot.starts_at, ends_at: await endOfLoan(choice)};
      if (state.tag) body.resource = state.tag;
      else Object.assign(body, {site: state.site, kind: state.kind});
      const booking = await post("/api/bookings", body);
      ctx.toast(t("book.done", {name: booking.resource_name || booking.resource, when: fmt.span(booking.starts_at, booking.ends_at, siteOf().timezone)}));
      ctx.go("bookings");
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
      messages.scrollIntoView({block: "nearest"});
      button.disabled = false;
      if (error instanceof ApiError && error.status === 409) load(true);
    }
  }

  // The wish for the waitlist: by the day the whole opening day, else the slot and its length.
  function wish(choice) {
    const body = {site: state.site, kind: state.kind};
    if (state.tag) body.resource = state.tag;
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
      replace(messages, h("p", {class: "notice ok", role: "status"}, text, " ", link));
      // Booked at once: the slot's count changed under the learner's eyes.
      if (entry.status === "booked") load(true);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
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
      const notify = h("button", {type: "button", class: "primary wide", id: "join-waitlist"}, t("book.notify"));
      notify.addEventListener("click", () => joinWaitlist(choice, notify));
      replace(confirmBar, h("p", {}, summary, " — ", h("strong", {}, t("book.taken"))), h("p", {class: "hint"}, t("book.full_hint")), notify);
      confirmBar.hidden = false;
      return;
    }
    const button = h("button", {type: "button", class: "primary wide", id: "confirm-booking"}, t("book.confirm"));
    button.addEventListener("click", () => book(choice, button));
    replace(confirmBar, h("p", {}, summary), button);
    confirmBar.hidden = false;
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
    const unitOptions = [["", t(`book.any_${state.kind}`)], ...data.resources.filter((r) => r.status === "available").map((r) => [r.tag, `${r.name} (${r.tag})`])];
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
      list.some((c) => c.free) ? null : h("p", {class: "empty"}, t("book.nothing_free")),
      h("ul", {class: "slots", "aria-labelledby": slotsId}, slotButtons),
    );
  }

  async function load(keepMessages = false) {
    if (!keepMessages) replace(messages);
    replace(results, h("p", {class: "loading"}, t("app.loading")));
    confirmBar.hidden = true;
    try {
      state.data = await get(`/api/availability${query({site: state.site, kind: state.kind, date: state.day})}`);
      drawResults();
    } catch (error) {
      replace(results, notice(errorMessage(error)));
    }
  }

  drawControls();
  replace(root, h("h1", {}, t("book.title")), controls, messages, results, confirmBar);
  await load();
}
