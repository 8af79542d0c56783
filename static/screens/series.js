// Recurring bookings (staff): describe the weekly rule, "Vérifier" shows every date's outcome,
// then create the series, or, when dates are taken, all the free dates.
import {ApiError, errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {learnerPicker} from "/js/people.js";
import {workSites} from "/js/session.js";
import {chosenSite} from "/js/site-choice.js";
import {vocabulary, weekdayOf} from "/js/vocabulary.js";

const {kinds: KINDS, weekdays: WEEKDAYS} = await vocabulary();
const SKIPPED = new Set(["closure", "holiday", "outside_opening_hours", "past"]);

// "Libre" before anything exists, "Réservée" once the series is made.
function outcomeLabel(outcome, made) {
  return t(`outcome.${outcome === "created" && !made ? "free" : outcome}`);
}

function reportTable(occurrences, made) {
  return h("div", {class: "table-wrap"}, h("table", {class: "report"},
    h("caption", {class: "visually-hidden"}, t("series.report")),
    h("thead", {}, h("tr", {},
      h("th", {scope: "col"}, t("series.date")), h("th", {scope: "col"}, t("series.outcome")))),
    // Two columns: the detail goes under its outcome, so a small phone never scrolls sideways.
    h("tbody", {}, occurrences.map((o) => h("tr", {class: `row-${o.outcome}`},
      h("th", {scope: "row"}, fmt.dayLabel(o.date)),
      h("td", {}, h("span", {class: `badge out-${o.outcome}`}, outcomeLabel(o.outcome, made)),
        o.detail ? h("span", {class: "detail"}, o.detail) : null))))));
}

function summaryLine(occurrences, made) {
  const count = (test) => occurrences.filter(test).length;
  return h("p", {class: "hint"}, t(made ? "series.summary_made" : "series.summary", {
    free: count((o) => o.outcome === "created"),
    conflicts: count((o) => o.outcome === "conflict"),
    skipped: count((o) => SKIPPED.has(o.outcome)),
  }));
}

// What: a site and a kind, then one unit or any N of them.
function whatInputs(sites, site) {
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: site.slug, required: true});
  const kindSelect = select(KINDS.map((k) => [k, fmt.kindLabel(k)]), {value: "room", required: true});
  const unitSelect = h("select", {});
  const quantity = h("input", {type: "number", min: "1", max: "50", value: "1", inputmode: "numeric", required: true});
  const quantityField = field(t("series.quantity"), quantity, t("series.quantity_hint"));
  return {siteSelect, kindSelect, unitSelect, quantity, quantityField};
}

// The kind's units at the site; an answer to an older choice is dropped.
async function loadUnits(page) {
  const mine = ++page.unitsAsked;
  const kind = page.kindSelect.value;
  let units = [];
  try {
    units = await get(`/api/resources${query({site: page.siteSelect.value, kind, status: "available"})}`);
  } catch (error) {
    replace(page.messages, notice(errorMessage(error)));
  }
  if (mine !== page.unitsAsked) return;
  // A unit chosen meanwhile stays chosen when it is still in the list.
  const chosen = page.unitSelect.value;
  replace(page.unitSelect, [["", t(`book.any_${kind}`)], ...units.map((u) => [u.tag, `${u.name} (${u.tag})`])]
    .map(([value, label]) => h("option", {value, selected: value === chosen}, label)));
  page.quantityField.hidden = page.unitSelect.value !== "";
}

function wireWhat(page) {
  page.siteSelect.addEventListener("change", () => loadUnits(page));
  page.kindSelect.addEventListener("change", () => loadUnits(page));
  page.unitSelect.addEventListener("change", () => {
    page.quantityField.hidden = page.unitSelect.value !== "";
  });
}

// For whom: the staff member by default, or a learner found by name.
function personInputs(page) {
  const personLine = h("p", {class: "item-sub", "aria-live": "polite"});
  const personDetails = h("details", {class: "more"}, h("summary", {}, t("series.choose_person")));
  const drawPerson = () => {
    const person = page.state.person;
    replace(personLine, person ? t("series.for_person", {name: `${person.name} (${person.login})`}) : t("series.for_me"),
      person ? [" ", h("button", {type: "button", class: "link", onclick: () => {
        page.state.person = null;
        drawPerson();
        clearReport(page);
      }}, t("series.for_me"))] : null);
  };
  personDetails.append(learnerPicker({onPick: (person) => {
    page.state.person = person;
    personDetails.open = false;
    drawPerson();
    clearReport(page);
  }}));
  drawPerson();
  return {personLine, personDetails};
}

