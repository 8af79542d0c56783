// Reports (staff, admin): a site and a period; utilisation per kind, no-shows, overdue loans, when
// it is busy, the most and least used units, and the CSV files. Figures come from one API call.
import {errorMessage, get, query} from "/js/api.js";
import {barChart, heatMap} from "/js/charts.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import {dateWithYear, number, percent, weekdayDateWithYear} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {lang, locale, t} from "/js/i18n.js";
import {machineHoursSection} from "/js/maintenance.js";
import {currentUser, isAdmin} from "/js/session.js";
import {chosenSite, rememberSite} from "/js/site-choice.js";
import {unitShort} from "/js/stock.js";

const CSV_TABLES = ["kinds", "resources", "overdue", "heatmap"];

// The preset periods, as [from, to] inclusive local dates.
function presets(today) {
  const weekday = (new Date(`${today}T12:00:00Z`).getUTCDay() + 6) % 7;
  const monday = fmt.addDays(today, -weekday);
  const firstOfMonth = `${today.slice(0, 7)}-01`;
  const lastMonthEnd = fmt.addDays(firstOfMonth, -1);
  const nextMonth = `${fmt.addDays(firstOfMonth, 31).slice(0, 7)}-01`;
  return {
    this_week: [monday, fmt.addDays(monday, 6)],
    last_week: [fmt.addDays(monday, -7), fmt.addDays(monday, -1)],
    this_month: [firstOfMonth, fmt.addDays(nextMonth, -1)],
    last_month: [`${lastMonthEnd.slice(0, 7)}-01`, lastMonthEnd],
  };
}

function periodForm(ctx, sites, chosen) {
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: chosen.site});
  const from = h("input", {type: "date", required: true, value: chosen.from});
  const to = h("input", {type: "date", required: true, value: chosen.to});
  const ranges = presets(fmt.today());
  const presetButtons = Object.entries(ranges).map(([key, [first, last]]) => h("button", {
    type: "button", class: "chip", "aria-pressed": String(first === chosen.from && last === chosen.to),
    onclick: () => ctx.go(`reports${query({site: siteSelect.value, from: first, to: last})}`),
  }, t(`reports.${key}`)));
  const form = h("form", {class: "card", "aria-labelledby": "h-rep-form"},
    h("h2", {id: "h-rep-form"}, t("reports.choose")),
    field(t("reports.site"), siteSelect),
    h("div", {class: "button-row presets", role: "group", "aria-label": t("reports.period")}, presetButtons),
    field(t("reports.from"), from), field(t("reports.to"), to),
    h("button", {type: "submit", class: "primary wide"}, t("reports.show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.go(`reports${query({site: siteSelect.value, from: from.value, to: to.value})}`);
  });
  return form;
}

function keyFigures(report) {
  const totals = report.totals;
  const tile = (label, value, sub) => h("div", {class: "key-figure"},
    h("strong", {}, value), h("span", {}, label), sub ? h("small", {}, sub) : null);
  return h("div", {class: "key-figures"},
    tile(t("reports.utilisation"), percent(totals.utilisation)),
    tile(t("reports.bookings"), number(totals.bookings)),
    tile(t("reports.no_shows"), percent(totals.no_show_rate),
      t("reports.no_show_detail", {n: totals.no_shows, base: totals.no_show_base})),
    tile(t("reports.overdue"), number(report.overdue.count)));
}

function utilisationSection(report) {
  const rows = report.kinds.map((k) => ({label: fmt.kindLabel(k.kind), ratio: k.utilisation, figure: percent(k.utilisation)}));
  return h("section", {class: "card", "aria-labelledby": "h-rep-use"},
    h("h2", {id: "h-rep-use"}, t("reports.by_kind")),
    h("p", {class: "hint"}, t("reports.by_kind_hint")),
    rows.length ? barChart(rows, {title: t("reports.by_kind")}) : h("p", {class: "empty"}, t("reports.no_units")),
    h("ul", {class: "figures"}, report.kinds.map((k) => h("li", {"data-kind": k.kind},
      h("strong", {}, t("reports.kind_figure", {kind: fmt.kindLabel(k.kind), value: percent(k.utilisation)})), " ",
      t("reports.kind_detail", {booked: number(k.booked_open_hours), open: number(k.open_hours), units: k.units, bookings: k.bookings})))));
}

function noShowSection(report) {
  const rows = report.kinds.map((k) => ({label: fmt.kindLabel(k.kind), ratio: k.no_show_rate, figure: percent(k.no_show_rate)}));
  return h("section", {class: "card", "aria-labelledby": "h-rep-ns"},
    h("h2", {id: "h-rep-ns"}, t("reports.no_shows")),
    h("p", {class: "hint"}, t("reports.no_show_hint")),
    rows.length ? barChart(rows, {title: t("reports.no_shows")}) : null,
    h("ul", {class: "figures"}, report.kinds.map((k) => h("li", {"data-kind": k.kind},
      h("strong", {}, t("reports.kind_figure", {kind: fmt.kindLabel(k.kind), value: percent(k.no_show_rate)})), " ",
      t("reports.no_show_detail", {n: k.no_shows, base: k.no_show_base})))));
}

