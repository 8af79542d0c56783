// Partners and young people (staff, issue 29): the structures that refer young people to a site
// (Mission Locale, E2C…) and the young people known there, with an account or without one.
import {errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";
import {participantFields} from "/js/workshop-people.js";
import {listOf} from "/js/workshops.js";

const KINDS = ["mission_locale", "e2c", "school", "association", "other"];

function partnerForm(site, done, messages) {
  const name = h("input", {required: true, maxlength: "200"});
  const kind = select(KINDS.map((k) => [k, t(`workshops.partner_kinds.${k}`)]));
  const contact = h("input", {maxlength: "500"});
  const form = h("form", {class: "card", "aria-labelledby": "h-new-partner"},
    h("h2", {id: "h-new-partner"}, t("workshops.add_partner")),
    field(t("workshops.partner_name"), name), field(t("workshops.partner_kind"), kind),
    field(t("workshops.partner_contact"), contact),
    h("button", {type: "submit", class: "primary wide"}, t("workshops.add_partner")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await post("/api/partners", {site: site.slug, name: name.value.trim(), kind: kind.value, contact: contact.value.trim()});
      done(t("workshops.partner_added", {name: made.name}));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function participantForm(site, partners, done, messages) {
  const fields = participantFields(partners);
  const form = h("form", {class: "card", "aria-labelledby": "h-new-participant"},
    h("h2", {id: "h-new-participant"}, t("workshops.quick_new")), fields.parts,
    h("button", {type: "submit", class: "primary wide"}, t("workshops.add_participant")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await post("/api/participants", fields.body(site.slug));
      done(t("workshops.participant_added", {name: made.name}));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function partnerItem(p) {
  return h("li", {class: "item partner"}, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, p.name), h("p", {class: "item-sub"}, t(`workshops.partner_kinds.${p.kind}`)),
    p.contact ? h("p", {class: "item-sub"}, p.contact) : null));
}

function participantItem(ctx, p) {
  const born = p.birth_year || (p.birth_date ? Number(String(p.birth_date).slice(0, 4)) : null);
  const facts = [t(`workshops.statuses.${p.status}`)];
  if (born) facts.push(t("workshops.born", {year: born}));
  if (p.partner) facts.push(p.partner.name);
  return h("li", {class: "item participant"}, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, p.name), h("p", {class: "item-sub"}, facts.join(" · "))),
  h("div", {class: "item-actions"}, h("a", {class: "button", href: ctx.href(`participants/${p.id}/card`)}, t("workshops.card_link"))));
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const [partnerList, people] = await Promise.all([
    get(`/api/partners${query({site: site.slug})}`), get(`/api/participants${query({site: site.slug})}`)]);
  const partners = listOf(partnerList, "partners");
  const participants = listOf(people, "participants");
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const done = (text) => {
    ctx.toast(text);
    ctx.render();
  };
  replace(root,
    h("h1", {}, t("workshops.partners_title")),
    h("p", {class: "lead"}, site.name),
    sitePicker(sites, site, (slug) => ctx.go(`partners${query({site: slug})}`)),
    messages,
    h("h2", {}, t("workshops.partners")),
    partners.length ? h("ul", {class: "list partners"}, partners.map(partnerItem)) : h("p", {class: "empty"}, t("workshops.partners_none")),
    partnerForm(site, done, messages),
    h("h2", {}, t("workshops.participants")),
    participants.length ? h("ul", {class: "list participants"}, participants.map((p) => participantItem(ctx, p)))
      : h("p", {class: "empty"}, t("workshops.participants_none")),
    participantForm(site, partners.filter((p) => p.active !== false), done, messages));
}