// When: the first day, the hours, the weekdays (the first day's until someone picks), the interval.
function whenInputs(page, firstDefault) {
  const firstDay = h("input", {type: "date", value: firstDefault, required: true});
  const startTime = h("input", {type: "time", value: "09:00", required: true});
  const endTime = h("input", {type: "time", value: "12:30", required: true});
  const dayBoxes = WEEKDAYS.map((day) => h("input", {type: "checkbox", name: "weekday", value: day, checked: day === weekdayOf(firstDefault, WEEKDAYS),
    onchange: () => { page.state.weekdaysTouched = true; }}));
  firstDay.addEventListener("change", () => {
    // Until someone picks days, the series runs on the first day's weekday.
    if (page.state.weekdaysTouched || !firstDay.value) return;
    for (const box of dayBoxes) box.checked = box.value === weekdayOf(firstDay.value, WEEKDAYS);
  });
  const interval = h("input", {type: "number", min: "1", max: "52", value: "1", inputmode: "numeric", required: true});
  return {firstDay, startTime, endTime, dayBoxes, interval};
}

// How it ends: after a count of dates, or on a last day; the other field is hidden and off.
function endInputs() {
  const count = h("input", {type: "number", min: "1", max: "200", value: "10", inputmode: "numeric", required: true});
  const until = h("input", {type: "date", disabled: true});
  const countField = field(t("series.count"), count);
  const untilField = field(t("series.until"), until);
  untilField.hidden = true;
  const endChoice = (byCount) => {
    countField.hidden = !byCount;
    untilField.hidden = byCount;
    count.disabled = !byCount;
    until.disabled = byCount;
    count.required = byCount;
    until.required = !byCount;
  };
  const endChips = h("div", {class: "choices"}, [["count", t("series.end_count")], ["until", t("series.end_until")]].map(([value, label]) =>
    h("label", {class: "choice"}, h("input", {type: "radio", name: "series-end", value, checked: value === "count",
      onchange: () => endChoice(value === "count")}), h("span", {}, label))));
  return {count, until, countField, untilField, endChips};
}

function seriesForm(page) {
  return h("form", {class: "card"},
    field(t("series.site"), page.siteSelect),
    field(t("series.kind"), page.kindSelect),
    field(t("series.unit"), page.unitSelect),
    page.quantityField,
    h("fieldset", {}, h("legend", {}, t("series.who")), page.personLine, page.personDetails),
    field(t("series.first_day"), page.firstDay),
    h("div", {class: "two-up"}, field(t("series.start_time"), page.startTime), field(t("series.end_time"), page.endTime)),
    h("fieldset", {}, h("legend", {}, t("series.weekdays")),
      h("div", {class: "choices"}, page.dayBoxes.map((box) => h("label", {class: "choice"}, box, h("span", {}, t(`weekdays.${box.value}`)))))),
    field(t("series.interval"), page.interval, t("series.interval_hint")),
    h("fieldset", {}, h("legend", {}, t("series.end")), page.endChips, page.countField, page.untilField),
    field(t("series.purpose"), page.purpose, t("series.purpose_hint")),
    page.check,
  );
}

function clearReport(page) {
  replace(page.report);
}

function request(page, extra) {
  const body = {
    first_day: page.firstDay.value, start_time: page.startTime.value, end_time: page.endTime.value,
    weekdays: page.dayBoxes.filter((box) => box.checked).map((box) => box.value),
    interval: Number(page.interval.value), purpose: page.purpose.value.trim(), ...extra,
  };
  if (page.unitSelect.value) body.resource = page.unitSelect.value;
  else Object.assign(body, {site: page.siteSelect.value, kind: page.kindSelect.value, quantity: Number(page.quantity.value)});
  if (page.countField.hidden) body.until = page.until.value;
  else body.count = Number(page.count.value);
  if (page.state.person) body.user = page.state.person.login;
  return body;
}

function actions(...buttons) {
  return h("div", {class: "button-row report-actions"}, buttons);
}

function backButton(page) {
  return h("button", {type: "button", onclick: () => {
    clearReport(page);
    page.firstDay.focus();
  }}, t("series.back"));
}

