// Maintenance by use (issue 19): the plan editor, the tag page's block, Aujourd'hui's list and the
// reports' machine hours. Each screen calls one of these with one line.
import {api, errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {number} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {has, lang, locale, t} from "/js/i18n.js";
import * as rebooked from "/js/rebooked.js";

const MEASURES = ["every_hours", "every_loans", "every_days"];

function stateBadge(state) {
  return h("span", {class: `badge mt-${state}`}, t(`maintenance.state_${state}`));
}

// "8 h d'utilisation sur 10", "2 prêts sur 5", "9 jours sur 30": each measure the plan has.
function counterLines(plan, counters) {
  const lines = [];
  if (plan.every_hours) lines.push(t("maintenance.hours_of", {used: number(counters.hours), every: plan.every_hours}));
  if (plan.every_loans) lines.push(t(counters.loans === 1 ? "maintenance.loans_of_one" : "maintenance.loans_of", {used: counters.loans, every: plan.every_loans}));
  if (plan.every_days) lines.push(t("maintenance.days_of", {used: number(Math.floor(counters.days)), every: plan.every_days}));
  return lines;
}

// The plan's fields; onSave gets the body to PUT. At least one of the three measures.
// kind: the items the plan is for, so that the task's example fits them.
export function planForm({plan, kind, title, saveLabel, onSave, extra}) {
  const inputs = Object.fromEntries(MEASURES.map((name) => [name, h("input", {
    type: "number", min: "1", max: name === "every_days" ? "3650" : "100000", inputmode: "numeric",
    value: plan && plan[name] ? String(plan[name]) : "", name})]));
  const task = h("input", {required: true, maxlength: "200", value: plan ? plan.task : "", name: "task"});
  const refuse = h("input", {type: "checkbox", name: "refuse_when_overdue", checked: Boolean(plan && plan.refuse_when_overdue)});
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const form = h("form", {class: "plan-form"}, title ? h("h3", {}, title) : null,
    field(t("maintenance.task"), task, has(`maintenance.task_hints.${kind}`) ? t(`maintenance.task_hints.${kind}`) : null),
    MEASURES.map((name) => field(t(`maintenance.${name}`), inputs[name])),
    h("p", {class: "hint"}, t("maintenance.at_least_one")),
    h("label", {class: "check"}, refuse, " ", t("maintenance.refuse_label")),
    messages, h("div", {class: "button-row"}, h("button", {type: "submit", class: "primary"}, saveLabel || t("maintenance.save_plan")), extra || null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {task: task.value.trim(), refuse_when_overdue: refuse.checked};
    for (const name of MEASURES) if (inputs[name].value) body[name] = Number(inputs[name].value);
    if (!MEASURES.some((name) => body[name])) {
      replace(messages, notice(t("maintenance.at_least_one")));
      return;
    }
    try {
      await onSave(body);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function recordForm(item, state, done, messages) {
  const task = h("input", {maxlength: "200", value: state.plan ? state.plan.task : "", required: !state.plan});
  const note = h("input", {maxlength: "2000"});
  const form = h("form", {class: "record-form"},
    field(t("maintenance.task"), task), field(t("maintenance.note"), note),
    h("button", {type: "submit", class: state.state === "due" ? "primary wide" : "wide"}, t("maintenance.done")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/api/resources/${encodeURIComponent(item.tag)}/maintenance`, {task: task.value.trim(), note: note.value.trim()});
      done(t("maintenance.done_ok"));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function records(list, tz) {
  if (!list.length) return h("p", {class: "empty"}, t("maintenance.no_records"));
  return h("ul", {class: "list records"}, list.map((r) => h("li", {class: "item"}, h("div", {class: "item-main"},
    h("p", {class: "item-sub"}, fmt.moment(r.at, tz), r.staff ? ` · ${r.staff}` : ""),
    h("p", {class: "item-title"}, r.task), r.note ? h("p", {class: "history-note"}, r.note) : null))));
}

// The item's own plan, in a disclosure: set it, or go back to its kind's.
function ownPlanEditor(item, state, done) {
  const path = `/api/resources/${encodeURIComponent(item.tag)}/maintenance-plan`;
  const messages = h("div", {class: "messages"});
  const remove = state.own_plan ? h("button", {type: "button", onclick: async () => {
    try {
      await api("DELETE", path);
      done(t("maintenance.plan_removed"));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }}, state.kind_plan ? t("maintenance.back_to_kind") : t("maintenance.remove_plan")) : null;
  return h("details", {class: "more plan-editor"}, h("summary", {}, t("maintenance.edit_plan")), messages,
    planForm({plan: state.own_plan || state.kind_plan, kind: item.kind, extra: remove, onSave: async (body) => {
      const saved = await api("PUT", path, body);
      rebooked.keep(item.tag, saved.item_bookings);  // a plan refusing bookings of an item already overdue
      done(t("maintenance.plan_saved"));
    }}));
}

function planSummary(state) {
  if (!state.plan) return [h("p", {}, t("maintenance.none"))];
  const origin = state.own_plan ? t("maintenance.own_plan") : t("maintenance.kind_plan");
  return [
    h("p", {class: "maintenance-state"}, stateBadge(state.state), " ", h("strong", {}, state.plan.task), " ",
      h("span", {class: "item-sub"}, `(${origin})`)),
    h("ul", {class: "counters"}, counterLines(state.plan, state.counters).map((line) => h("li", {}, line))),
    h("p", {class: "hint"}, t(state.records.length ? "maintenance.since_last" : "maintenance.since_plan",
      {when: fmt.moment(state.counters.since)})),
    state.refuses_bookings ? notice(t("maintenance.refusing")) : null,
  ];
}

// The tag page (staff of the item's site): where it stands, "Maintenance faite", the plan, the log.
export function maintenanceBlock(item, done) {
  const body = h("div", {"aria-live": "polite"}, h("p", {class: "hint"}, t("desk.loading")));
  const messages = h("div", {class: "messages"});
  get(`/api/resources/${encodeURIComponent(item.tag)}/maintenance`).then((state) => {
    replace(body, planSummary(state), messages, recordForm(item, state, done, messages), ownPlanEditor(item, state, done),
      h("h3", {}, t("maintenance.records")), records(state.records, item.timezone));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "card maintenance", "aria-labelledby": "h-maintenance"},
    h("h2", {id: "h-maintenance"}, t("maintenance.title")), body);
}

// Aujourd'hui: what is due or soon due at the site, most advanced first.
export function maintenanceDueBlock(site) {
  const body = h("div", {}, h("p", {class: "hint"}, t("desk.loading")));
  const count = h("span", {class: "count"});
  get(`/api/maintenance/due${query({site: site.slug})}`).then(({items}) => {
    count.textContent = `(${items.length})`;
    replace(body, items.length ? h("ul", {class: "list"}, items.map((i) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {class: "today-link", href: `/t/${encodeURIComponent(i.tag)}`}, i.name), " ", stateBadge(i.state)),
      h("p", {class: "item-sub"}, i.task),
      h("p", {class: "item-sub"}, counterLines(i.plan, i.counters).join(" · "))))))
      : h("p", {class: "empty"}, t("today.none")));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "group", "aria-labelledby": "h-maintenance-due"},
    h("h2", {id: "h-maintenance-due"}, t("maintenance.due_title"), " ", count), body,
    h("p", {}, h("a", {href: "/#/admin/maintenance"}, t("maintenance.plans_link"))));
}

// "2026-11" → "nov. 2026".
function monthLabel(month) {
  return new Intl.DateTimeFormat(locale(), {month: "short", year: "numeric", timeZone: "UTC"}).format(new Date(`${month}-15T12:00:00Z`));
}

function hoursText(hours, loans) {
  return t(loans === 1 ? "maintenance.hours.cell_one" : "maintenance.hours.cell", {hours: number(hours), loans});
}

// One printer a card-like line (a table of months would not fit 360 px): the period's total, then each month.
function hoursList(report) {
  return h("ul", {class: "list machine-hours"}, report.printers.map((p) => h("li", {class: "item", "data-tag": p.tag},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, p.name, " ", h("span", {class: "item-sub"}, hoursText(p.total_hours, p.total_loans))),
      h("ul", {class: "months"}, p.months.map((m) => h("li", {}, `${monthLabel(m.month)} — ${hoursText(m.hours, m.loans)}`)))))));
}

// Reports: hours of use and loans of each printer per month, and the CSV.
export function machineHoursSection(params) {
  const body = h("div", {}, h("p", {class: "hint"}, t("desk.loading")));
  get(`/api/reports/machine-hours${query(params)}`).then((report) => {
    replace(body, report.printers.length ? hoursList(report) : h("p", {class: "empty"}, t("maintenance.hours.none")),
      h("a", {class: "button wide", download: "", href: `/api/reports/machine-hours${query({...params, format: "csv", lang: lang()})}`},
        t("maintenance.hours.csv")));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "card", "aria-labelledby": "h-rep-machine"},
    h("h2", {id: "h-rep-machine"}, t("maintenance.hours.title")), h("p", {class: "hint"}, t("maintenance.hours.hint")), body);
}
