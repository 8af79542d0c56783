// A minor's record for staff (issue 30): their guardians, their consents (signed on a screen or on
// paper, revocable), and a new consent: the guardian signs on this phone (the site's text shown,
// a signature pad, a confirmation) or staff record that the paper form came back.
import {api, errorMessage, get, post} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {signatureField} from "/js/signature-field.js";
import {siteOf} from "/js/workshops.js";
import * as fmt from "/js/format.js";

const COVERS = ["participation", "image_rights", "emergency_care"];

const coversText = (covers) => covers.map((c) => t(`minors.cover_${c}`)).join(", ");
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function headPart(record) {
  const {person} = record;
  const age = record.age === null ? t("minors.age_unknown") : t("minors.age", {n: record.age});
  return [
    h("h1", {}, person.name),
    h("p", {class: "lead"}, `${age} · ${record.minor ? t("minors.minor") : t("minors.adult")}`),
    record.minor ? h("p", {class: ["covered-today", record.covered_today.length ? "" : "notice error"]},
      record.covered_today.length ? t("minors.covered_today", {what: coversText(record.covered_today)})
        : t("minors.covered_none")) : null,
  ];
}

function guardianItem(page, guardian) {
  const reach = [guardian.phone, guardian.email].filter(Boolean).join(" · ");
  return h("li", {class: "item guardian"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, guardian.relation ? t("minors.guardian_line", guardian) : guardian.name),
      h("p", {class: "item-sub"}, reach)),
    h("div", {class: "item-actions"}, confirmButton(t("minors.guardian_remove"), t("minors.guardian_remove"),
      () => page.act(() => api("DELETE", `/api/users/${page.id}/guardians/${guardian.id}`)), {class: "danger"})));
}

function guardianForm(page) {
  const f = {name: h("input", {required: true, maxlength: "200", autocomplete: "off"}),
    relation: h("input", {maxlength: "100", autocomplete: "off"}),
    phone: h("input", {type: "tel", maxlength: "40", autocomplete: "off"}),
    email: h("input", {type: "email", maxlength: "320", autocomplete: "off"})};
  const form = h("form", {class: "guardian-form"},
    field(t("minors.guardian_name"), f.name), field(t("minors.guardian_relation"), f.relation),
    field(t("minors.guardian_phone"), f.phone), field(t("minors.guardian_email"), f.email),
    h("button", {type: "submit", class: "primary wide"}, t("minors.guardian_save")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page.act(() => post(`/api/users/${page.id}/guardians`, {name: f.name.value, relation: f.relation.value,
      phone: f.phone.value, email: f.email.value}), t("minors.guardian_saved"));
  });
  return h("details", {class: "guardian-add", open: page.record.guardians.length === 0},
    h("summary", {}, t("minors.guardian_add")), form);
}

function guardiansPart(page) {
  const {guardians} = page.record;
  return h("section", {class: "card guardians", "aria-labelledby": "h-guardians"},
    h("h2", {id: "h-guardians"}, t("minors.guardians_title")),
    guardians.length ? h("ul", {class: "list"}, guardians.map((g) => guardianItem(page, g)))
      : h("p", {class: "empty"}, t("minors.guardians_none")),
    guardianForm(page));
}

function consentItem(page, consent) {
  const how = consent.method === "signed" ? t("minors.consent_signed", {name: consent.guardian_name})
    : t("minors.consent_paper", {who: consent.recorded_by || "—", when: fmt.date(consent.recorded_at)});
  return h("li", {class: ["item", "consent", consent.revoked_at ? "revoked" : ""]},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, t("minors.consent_line", {what: capital(coversText(consent.covers)),
        from: fmt.date(consent.starts_on), until: fmt.date(consent.expires_on)})),
      h("p", {class: "item-sub"}, how),
      consent.revoked_at ? h("p", {class: "item-sub"}, t("minors.consent_revoked", {when: fmt.date(consent.revoked_at)})) : null,
      consent.signature ? h("img", {class: "consent-signature", src: consent.signature, alt: how}) : null),
    consent.revoked_at ? null : h("div", {class: "item-actions"}, confirmButton(t("minors.consent_revoke"),
      t("minors.consent_revoke"), () => page.act(() => post(`/api/consents/${consent.id}/revoke`)), {class: "danger"})));
}

function consentsPart(page) {
  const {consents} = page.record;
  return h("section", {class: "card consents", "aria-labelledby": "h-consents"},
    h("h2", {id: "h-consents"}, t("minors.consents_title")),
    consents.length ? h("ul", {class: "list"}, consents.map((c) => consentItem(page, c)))
      : h("p", {class: "empty"}, t("minors.consents_none")),
    newConsentPart(page));
}

