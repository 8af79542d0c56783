// Recurring bookings (staff): describe the weekly rule, "Vérifier" shows every date's outcome,
// then create the series, or, when dates are taken, all the free dates.
import {ApiError, errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {learnerPicker} from "/js/people.js";
import {currentUser, workSites} from "/js/session.js";
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

export async function render(root, ctx) {
  const me = currentUser();
  const sites = workSites(await get("/api/sites"));
  const site = sites.find((s) => s.slug === me.site) || sites[0];
  const firstDefault = fmt.addDays(fmt.today(site.timezone), 1);
  const state = {person: null, weekdaysTouched: false};
  const messages = h("div", {class: "messages"});

  // What: a site and a kind, then one unit or any N of them.
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: site.slug, required: true});
  const kindSelect = select(KINDS.map((k) => [k, fmt.kindLabel(k)]), {value: "room", required: true});
  const unitSelect = h("select", {});
  const quantity = h("input", {type: "number", min: "1", max: "50", value: "1", inputmode: "numeric", required: true});
  const quantityField = field(t("series.quantity"), quantity, t("series.quantity_hint"));

  let unitsAsked = 0;
  async function loadUnits() {
    const mine = ++unitsAsked;
    const kind = kindSelect.value;
    let units = [];
    try {
      units = await get(`/api/resources${query({site: siteSelect.value, kind, status: "available"})}`);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
    if (mine !== unitsAsked) return;
    // A unit chosen meanwhile stays chosen when it is still in the list.
    const chosen = unitSelect.value;
    replace(unitSelect, [["", t(`book.any_${kind}`)], ...units.map((u) => [u.tag, `${u.name} (${u.tag})`])]
      .map(([value, label]) => h("option", {value, selected: value === chosen}, label)));
    quantityField.hidden = unitSelect.value !== "";
  }
  siteSelect.addEventListener("change", loadUnits);
  kindSelect.addEventListener("change", loadUnits);
  unitSelect.addEventListener("change", () => {
    quantityField.hidden = unitSelect.value !== "";
  });

  // For whom: the staff member by default, or a learner found by name.
  const personLine = h("p", {class: "item-sub", "aria-live": "polite"});
  const personDetails = h("details", {class: "more"}, h("summary", {}, t("series.choose_person")));
  function drawPerson() {
    replace(personLine, state.person ? t("series.for_person", {name: `${state.person.name} (${state.person.login})`}) : t("series.for_me"),
      state.person ? [" ", h("button", {type: "button", class: "link", onclick: () => {
        state.person = null;
        drawPerson();
        clearReport();
      }}, t("series.for_me"))] : null);
  }
  personDetails.append(learnerPicker({onPick: (person) => {
    state.person = person;
    personDetails.open = false;
    drawPerson();
    clearReport();
  }}));
  drawPerson();

  // When: the weekly rule.
  const firstDay = h("input", {type: "date", value: firstDefault, required: true});
  const startTime = h("input", {type: "time", value: "09:00", required: true});
  const endTime = h("input", {type: "time", value: "12:30", required: true});
  const dayBoxes = WEEKDAYS.map((day) => h("input", {type: "checkbox", name: "weekday", value: day, checked: day === weekdayOf(firstDefault, WEEKDAYS),
    onchange: () => { state.weekdaysTouched = true; }}));
  firstDay.addEventListener("change", () => {
    // Until someone picks days, the series runs on the first day's weekday.
    if (state.weekdaysTouched || !firstDay.value) return;
    for (const box of dayBoxes) box.checked = box.value === weekdayOf(firstDay.value, WEEKDAYS);
  });
  const interval = h("input", {type: "number", min: "1", max: "52", value: "1", inputmode: "numeric", required: true});
  const count = h("input", {type: "number", min: "1", max: "200", value: "10", inputmode: "numeric", required: true});
  const until = h("input", {type: "date", disabled: true});
  const countField = field(t("series.count"), count);
  const untilField = field(t("series.until"), until);
  untilField.hidden = true;
  function endChoice(byCount) {
    countField.hidden = !byCount;
    untilField.hidden = byCount;
    count.disabled = !byCount;
    until.disabled = byCount;
    count.required = byCount;
    until.required = !byCount;
  }
  const endChips = h("div", {class: "choices"}, [["count", t("series.end_count")], ["until", t("series.end_until")]].map(([value, label]) =>
    h("label", {class: "choice"}, h("input", {type: "radio", name: "series-end", value, checked: value === "count",
      onchange: () => endChoice(value === "count")}), h("span", {}, label))));
  const purpose = h("input", {maxlength: "500", autocomplete: "off"});

  const report = h("div", {"aria-live": "polite"});
  const check = h("button", {type: "submit", class: "primary wide"}, t("series.check"));

  const form = h("form", {class: "card"},
    field(t("series.site"), siteSelect),
    field(t("series.kind"), kindSelect),
    field(t("series.unit"), unitSelect),
    quantityField,
    h("fieldset", {}, h("legend", {}, t("series.who")), personLine, personDetails),
    field(t("series.first_day"), firstDay),
    h("div", {class: "two-up"}, field(t("series.start_time"), startTime), field(t("series.end_time"), endTime)),
    h("fieldset", {}, h("legend", {}, t("series.weekdays")),
      h("div", {class: "choices"}, dayBoxes.map((box) => h("label", {class: "choice"}, box, h("span", {}, t(`weekdays.${box.value}`)))))),
    field(t("series.interval"), interval, t("series.interval_hint")),
    h("fieldset", {}, h("legend", {}, t("series.end")), endChips, countField, untilField),
    field(t("series.purpose"), purpose, t("series.purpose_hint")),
    check,
  );

  function clearReport() {
    replace(report);
  }
  // A changed request makes the shown report stale (the person search is not part of it).
  form.addEventListener("input", (event) => {
    if (event.target.type !== "search") clearReport();
  });
  form.addEventListener("change", (event) => {
    if (event.target.type !== "search") clearReport();
  });

  function request(extra) {
    const body = {
      first_day: firstDay.value, start_time: startTime.value, end_time: endTime.value,
      weekdays: dayBoxes.filter((box) => box.checked).map((box) => box.value),
      interval: Number(interval.value), purpose: purpose.value.trim(), ...extra,
    };
    if (unitSelect.value) body.resource = unitSelect.value;
    else Object.assign(body, {site: siteSelect.value, kind: kindSelect.value, quantity: Number(quantity.value)});
    if (countField.hidden) body.until = until.value;
    else body.count = Number(count.value);
    if (state.person) body.user = state.person.login;
    return body;
  }

  function actions(...buttons) {
    return h("div", {class: "button-row report-actions"}, buttons);
  }

  function backButton() {
    return h("button", {type: "button", onclick: () => {
      clearReport();
      firstDay.focus();
    }}, t("series.back"));
  }

  // The answer with its report: what it means, the table, and what can be done next.
  function showReport(answer, made) {
    const occurrences = answer.occurrences || [];
    const parts = [h("h2", {id: "h-report", tabindex: "-1"}, t("series.report"))];
    if (made) {
      parts.push(notice(t("series.created", {n: answer.created}), "ok"));
    } else if (answer.code === "series_conflicts") {
      parts.push(notice(t("series.conflicts")));
    } else if (answer.code) {
      parts.push(notice(t(`errors.${answer.code}`)));
    } else {
      parts.push(notice(t("series.all_free"), "ok"));
    }
    parts.push(summaryLine(occurrences, made), reportTable(occurrences, made));
    if (made) {
      parts.push(actions(
        h("button", {type: "button", onclick: () => { clearReport(); firstDay.focus(); }}, t("series.new")),
        state.person ? null : h("a", {class: "button", href: ctx.href("bookings")}, t("series.see_bookings"))));
    } else if (answer.code === "series_conflicts") {
      const free = occurrences.some((o) => o.outcome === "created");
      parts.push(actions(
        free ? h("button", {type: "button", class: "primary", onclick: (e) => send({on_conflict: "all_but_conflicts"}, e.currentTarget)}, t("series.create_free")) : null,
        backButton()));
    } else if (answer.code) {
      parts.push(actions(backButton()));
    } else {
      parts.push(actions(
        h("button", {type: "button", class: "primary", onclick: (e) => send({on_conflict: "none"}, e.currentTarget)}, t("series.create")),
        backButton()));
    }
    replace(report, parts);
    const heading = report.querySelector("h2");
    heading.focus({preventScroll: true});
    heading.scrollIntoView({block: "start"});
  }

  // One call: a dry run ("Vérifier") or the real thing; a refusal with a report shows the report.
  async function send(extra, button) {
    replace(messages);
    const busy = [check, button].filter(Boolean);
    for (const b of busy) b.disabled = true;
    try {
      const answer = await post("/api/series", request(extra));
      // A dry run with taken dates answers 200 with its report: offer the same choice as a 409.
      if (answer.dry_run && answer.conflicts.length) showReport({code: "series_conflicts", occurrences: answer.occurrences}, false);
      else showReport(answer, !answer.dry_run);
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.body.occurrences)) {
        showReport({code: error.code, occurrences: error.body.occurrences}, false);
      } else {
        replace(messages, notice(errorMessage(error)));
        messages.scrollIntoView({block: "nearest"});
      }
    } finally {
      for (const b of busy) b.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Enter in the person search is a search, not "Vérifier".
    if (document.activeElement && document.activeElement.type === "search") return;
    if (!dayBoxes.some((box) => box.checked)) {
      replace(messages, notice(t("series.weekdays_required")));
      messages.scrollIntoView({block: "nearest"});
      return;
    }
    send({dry_run: true, on_conflict: "none"});
  });

  await loadUnits();
  replace(root, h("h1", {}, t("series.title")), h("p", {class: "lead"}, t("series.intro")), messages, form, report);
}
