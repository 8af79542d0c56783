// Invites the learner scans from the staff's screen or from a printed sheet: the QR, who it is
// for, its link and expiry.
import {dateLong} from "/js/desk.js";
import {h} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {svgDataUrl} from "/screens/pass.js";

// staff: a team member's invite (their phone, not a learner's). Nothing is e-mailed: the card is
// what they get, shown on this screen or printed.
// On paper (the card printed alone, app.css) it speaks to whoever holds it, as a slip does: what to
// do and the login to sign in with, instead of the staff's note about them and a cut-off link.
export function inviteCard(name, invite, {staff = false, login = ""} = {}) {
  return h("div", {class: "card invite"},
    h("h2", {}, t("learners.invite_for", {name})),
    h("img", {class: "invite-qr", src: svgDataUrl(invite.qr_svg), alt: t("learners.invite_qr_alt", {name})}),
    login ? h("p", {class: "mono invite-login"}, t("desk.invites_login", {login})) : null,
    h("p", {class: "hint screen-only"}, t(staff ? "admin2.staff.invite_help" : "learners.invite_help", {date: dateLong(invite.expires_at)})),
    h("p", {class: "print-only slip-howto"}, t("desk.invites_howto")),
    h("p", {class: "print-only hint"}, t("desk.invites_until", {date: dateLong(invite.expires_at)})),
    h("input", {class: "mono copy screen-only", readonly: true, value: invite.url, "aria-label": t("learners.invite_link")}));
}

// One slip per learner, cut along the dashes: name, login, QR, expiry. entries: [{user, invite}].
export function inviteSheet(entries) {
  return h("ul", {class: "invite-sheet"}, entries.map(({user, invite}) => h("li", {class: "invite-slip"},
    h("img", {src: svgDataUrl(invite.qr_svg), alt: t("learners.invite_qr_alt", {name: user.name})}),
    h("p", {class: "slip-name"}, user.name),
    h("p", {class: "mono"}, t("desk.invites_login", {login: user.login})),
    // What to do with the slip, on the slip: it travels home without the staff's explanations.
    h("p", {class: "slip-howto"}, t("desk.invites_howto")),
    h("p", {class: "hint"}, t("desk.invites_until", {date: dateLong(invite.expires_at)})))));
}

// The sheet of a cohort just imported, handed to the invites screen within this page (the
// tokens are shown once: they are never stored in the browser).
let justImported = null;

export function keepImportedSheet(cohort, entries) {
  justImported = {cohort, entries};
}

export function takeImportedSheet() {
  const sheet = justImported;
  justImported = null;
  return sheet;
}
