// A signature drawn with a finger on the staff phone (loan agreements, guardians' consents).
// signature_pad (MIT, static/vendor/signature_pad/) draws smooth strokes; the caller sends the PNG
// (`png()`) with the text the signer saw. The canvas is sized to its box in device pixels, so a
// stroke lands where the finger is on any phone.
import SignaturePad from "/vendor/signature_pad/signature_pad.js";
import {h} from "/js/dom.js";
import {t} from "/js/i18n.js";

function fitToBox(canvas, pad) {
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  const width = canvas.offsetWidth;
  if (!width || canvas.width === Math.round(width * ratio)) return;
  const strokes = pad.toData();
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(canvas.offsetHeight * ratio);
  canvas.getContext("2d").scale(ratio, ratio);
  pad.clear();
  pad.fromData(strokes);
}

// `label` names the field for screen readers and above the box ("Signature de Inès B.").
export function signatureField(label) {
  const canvas = h("canvas", {class: "signature-pad", role: "img", "aria-label": label});
  const pad = new SignaturePad(canvas, {minWidth: 0.8, maxWidth: 2.6, penColor: "#111"});
  const clear = h("button", {type: "button", class: "signature-clear", onclick: () => pad.clear()}, t("signature.clear"));
  const element = h("div", {class: "signature-field"},
    h("p", {class: "signature-label"}, label), h("p", {class: "hint"}, t("signature.hint")), canvas, clear);
  const observer = new ResizeObserver(() => fitToBox(canvas, pad));
  observer.observe(canvas);
  return {
    element,
    isEmpty: () => pad.isEmpty(),
    png: () => pad.toDataURL("image/png"),
    clear: () => pad.clear(),
  };
}
