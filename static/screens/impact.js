// The funders' impact report (issue 29), staff and admins: a site (or all of one's sites) and a
// period; young people reached by age, situation and partner, workshops, seats, hours, courses,
// visitors apart; the CSV and the one-page PDF a coordinator sends. Figures come from one API call.
import {errorMessage, get, query} from "/js/api.js";
import {barChart} from "/js/charts.js";
import {field, h, notice, select} from "/js/dom.js";
import {dateWithYear, number, percent} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {workSites} from "/js/session.js";
import {chosenSite, rememberSite} from "/js/site-choice.js";

const ALL = "all";
// A chart's label and its figure share one line of 300 units: longer labels are cut there (the
// list beside the chart, for screen readers, keeps them whole).
const LABEL_CHARS = 28;

function shortLabel(text) {
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1).trimEnd()}…` : text;
}

// The funders' periods, as [from, to] inclusive local dates: calendar years and the school year.
function presets(today) {
  const year = Number(today.slice(0, 4));
  const schoolStart = today.slice(5) >= "09-01" ? year : year - 1;
  return {
    this_year: [`${year}-01-01`, `${year}-12-31`],
    last_year: [`${year - 1}-01-01`, `${year - 1}-12-31`],
    school_year: [`${schoolStart}-09-01`, `${schoolStart + 1}-08-31`],
  };
}

function periodForm(ctx, sites, chosen) {
  const options = sites.length > 1 ? [[ALL, t("impact.all_sites")], ...sites.map((s) => [s.slug, s.name])]
    : sites.map((s) => [s.slug, s.name]);
  const siteSelect = select(options, {value: chosen.site});
  const from = h("input", {type: "date", required: true, value: chosen.from});
  const to = h("input", {type: "date", required: true, value: chosen.to});
  const open = (params) => ctx.go(`reports/impact${query(params)}`);
  const presetButtons = Object.entries(presets(fmt.today())).map(([key, [first, last]]) => h("button", {
    type: "button", class: "chip", "aria-pressed": String(first === chosen.from && last === chosen.to),
    onclick: () => open({site: siteSelect.value, from: first, to: last}),
  }, t(`impact.${key}`)));
  const form = h("form", {class: "card", "aria-labelledby": "h-imp-form"},
    h("h2", {id: "h-imp-form"}, t("impact.choose")),
    field(t("impact.site"), siteSelect),
    h("div", {class: "button-row presets", role: "group", "aria-label": t("impact.period")}, presetButtons),
    field(t("impact.from"), from), field(t("impact.to"), to),
    h("button", {type: "submit", class: "primary wide"}, t("impact.show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    open({site: siteSelect.value, from: from.value, to: to.value});
  });
  return form;
}

function keyFigures(report) {
  const {participants: people, seats, hours, courses, visitors, workshops} = report;
  const tile = (name, label, value, sub) => h("div", {class: "key-figure", "data-figure": name},
    h("strong", {}, value), h("span", {}, label), sub ? h("small", {}, sub) : null);
  return h("div", {class: "key-figures"},
    tile("participants", t("impact.participants"), number(people.unique),
      t("impact.new_returning", {new: people.new, returning: people.returning})),
    tile("workshops", t("impact.workshops_held"), number(workshops.held), t("impact.cancelled", {n: workshops.cancelled})),
    tile("hours", t("impact.hours"), t("impact.hours_value", {hours: number(hours.total)}),
      hours.per_participant_median === null ? null : t("impact.median", {hours: number(hours.per_participant_median)})),
    tile("no-shows", t("impact.no_show_rate"), percent(seats.no_show_rate),
      t("impact.no_show_detail", {n: seats.no_shows, base: seats.no_show_base})),
    tile("seats", t("impact.seats_taken"), `${number(seats.taken)} / ${number(seats.offered)}`,
      t("impact.fill", {rate: percent(seats.fill_rate)})),
    tile("attended", t("impact.attended"), number(seats.attended), t("impact.attended_sub")),
    tile("courses", t("impact.courses_completed"), number(courses.completed), t("impact.courses_started", {n: courses.started})),
    tile("visitors", t("impact.visitors_tile"), number(visitors.count), t("impact.visitors_came", {n: visitors.attended_workshops})));
}

// A chart of counts out of a whole, and the same figures as a list screen readers and printouts keep.
function countSection(id, title, hint, rows, whole) {
  const shown = rows.map((row) => ({label: shortLabel(row.label), full: row.label, ratio: whole ? row.count / whole : 0,
    figure: whole ? `${number(row.count)} (${percent(row.count / whole)})` : number(row.count)}));
  return h("section", {class: "card", "aria-labelledby": id},
    h("h2", {id}, title), hint ? h("p", {class: "hint"}, hint) : null,
    shown.length ? barChart(shown, {title}) : h("p", {class: "empty"}, t("impact.nobody")),
    h("ul", {class: "figures visually-hidden"}, shown.map((row) => h("li", {}, `${row.full} : ${row.figure}`))));
}

function peopleSections(report) {
  const people = report.participants;
  const partner = (line) => (line.partner ? line.partner.name : t("impact.no_partner"));
  return [
    countSection("h-imp-age", t("impact.by_age"), t("impact.by_age_hint"),
      people.by_age.map((row) => ({label: t(`impact.band.${row.band}`), count: row.count})), people.unique),
    countSection("h-imp-status", t("impact.by_status"), null,
      people.by_status.filter((row) => row.count).map((row) => ({label: t(`impact.status.${row.status}`), count: row.count})), people.unique),
    countSection("h-imp-partner", t("impact.by_partner"), null,
      people.by_partner.map((line) => ({label: partner(line), count: line.count})), people.unique),
  ];
}

function seatsSection(report) {
  const seats = report.seats;
  const rows = [["offered", seats.offered], ["taken", seats.taken], ["attended", seats.attended]]
    .map(([key, value]) => ({label: t(`impact.seat.${key}`), ratio: seats.offered ? value / seats.offered : 0, figure: number(value)}));
  return h("section", {class: "card", "aria-labelledby": "h-imp-seats"},
    h("h2", {id: "h-imp-seats"}, t("impact.seats")),
    barChart(rows, {title: t("impact.seats")}),
    h("p", {class: "hint"}, t("impact.seats_hint", {unrecorded: report.workshops.unrecorded})));
}

function hoursSection(report) {
  const hours = report.hours;
  return countSection("h-imp-hours", t("impact.hours_spread"),
    t("impact.hours_hint", {total: number(hours.participants_total), mean: hours.per_participant_mean === null ? "–" : number(hours.per_participant_mean)}),
    hours.distribution.map((row) => ({label: t(`impact.bucket.${row.bucket}`), count: row.count})), report.participants.unique);
}

function coursesSection(report) {
  const courses = report.courses;
  return h("section", {class: "card", "aria-labelledby": "h-imp-courses"},
    h("h2", {id: "h-imp-courses"}, t("impact.courses")),
    h("p", {}, t("impact.courses_summary", {running: courses.running, started: courses.started, completed: courses.completed})),
    courses.list.length ? h("ul", {class: "list"}, courses.list.map((course) => h("li", {class: "item", "data-course": String(course.id)},
      h("div", {class: "item-main"},
        h("p", {class: "item-title"}, course.title),
        h("p", {class: "item-sub"}, t("impact.course_line", {site: course.site_name, target: number(course.target_hours),
          people: course.participants, started: course.started, completed: course.completed})))))) : h("p", {class: "empty"}, t("impact.no_course")));
}

// Over several sites, each one's own figures, side by side as a coordinator reports them.
function sitesSection(report) {
  if (!report.by_site.length) return null;
  return h("section", {class: "card", "aria-labelledby": "h-imp-sites"},
    h("h2", {id: "h-imp-sites"}, t("impact.by_site")),
    h("ul", {class: "list"}, report.by_site.map((part) => h("li", {class: "item", "data-site": part.site.slug},
      h("div", {class: "item-main"},
        h("p", {class: "item-title"}, part.site.name),
        h("p", {class: "item-sub"}, t("impact.site_line", {people: number(part.participants.unique),
          workshops: number(part.workshops.held), hours: number(part.hours.total), rate: percent(part.seats.no_show_rate)})))))));
}

function downloadSection(params) {
  const link = (format) => h("li", {}, h("a", {class: "button wide", download: "", "data-format": format,
    href: `/api/reports/impact${query({...params, format})}`}, t(`impact.download_${format}`)));
  return h("section", {class: "card", "aria-labelledby": "h-imp-files"},
    h("h2", {id: "h-imp-files"}, t("impact.download")),
    h("p", {class: "hint"}, t("impact.download_hint")),
    h("ul", {class: "downloads"}, link("pdf"), link("csv")));
}

function reportParts(report, chosen) {
  const where = report.site ? report.site.name : t("impact.sites_of", {names: report.sites.map((s) => s.name).join(", ")});
  return [
    h("p", {class: "lead report-period"}, t("impact.period_of", {where, from: dateWithYear(report.from), to: dateWithYear(report.to)})),
    keyFigures(report), sitesSection(report), ...peopleSections(report), seatsSection(report), hoursSection(report), coursesSection(report),
    h("section", {class: "card", "aria-labelledby": "h-imp-visitors"},
      h("h2", {id: "h-imp-visitors"}, t("impact.visitors")),
      h("p", {}, t("impact.visitors_line", {n: report.visitors.count, came: report.visitors.attended_workshops}))),
    downloadSection(chosen),
    h("details", {class: "card"}, h("summary", {}, t("impact.definitions")), h("p", {class: "hint"}, t("impact.definitions_text"))),
  ].filter(Boolean);
}

export async function render(root, ctx) {
  const sites = workSites(await get("/api/sites"));
  const wanted = ctx.query.get("site");
  const site = wanted === ALL && sites.length > 1 ? null : chosenSite(sites, wanted);
  if (site) rememberSite(site.slug);
  const year = presets(fmt.today()).this_year;
  const chosen = {site: site ? site.slug : ALL, from: ctx.query.get("from") || year[0], to: ctx.query.get("to") || year[1]};
  root.append(h("p", {}, h("a", {href: "#/reports"}, t("impact.back"))), h("h1", {}, t("impact.title")),
    periodForm(ctx, sites, chosen));
  if (!sites.length) {
    root.append(h("p", {class: "empty"}, t("impact.no_site")));
    return;
  }
  try {
    root.append(...reportParts(await get(`/api/reports/impact${query(chosen)}`), chosen));
  } catch (error) {
    root.append(notice(errorMessage(error)));
  }
}
