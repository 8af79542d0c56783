// The learner's next workshop on their home (issue 29): its title, when, and their seat or their
// place on the waiting list. Nothing at all when they signed up for none.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {listOf, registrationBadge} from "/js/workshops.js";

export async function fillNextWorkshop(block, ctx) {
  let mine;
  let sites;
  try {
    [mine, sites] = await Promise.all([get("/api/me/workshops"), get("/api/sites")]);
  } catch {
    return; // offline or refused: the tiles are what matters
  }
  const now = Date.now();
  const next = listOf(mine, "registrations")
    .filter((r) => (r.status === "registered" || r.status === "waiting") && r.workshop.status !== "cancelled"
      && Date.parse(r.workshop.ends_at) > now)
    .sort((a, b) => Date.parse(a.workshop.starts_at) - Date.parse(b.workshop.starts_at))[0];
  if (!next) return;
  const site = sites.find((s) => s.slug === next.workshop.site);
  replace(block, h("section", {class: "card next-workshop", "aria-labelledby": "h-next-workshop"},
    h("h2", {id: "h-next-workshop"}, t("workshops.next_title")),
    h("p", {}, h("a", {href: ctx.href("my-workshops")}, h("strong", {}, next.workshop.title)), h("br"),
      fmt.span(next.workshop.starts_at, next.workshop.ends_at, site?.timezone)),
    h("p", {}, registrationBadge(next))));
}
