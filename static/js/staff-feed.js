// Staff's calendar (issue 28): the bookings of a site they work for with the holders' names, for the
// team's own agenda. One live link per person: making one for another site replaces it.
import {get, post} from "/js/api.js";
import {confirmButton, h, replace} from "/js/dom.js";
import {siteName} from "/js/format.js";
import {t} from "/js/i18n.js";
import {errorNotice} from "/js/refusal.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";

// `feeds.staff` as GET /api/feeds gives it (null for a learner); `subscribeLinks(links, label)` draws
// the three ways in, as for the other calendars.
export async function staffFeedSection(feeds, subscribeLinks) {
  if (!feeds.staff) return null;
  const sites = await get("/api/sites");
  const section = h("section", {class: "card staff-feed", "aria-labelledby": "h-cal-staff"});
  let site = chosenSite(sites, feeds.staff.site);
  const messages = h("div", {class: "messages"});

  async function make() {
    replace(messages);
    try {
      const made = await post(`/api/me/staff-feed-token?site=${encodeURIComponent(site.slug)}`);
      feeds.staff = {...feeds.staff, active: true, site: site.slug, ...made};
      draw(true);
    } catch (error) {
      replace(messages, errorNotice(error));
    }
  }

  function draw(justMade = false) {
    const mine = feeds.staff;
    const current = mine.active && mine.https && mine.site === site.slug;
    replace(section,
      h("h2", {id: "h-cal-staff"}, t("screens.staff_feed_title")),
      h("p", {}, t("screens.staff_feed_text")),
      sitePicker(sites, site, (slug) => { site = sites.find((s) => s.slug === slug); draw(); }),
      messages,
      justMade ? h("p", {class: "notice ok", role: "status"}, t("calendars2.made")) : null,
      current ? [subscribeLinks(mine, t("screens.staff_feed_address", {site: site.name})),
        h("p", {class: "hint"}, t("screens.staff_feed_private")),
        confirmButton(t("calendars.rotate"), t("calendars.rotate_confirm"), make)] : null,
      current ? null : [
        mine.active && mine.site && mine.site !== site.slug
          ? h("p", {class: "hint"}, t("screens.staff_feed_replaces", {site: siteName(mine.site, sites)})) : null,
        h("button", {type: "button", class: "primary", onclick: make}, t("screens.staff_feed_create", {site: site.name}))],
    );
  }
  if (site) draw();
  return site ? section : null;
}