// What the report means: made, dates taken, refused, or every date free.
function reportNotice(answer, made) {
  if (made) return notice(t("series.created", {n: answer.created}), "ok");
  if (answer.code === "series_conflicts") return notice(t("series.conflicts"));
  if (answer.code) return notice(t(`errors.${answer.code}`));
  return notice(t("series.all_free"), "ok");
}

// What can be done next: a new series, create the free dates, create them all, or go back.
function reportActions(page, answer, made) {
  const create = (extra, label) => h("button", {type: "button", class: "primary", onclick: (e) => send(page, extra, e.currentTarget)}, label);
  if (made) {
    return actions(
      h("button", {type: "button", onclick: () => { clearReport(page); page.firstDay.focus(); }}, t("series.new")),
      page.state.person ? null : h("a", {class: "button", href: page.ctx.href("bookings")}, t("series.see_bookings")));
  }
  if (answer.code === "series_conflicts") {
    const free = (answer.occurrences || []).some((o) => o.outcome === "created");
    return actions(free ? create({on_conflict: "all_but_conflicts"}, t("series.create_free")) : null, backButton(page));
  }
  if (answer.code) return actions(backButton(page));
  return actions(create({on_conflict: "none"}, t("series.create")), backButton(page));
}

// The answer with its report: what it means, the table, and what can be done next.
function showReport(page, answer, made) {
  const occurrences = answer.occurrences || [];
  replace(page.report,
    h("h2", {id: "h-report", tabindex: "-1"}, t("series.report")),
    reportNotice(answer, made),
    summaryLine(occurrences, made), reportTable(occurrences, made),
    reportActions(page, answer, made));
  const heading = page.report.querySelector("h2");
  heading.focus({preventScroll: true});
  heading.scrollIntoView({block: "start"});
}

// One call: a dry run ("Vérifier") or the real thing; a refusal with a report shows the report.
async function send(page, extra, button) {
  const messages = page.messages;
  replace(messages);
  const busy = [page.check, button].filter(Boolean);
  for (const b of busy) b.disabled = true;
  try {
    const answer = await post("/api/series", request(page, extra));
    // A dry run with taken dates answers 200 with its report: offer the same choice as a 409.
    if (answer.dry_run && answer.conflicts.length) showReport(page, {code: "series_conflicts", occurrences: answer.occurrences}, false);
    else showReport(page, answer, !answer.dry_run);
  } catch (error) {
    if (error instanceof ApiError && Array.isArray(error.body.occurrences)) {
      showReport(page, {code: error.code, occurrences: error.body.occurrences}, false);
    } else {
      replace(messages, notice(errorMessage(error)));
      messages.scrollIntoView({block: "nearest"});
    }
  } finally {
    for (const b of busy) b.disabled = false;
  }
}

function wireForm(page, form) {
  // A changed request makes the shown report stale (the person search is not part of it).
  const stale = (event) => {
    if (event.target.type !== "search") clearReport(page);
  };
  form.addEventListener("input", stale);
  form.addEventListener("change", stale);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Enter in the person search is a search, not "Vérifier".
    if (document.activeElement && document.activeElement.type === "search") return;
    if (!page.dayBoxes.some((box) => box.checked)) {
      replace(page.messages, notice(t("series.weekdays_required")));
      page.messages.scrollIntoView({block: "nearest"});
      return;
    }
    send(page, {dry_run: true, on_conflict: "none"});
  });
}

export async function render(root, ctx) {
  const all = await get("/api/sites");
  const sites = workSites(all);
  const site = chosenSite(all, ctx.query.get("site"));
  const firstDefault = fmt.addDays(fmt.today(site.timezone), 1);
  const page = {ctx, state: {person: null, weekdaysTouched: false}, unitsAsked: 0,
    messages: h("div", {class: "messages"}), report: h("div", {"aria-live": "polite"})};
  Object.assign(page, whatInputs(sites, site));
  wireWhat(page);
  Object.assign(page, personInputs(page), whenInputs(page, firstDefault), endInputs(),
    {purpose: h("input", {maxlength: "500", autocomplete: "off"}), check: h("button", {type: "submit", class: "primary wide"}, t("series.check"))});
  const form = seriesForm(page);
  wireForm(page, form);
  await loadUnits(page);
  replace(root, h("h1", {}, t("series.title")), h("p", {class: "lead"}, t("series.intro")), page.messages, form, page.report);
}
