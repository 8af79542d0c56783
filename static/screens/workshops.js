// Ateliers (staff, issue 29): a site's upcoming workshops with their seats and waiting list, one
// tap to a workshop's page (sign-ups, attendance), and a new workshop with seats held for a partner.
import {get, query} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";
import {newWorkshopForm} from "/js/workshop-form.js";
import {listOf, siteCourses, workshopItem} from "/js/workshops.js";

// What the list and the form need, asked together.
async function loadSite(site) {
  const slug = site.slug;
  const [workshops, partners, courses, rooms] = await Promise.all([
    // From the start of today: a workshop under way is where attendance is taken.
    get(`/api/workshops${query({site: slug, from: fmt.today(site.timezone)})}`),
    get(`/api/partners${query({site: slug})}`),
    siteCourses(slug),
    get(`/api/resources${query({site: slug, kind: "room"})}`),
  ]);
  return {workshops: listOf(workshops, "workshops"), partners: listOf(partners, "partners").filter((p) => p.active !== false),
    courses: listOf(courses, "courses"), rooms: listOf(rooms, "resources").filter((r) => r.status !== "retired")};
}

function staffItem(ctx, w, tz) {
  return workshopItem(w, tz,
    w.waiting ? h("p", {class: "item-sub"}, t("workshops.waiting_count", {n: w.waiting})) : null,
    h("a", {class: "button wide", href: ctx.href(`workshops/${w.id}`)}, t("workshops.open")));
}

function links(ctx, site) {
  return h("p", {class: "links"},
    h("a", {href: ctx.href(`partners${query({site: site.slug})}`)}, t("workshops.partners_title")), " · ",
    h("a", {href: ctx.href(`courses${query({site: site.slug})}`)}, t("workshops.courses_title")), " · ",
    h("a", {href: ctx.href(`agenda/${encodeURIComponent(site.slug)}`)}, t("workshops.agenda_link")));
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const course = Number(ctx.query.get("course")) || null;
  const data = await loadSite(site);
  const upcoming = data.workshops.filter((w) => Date.parse(w.ends_at) > Date.now())
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const done = (made) => {
    ctx.toast(t("workshops.created", {title: made.title}));
    ctx.go(`workshops/${made.id}`);
  };
  replace(root,
    h("h1", {}, t("workshops.title")),
    h("p", {class: "lead"}, t("workshops.lead")),
    h("p", {class: "lead"}, site.name),
    sitePicker(sites, site, (slug) => ctx.go(`workshops${query({site: slug})}`)),
    links(ctx, site),
    upcoming.length ? h("ul", {class: "list workshops"}, upcoming.map((w) => staffItem(ctx, w, site.timezone)))
      : h("p", {class: "empty"}, t("workshops.none")),
    newWorkshopForm({site, ...data, course, done}),
  );
}
