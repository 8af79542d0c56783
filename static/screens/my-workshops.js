// Ateliers (learner, issue 29): the next workshops of my site with the seats left; sign up, and see
// "Inscrit·e" or "Liste d'attente : position N" on the workshop itself; withdraw.
import {api, errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {workshopNotices} from "/js/next-workshop.js";
import {currentUser} from "/js/session.js";
import {listOf, registrationBadge, seatsLeft, siteOf, workshopItem} from "/js/workshops.js";

// My sign-ups that still hold a seat or a place, by workshop.
export async function myRegistrations() {
  const mine = listOf(await get("/api/me/workshops"), "registrations");
  const holding = new Map(mine.filter((r) => r.status === "registered" || r.status === "waiting").map((r) => [r.workshop.id, r]));
  return {mine, holding};
}

function actions(page, w, reg) {
  if (reg) {
    return [h("p", {class: "item-sub"}, registrationBadge(reg)), h("div", {class: "item-actions"},
      confirmButton(t("workshops.withdraw"), t("workshops.withdraw_confirm"), () => withdraw(page, w, reg), {class: "danger"}))];
  }
  const label = seatsLeft(w) > 0 ? t("workshops.sign_up") : `${t("workshops.sign_up")} (${t("workshops.waiting")})`;
  return h("div", {class: "item-actions"},
    h("button", {type: "button", class: "primary", onclick: (event) => signUp(page, w, event.currentTarget)}, label));
}

async function signUp(page, w, button) {
  button.disabled = true;
  try {
    const made = await post(`/api/workshops/${w.id}/registrations`, {});
    page.done(made.status === "waiting" ? t("workshops.waiting_position", {n: made.position}) : t("workshops.signed_up"));
  } catch (error) {
    button.disabled = false;
    page.fail(error);
  }
}

async function withdraw(page, w, reg) {
  try {
    await api("DELETE", `/api/workshops/${w.id}/registrations/${reg.id}`);
    page.done(t("workshops.withdrawn"));
  } catch (error) {
    page.fail(error);
  }
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = siteOf(sites, currentUser().site);
  const [found, {mine, holding}] = await Promise.all([
    get(`/api/workshops${query({site: site.slug, from: new Date().toISOString().slice(0, 10)})}`), myRegistrations()]);
  const upcoming = listOf(found, "workshops")
    // Workshops for referred groups are the desk's to fill: a learner sees them once signed up there.
    .filter((w) => w.status !== "cancelled" && Date.parse(w.starts_at) > Date.now() && (w.audience === "public" || holding.has(w.id)))
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const page = {
    done: (text) => {
      ctx.toast(text);
      ctx.render();
    },
    fail: (error) => replace(messages, notice(errorMessage(error))),
  };
  replace(root,
    h("h1", {}, t("workshops.mine_title")),
    h("p", {class: "lead"}, t("workshops.mine_lead")),
    h("p", {class: "lead"}, site.name),
    workshopNotices(mine, sites),
    messages,
    upcoming.length ? h("ul", {class: "list workshops"}, upcoming.map((w) => workshopItem(w, site.timezone,
      w.audience === "referral" ? h("p", {class: "item-sub"}, t("workshops.audiences.referral")) : null,
      actions(page, w, holding.get(w.id))))) : h("p", {class: "empty"}, t("workshops.mine_none")));
}