// The new consent's choices, read by `body()`: what it covers, its dates, the guardian.
function consentChoices(page) {
  const boxes = COVERS.map((cover) => h("input", {type: "checkbox", value: cover, checked: cover === "participation"}));
  const starts = h("input", {type: "date", value: fmt.today(page.tz)});
  const until = h("input", {type: "date"});
  const guardian = select(page.record.guardians.map((g) => [String(g.id), g.name]));
  const parts = [
    h("fieldset", {class: "consent-covers"}, h("legend", {}, t("minors.consent_covers")),
      COVERS.map((cover, i) => h("label", {class: "check"}, boxes[i], " ", t(`minors.cover_${cover}`)))),
    h("div", {class: "two-up dates-up"}, field(t("minors.consent_from"), starts), field(t("minors.consent_until"), until)),
    page.record.guardians.length ? field(t("minors.consent_guardian"), guardian) : null];
  const body = () => ({covers: boxes.filter((b) => b.checked).map((b) => b.value), starts_on: starts.value || null,
    expires_on: until.value || null, guardian: guardian.value ? Number(guardian.value) : null});
  const guardianName = () => (page.record.guardians.find((g) => String(g.id) === guardian.value) || {}).name || "";
  return {parts, body, guardianName};
}

function newConsentPart(page) {
  const choices = consentChoices(page);
  const text = page.record.consent_text;
  const canSign = text && page.record.guardians.length;
  return h("details", {class: "consent-new", open: !page.record.consents.length},
    h("summary", {}, t("minors.consent_new")), choices.parts,
    canSign ? h("button", {type: "button", class: "primary wide sign-on-phone",
      onclick: () => page.sign(choices.body(), choices.guardianName())}, t("minors.sign_on_phone"))
      : h("p", {class: "hint"}, t("minors.no_text")),
    h("button", {type: "button", class: "wide paper-received",
      onclick: () => page.act(() => post(`/api/users/${page.id}/consents`, choices.body()), t("minors.paper_saved"))},
    t("minors.paper_received")));
}

// The guardian's turn on the staff phone: the text they consent to, the signature pad, confirm.
function signingPanel(page, body, guardianName) {
  const text = page.record.consent_text;
  const pad = signatureField(t("minors.sign_label", {name: guardianName}));
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const confirm = h("button", {type: "button", class: "primary wide sign-confirm", onclick: async () => {
    if (pad.isEmpty()) {
      replace(messages, notice(t("signature.empty")));
      return;
    }
    confirm.disabled = true;
    const sent = {...body, signature: {png: pad.png()}, text_version: text.version};
    await page.act(() => post(`/api/users/${page.id}/consents`, sent), t("minors.signed"));
    confirm.disabled = false;
  }}, t("minors.sign_confirm"));
  return h("section", {class: "card consent-signing", "aria-labelledby": "h-consent-signing"},
    h("h2", {id: "h-consent-signing"}, t("minors.sign_title", {version: text.version})),
    h("p", {class: "lead"}, t("minors.sign_for", {person: page.record.person.name, guardian: guardianName})),
    h("p", {class: "consent-covers-shown"}, t("minors.sign_covers", {what: coversText(body.covers)})),
    h("p", {class: "consent-text"}, text.text),
    h("p", {class: "hint"}, t("minors.sign_hint")),
    pad.element, messages, confirm,
    h("button", {type: "button", class: "wide", onclick: () => page.show()}, t("minors.sign_cancel")));
}

export async function render(root, ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const [record, sites] = await Promise.all([get(`/api/users/${id}/minor`), get("/api/sites")]);
  const site = record.person.site ? siteOf(sites, record.person.site) : null;
  const messages = h("div", {class: "messages", "aria-live": "polite"});
  const page = {id, record, tz: site ? site.timezone : fmt.DEFAULT_TZ,
    act: async (call, done) => {
      try {
        await call();
        if (done) ctx.toast(done);
        ctx.render();
      } catch (error) {
        replace(messages, notice(errorMessage(error)));
        messages.scrollIntoView({block: "nearest"});
      }
    },
    sign: (body, guardianName) => replace(root, messages, signingPanel(page, body, guardianName)),
    show: () => replace(root,
      h("p", {class: "back"}, h("a", {href: ctx.href("consents/expiring")}, t("minors.expiring_title"))),
      headPart(record), messages,
      // Guardians and consents are a minor's: someone 18 or of unknown age is told why there is nothing to fill.
      record.minor ? [guardiansPart(page), consentsPart(page)] : h("p", {class: "hint"}, t("minors.not_minor")))};
  page.show();
}
