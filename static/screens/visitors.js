// The desk's visitors (issue 30): a visitor of the neighbourhood welcomed in a few taps — first name,
// initial, optional age band, what they came for, a pass for today or up to a week — and the list of
// the day's visitors at the site, each with their pass to show or print.
import {errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import {addDays, date, dateRange, today} from "/js/format.js";
import {t} from "/js/i18n.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";

const BANDS = ["under_16", "16_17", "18_25", "over_25"];
const MAX_DAYS = 7;

export function validity(visitor) {
  return visitor.valid_from === visitor.valid_until ? t("visitors.valid_on", {date: date(visitor.valid_from)})
    : t("visitors.valid_range", {from: date(visitor.valid_from), to: date(visitor.valid_until)});
}

function lengthChoices() {
  const choices = [["1", t("visitors.length_today")]];
  for (let n = 2; n < MAX_DAYS; n += 1) choices.push([String(n), t("visitors.length_days", {n})]);
  choices.push([String(MAX_DAYS), t("visitors.length_week")]);
  return choices;
}

function visitorForm(site, ctx, messages) {
  const first = h("input", {required: true, maxlength: "100", autocomplete: "off", autocapitalize: "words"});
  const initial = h("input", {maxlength: "3", autocomplete: "off", autocapitalize: "characters", class: "short"});
  const band = select([["", t("visitors.age_unknown")], ...BANDS.map((b) => [b, t(`visitors.bands.${b}`)])]);
  const purpose = h("input", {maxlength: "200", placeholder: t("visitors.purpose_hint"), autocomplete: "off"});
  const days = select(lengthChoices());
  const form = h("form", {class: "card visitor-form", "aria-labelledby": "h-new-visitor"},
    h("h2", {id: "h-new-visitor"}, t("visitors.new")),
    field(t("visitors.first_name"), first), field(t("visitors.initial"), initial),
    field(t("visitors.age_band"), band), field(t("visitors.purpose"), purpose), field(t("visitors.length"), days),
    messages, h("button", {type: "submit", class: "primary wide"}, t("visitors.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(messages);
    // Spaces pass the browser's `required`; the server would refuse them as "invalid input", shown
    // away from the field. The first name is asked for again where the person is typing.
    if (!first.value.trim()) {
      first.value = "";
      replace(messages, notice(t("visitors.first_name_missing")));
      first.focus();
      return;
    }
    const from = today(site.timezone);
    try {
      const made = await post("/api/visitors", {
        site: site.slug, first_name: first.value.trim(), initial: initial.value.trim(), age_band: band.value || null,
        purpose: purpose.value.trim(), valid_from: from, valid_until: addDays(from, Number(days.value) - 1)});
      ctx.toast(t("visitors.created", {name: made.name}));
      ctx.go(`visitors/${made.id}`);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

function visitorItem(ctx, v) {
  const facts = [dateRange(v.valid_from, v.valid_until)];
  if (v.purpose) facts.unshift(v.purpose);
  if (v.age_band) facts.push(t(`visitors.bands.${v.age_band}`));
  return h("li", {class: "item visitor"}, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, v.name), h("p", {class: "item-sub"}, facts.join(" · "))),
  h("div", {class: "item-actions"}, h("a", {class: "button", href: ctx.href(`visitors/${v.id}`)}, t("visitors.show_pass"))));
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const visitors = await get(`/api/visitors${query({site: site.slug})}`);
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  replace(root,
    h("h1", {}, t("visitors.title")),
    h("p", {class: "lead"}, site.name),
    sitePicker(sites, site, (slug) => ctx.go(`visitors${query({site: slug})}`)),
    visitorForm(site, ctx, messages),
    h("h2", {}, t("visitors.today")),
    visitors.length ? h("ul", {class: "list visitors"}, visitors.map((v) => visitorItem(ctx, v)))
      : h("p", {class: "empty"}, t("visitors.none")));
}