function overdueSection(report, tz) {
  const overdue = report.overdue;
  return h("section", {class: "card", "aria-labelledby": "h-rep-late"},
    h("h2", {id: "h-rep-late"}, t("reports.overdue"), " ", h("span", {class: "count"}, `(${overdue.count})`)),
    overdue.count === 0 ? h("p", {class: "empty"}, t("reports.no_overdue")) : [
      h("p", {}, t("reports.overdue_summary", {still: overdue.still_out, total: number(overdue.total_hours), max: number(overdue.max_hours)})),
      h("ul", {class: "list"}, overdue.loans.map((loan) => h("li", {class: "item"}, h("div", {class: "item-main"},
        h("p", {class: "item-title"}, loan.resource_name),
        h("p", {class: "item-sub"}, loan.user_name || t("reports.someone")),
        h("p", {class: "item-sub"}, t(loan.still_out ? "reports.due_still_out" : "reports.due_returned", {
          due: `${fmt.dayShort(loan.due_at, tz)} ${fmt.time(loan.due_at, tz)}`, hours: number(loan.overdue_hours)})))))),
    ]);
}

// The hours worth a column: those the site opens, and any hour with bookings.
function shownHours(report, site) {
  const hours = new Set();
  for (const ranges of Object.values(site.opening_hours || {})) {
    for (const [start, end] of ranges) {
      const first = Number(start.slice(0, 2));
      const last = Math.ceil(Number(end.slice(0, 2)) + Number(end.slice(3, 5)) / 60);
      for (let hour = first; hour < last; hour += 1) hours.add(hour);
    }
  }
  report.heatmap.occupancy_hours.forEach((row) => row.forEach((value, hour) => value > 0 && hours.add(hour)));
  if (hours.size === 0) return [];
  const sorted = [...hours].sort((a, b) => a - b);
  const range = [];
  for (let hour = sorted[0]; hour <= sorted[sorted.length - 1]; hour += 1) range.push(hour);
  return range;
}

function heatSection(report, site) {
  const grid = report.heatmap.occupancy_hours;
  const days = report.heatmap.weekdays
    .map((code, i) => ({code, label: t(`reports.day_short.${code}`), cells: grid[i]}))
    .filter((day) => (site.opening_hours?.[day.code] || []).length > 0 || day.cells.some((v) => v > 0));
  const hours = shownHours(report, site);
  return h("section", {class: "card", "aria-labelledby": "h-rep-heat"},
    h("h2", {id: "h-rep-heat"}, t("reports.heat")),
    h("p", {class: "hint"}, t("reports.heat_hint")),
    days.length && hours.length ? heatMap(days, hours, {
      title: t("reports.heat"),
      describe: (day, hour, value) => t("reports.heat_cell", {day, hour, hours: number(value)}),
    }) : h("p", {class: "empty"}, t("reports.no_units")),
    h("p", {class: "heat-legend", "aria-hidden": "true"}, t("reports.heat_less"),
      [0, 1, 2, 3, 4].map((level) => h("span", {class: `heat-swatch heat-${level}`})), t("reports.heat_more")));
}

function rankSection(report) {
  const unitLine = (unit) => h("li", {}, `${unit.name} · ${percent(unit.utilisation)} (${t("reports.hours_booked", {hours: number(unit.booked_open_hours)})})`);
  return h("section", {class: "card", "aria-labelledby": "h-rep-rank"},
    h("h2", {id: "h-rep-rank"}, t("reports.ranking")),
    report.kinds.map((k) => h("div", {class: "rank", "data-kind": k.kind},
      h("h3", {}, fmt.kindLabel(k.kind)),
      h("p", {class: "label"}, t("reports.most_used")), h("ol", {class: "most"}, k.most_used.map(unitLine)),
      k.least_used.length ? [h("p", {class: "label"}, t("reports.least_used")), h("ol", {class: "least"}, k.least_used.map(unitLine))] : null)));
}

function downloadSection(params) {
  return h("section", {class: "card", "aria-labelledby": "h-rep-csv"},
    h("h2", {id: "h-rep-csv"}, t("reports.download")),
    h("p", {class: "hint"}, t("reports.download_hint")),
    h("ul", {class: "downloads"}, CSV_TABLES.map((table) => h("li", {}, h("a", {
      class: "button wide", download: "",
      href: `/api/reports/utilisation${query({...params, format: "csv", table, lang: lang()})}`,
    }, t(`reports.csv_${table}`))))));
}

