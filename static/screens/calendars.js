// Subscribe links: my own bookings (private feed) and my site's public calendar, webcal:// and https://.
import {errorMessage, get, post} from "/js/api.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";

function linkPair(https, webcal) {
  return h("div", {class: "links"},
    h("a", {class: "button primary", href: webcal}, t("calendars.subscribe")),
    h("a", {class: "button", href: https}, t("calendars.https")),
    h("p", {class: "hint"}, t("calendars.copy_hint")),
    h("input", {class: "mono copy", readonly: true, value: https, "aria-label": t("calendars.address")}),
  );
}

export async function render(root, ctx) {
  let feeds;
  try {
    feeds = await get("/api/feeds");
  } catch (error) {
    replace(root, h("h1", {}, t("calendars.title")), notice(errorMessage(error)));
    return;
  }
  const personal = h("div", {class: "card"});
  const messages = h("div", {class: "messages"});

  async function create() {
    try {
      const created = await post("/api/me/feed-token");
      feeds.personal.active = true;
      showPersonal(created);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }

  function showPersonal(links) {
    replace(personal,
      h("h2", {}, t("calendars.mine")),
      h("p", {}, t("calendars.mine_text")),
      links ? linkPair(links.https, links.webcal) : null,
      feeds.personal.active
        ? confirmButton(t("calendars.rotate"), t("calendars.rotate_confirm"), create)
        : h("button", {type: "button", class: "primary", onclick: create}, t("calendars.create")),
      feeds.personal.active && !links ? h("p", {class: "hint"}, t("calendars.active_hint")) : null,
    );
  }
  showPersonal(null);

  const publicFeeds = feeds.public.map((feed) => h("li", {class: "item"},
    h("div", {class: "item-main"}, h("p", {class: "item-title"}, feed.name),
      h("p", {class: "item-actions"},
        h("a", {class: "button", href: feed.webcal}, t("calendars.subscribe")), " ",
        h("a", {class: "button", href: feed.https}, t("calendars.https"))))));
  replace(root,
    h("h1", {}, t("calendars.title")),
    messages,
    personal,
    h("section", {class: "group"}, h("h2", {}, t("calendars.site")), h("p", {}, t("calendars.site_text")),
      h("ul", {class: "list"}, publicFeeds)),
  );
}
