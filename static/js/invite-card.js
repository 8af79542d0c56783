// The invite QR the learner scans from the staff's screen, with its link and expiry.
import {h} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {svgDataUrl} from "/screens/pass.js";

export function inviteCard(name, invite) {
  return h("div", {class: "card invite"},
    h("h2", {}, t("learners.invite_for", {name})),
    h("img", {class: "invite-qr", src: svgDataUrl(invite.qr_svg), alt: t("learners.invite_qr_alt", {name})}),
    h("p", {class: "hint"}, t("learners.invite_help", {date: new Date(invite.expires_at).toLocaleString()})),
    h("input", {class: "mono copy", readonly: true, value: invite.url, "aria-label": t("learners.invite_link")}));
}
