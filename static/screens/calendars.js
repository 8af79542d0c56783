// Calendars: my private link (shown again at any time, copied in one tap, opened in the phone's
// agenda or in Google Agenda), and my site's public calendars.
import {get, post} from "/js/api.js";
import {confirmButton, h, replace, uid} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {errorNotice, retryNotice} from "/js/refusal.js";
import {staffFeedSection} from "/js/staff-feed.js";

// Copy to the clipboard; where the browser refuses (no permission, old phone), select the text
// so the person can copy it by hand.
async function copy(input, status) {
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = t("calendars2.copied");
  } catch {
    input.focus();
    input.select();
    const done = document.execCommand && document.execCommand("copy");
    status.textContent = done ? t("calendars2.copied") : t("calendars2.copy_by_hand");
  }
}

function copyField(address, label) {
  const input = h("input", {class: "mono copy", readonly: true, value: address, id: uid("address")});
  const status = h("p", {class: "hint", role: "status"});
  const button = h("button", {type: "button", class: "copy-button", onclick: () => copy(input, status)}, t("calendars2.copy"));
  return h("div", {class: "copy-field"},
    h("label", {for: input.id}, label), h("div", {class: "copy-row"}, input, button), status);
}

// The three ways in: the phone's own agenda (webcal), Google Agenda (https), the address to copy.
function subscribeLinks(links, label) {
  return h("div", {class: "links"},
    h("div", {class: "button-row"},
      h("a", {class: "button primary", href: links.webcal}, t("calendars2.open_phone")),
      h("a", {class: "button", href: links.google, target: "_blank", rel: "noopener"}, t("calendars2.open_google"))),
    copyField(links.https, label));
}

function howTo() {
  const apps = ["google", "apple", "outlook", "thunderbird"];
  return h("details", {class: "more how-to"},
    h("summary", {}, t("calendars2.how")),
    h("ul", {}, apps.map((app) => h("li", {}, t(`calendars2.how_${app}`)))));
}

export async function render(root, ctx) {
  let feeds;
  try {
    feeds = await get("/api/feeds");
  } catch (error) {
    replace(root, h("h1", {}, t("calendars.title")), retryNotice(error, () => ctx.render()));
    return;
  }
  const personal = h("section", {class: "card", "aria-labelledby": "h-cal-mine"});
  const messages = h("div", {class: "messages"});

  async function create() {
    replace(messages);
    try {
      const created = await post("/api/me/feed-token");
      feeds.personal = {...feeds.personal, active: true, ...created};
      showPersonal(true);
    } catch (error) {
      replace(messages, errorNotice(error));
    }
  }

  function showPersonal(justMade = false) {
    const mine = feeds.personal;
    const rotate = confirmButton(t("calendars.rotate"), t("calendars.rotate_confirm"), create);
    replace(personal,
      h("h2", {id: "h-cal-mine"}, t("calendars.mine")),
      h("p", {}, t("calendars.mine_text")),
      justMade ? h("p", {class: "notice ok", role: "status"}, t("calendars2.made")) : null,
      mine.https ? [subscribeLinks(mine, t("calendars2.my_address")), howTo(), h("p", {class: "hint"}, t("calendars2.private_hint")), rotate] : null,
      mine.active && !mine.https ? [h("p", {class: "hint"}, t("calendars2.old_link")), rotate] : null,
      mine.active ? null : h("button", {type: "button", class: "primary", onclick: create}, t("calendars.create")),
    );
  }
  showPersonal();

  // Folded: four public calendars, each with its three ways in, would bury the private link.
  const publicFeeds = feeds.public.map((feed) => h("li", {class: "item"},
    h("details", {class: "more item-main"}, h("summary", {}, feed.name),
      subscribeLinks(feed, t("calendars2.feed_address", {name: feed.name})))));
  const team = await staffFeedSection(feeds, subscribeLinks).catch(() => null);  // staff only; a failure hides it
  replace(root,
    h("h1", {}, t("calendars.title")),
    messages,
    personal,
    team,
    h("section", {class: "group", "aria-labelledby": "h-cal-site"},
      h("h2", {id: "h-cal-site"}, t("calendars.site")), h("p", {}, t("calendars.site_text")),
      h("ul", {class: "list"}, publicFeeds)),
  );
}