// Consumption of the month the period ends in, or this month when it ends later (issue 19): by
// consumable, failed prints, by person.
function consumptionSection(chosen) {
  const today = fmt.today();
  const month = (chosen.to < today ? chosen.to : today).slice(0, 7);
  const params = {site: chosen.site, month};
  const body = h("div", {"aria-live": "polite"}, h("p", {class: "hint"}, t("desk.loading")));
  get(`/api/reports/consumption${query(params)}`).then((report) => {
    const unitOf = Object.fromEntries(report.consumables.map((c) => [c.id, unitShort(c.unit)]));
    replace(body,
      report.consumables.length ? h("ul", {class: "figures consumption"}, report.consumables.map((c) => h("li", {"data-consumable": String(c.id)},
        t("consumables.report_line", {name: c.name, used: number(c.used), lost: number(c.lost), restocked: number(c.restocked),
          stock: number(c.stock), unit: unitShort(c.unit)}),
        c.failed_share === null ? null : [" ", t("consumables.report_failed", {share: percent(c.failed_share),
          failed: number(c.failed_quantity), unit: unitShort(c.unit)})]))) : h("p", {class: "empty"}, t("consumables.report_none")),
      h("p", {class: "print-share"}, t("consumables.report_prints", {count: report.prints.count, failed: report.prints.failed,
        share: percent(report.prints.failed_share)})),
      report.learners.length ? [h("h3", {}, t("consumables.report_learners")), h("ul", {class: "figures"}, report.learners.map((row) => h("li", {},
        t("consumables.report_learner_line", {who: row.user ? row.user.name : t("consumables.report_nobody"), name: row.name,
          used: number(row.used), unit: unitOf[row.consumable] || ""}),
        row.over_budget ? [" ", h("span", {class: "badge st-overdue"}, t("consumables.report_over"))] : null)))] : null,
      h("ul", {class: "downloads"}, ["consumables", "learners"].map((table) => h("li", {}, h("a", {
        class: "button wide", download: "", href: `/api/reports/consumption${query({...params, format: "csv", table, lang: lang()})}`,
      }, t(`consumables.csv_${table}`))))));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "card", "aria-labelledby": "h-rep-consumption"},
    h("h2", {id: "h-rep-consumption"}, t("consumables.report_title")),
    h("p", {class: "hint"}, t("consumables.report_month", {month: monthLabel(month)})), body);
}

// "2026-12" → "décembre 2026".
function monthLabel(month) {
  return new Intl.DateTimeFormat(locale(), {month: "long", year: "numeric", timeZone: "UTC"}).format(new Date(`${month}-15T12:00:00Z`));
}

// The funders' impact report has its own screen (static/screens/impact.js).
function impactLink() {
  return h("p", {}, h("a", {class: "tile", href: "#/reports/impact"},
    h("span", {class: "tile-title"}, t("impact.link")), h("span", {class: "tile-text"}, t("impact.link_text"))));
}

function sitesFor(sites) {
  if (isAdmin()) return sites;
  const me = currentUser();
  const mine = Array.isArray(me.sites) && me.sites.length ? me.sites : [me.site];
  return sites.filter((s) => mine.includes(s.slug));
}

export async function render(root, ctx) {
  const sites = sitesFor(await get("/api/sites"));
  const me = currentUser();
  const ranges = presets(fmt.today());
  const wanted = ctx.query.get("site");
  const site = sites.find((s) => s.slug === wanted) || chosenSite(sites) || sites[0];
  if (site) rememberSite(site.slug);
  const chosen = {site: site?.slug, from: ctx.query.get("from") || ranges.this_week[0], to: ctx.query.get("to") || ranges.this_week[1]};
  const parts = [h("h1", {}, t("reports.title")), impactLink(), periodForm(ctx, sites, chosen)];
  if (!site) {
    root.append(...parts, h("p", {class: "empty"}, t("reports.no_site")));
    return;
  }
  const report = await get(`/api/reports/utilisation${query(chosen)}`);
  parts.push(
    h("p", {class: "lead report-period"}, t("reports.period_of", {
      site: report.site.name, from: weekdayDateWithYear(report.from), to: weekdayDateWithYear(report.to)})),
    h("p", {class: "hint"}, t("reports.open_hours", {hours: number(report.open_hours)})),
    keyFigures(report), utilisationSection(report), noShowSection(report), overdueSection(report, site.timezone),
    heatSection(report, site), rankSection(report), machineHoursSection(chosen), downloadSection(chosen),
    consumptionSection(chosen),
    h("p", {class: "hint"}, t("reports.generated", {date: dateWithYear(fmt.ymd(report.generated_at, site.timezone)),
      time: fmt.time(report.generated_at, site.timezone)})));
  root.append(...parts);
}
