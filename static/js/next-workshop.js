// The learner's next workshop on their home (issue 29): its title, when, and their seat or their
// place on the waiting list. Nothing at all when they signed up for none.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {listOf, registrationBadge} from "/js/workshops.js";

// What happened to my sign-ups that I must be told (the API's `notice`): a seat freed for me from
// the waiting list, a workshop cancelled (with the staff's word). Shown until the workshop is over.
export function workshopNotices(mine, sites) {
  return listOf(mine, "registrations").filter((r) => r.notice).map((r) => {
    const tz = sites.find((s) => s.slug === r.workshop.site)?.timezone;
    const when = fmt.span(r.workshop.starts_at, r.workshop.ends_at, tz);
    const text = r.notice === "seated" ? t("workshops.notice_seated", {title: r.workshop.title, when})
      : t("workshops.notice_cancelled", {title: r.workshop.title, when});
    return h("p", {class: ["notice", r.notice === "seated" ? "ok" : "error", "workshop-notice"], role: "status"}, text,
      r.notice !== "seated" && r.workshop.cancel_note ? [h("br"), r.workshop.cancel_note] : null);
  });
}

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
  const notices = workshopNotices(mine, sites);
  if (!next) {
    replace(block, notices);
    return;
  }
  const site = sites.find((s) => s.slug === next.workshop.site);
  replace(block, notices, h("section", {class: "card next-workshop", "aria-labelledby": "h-next-workshop"},
    h("h2", {id: "h-next-workshop"}, t("workshops.next_title")),
    h("p", {}, h("a", {href: ctx.href("my-workshops")}, h("strong", {}, next.workshop.title)), h("br"),
      fmt.span(next.workshop.starts_at, next.workshop.ends_at, site?.timezone)),
    h("p", {}, registrationBadge(next))));
}
