// Reading a QR: the camera with BarcodeDetector where the browser has it, else a photo the server
// decodes (/api/scan); always a text field. Calls onResult(text) with what was read.
import {api, errorMessage} from "/js/api.js";
import {field, h, notice, replace, uid} from "/js/dom.js";
import {t} from "/js/i18n.js";

// "https://…/t/vlg-lap-001" or "vlg-lap-001" → "VLG-LAP-001"; null when it is not a tag.
export function tagFromText(text) {
  let value = (text || "").trim();
  const inUrl = value.match(/\/t\/([^/?#]+)\/?(?:[?#].*)?$/);
  if (value.includes("://")) {
    if (!inUrl) return null;
    value = decodeURIComponent(inUrl[1]);
  }
  value = value.toUpperCase();
  return /^[A-Z0-9][A-Z0-9-]{0,39}$/.test(value) ? value : null;
}

export function isPassText(text) {
  return (text || "").includes("/#/pass/");
}

export function scanner({label, onResult, placeholder = ""}) {
  const box = h("div", {class: "scanner"});
  const messages = h("div", {class: "messages"});
  const video = h("video", {class: "camera", muted: true, playsinline: true, hidden: true, "aria-hidden": "true"});
  let stream = null;
  let running = false;

  async function deliver(text) {
    replace(messages);
    try {
      await onResult(text);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    cameraButton && (cameraButton.textContent = t("scan.camera"));
  }

  async function startCamera() {
    if (running) {
      stop();
      return;
    }
    try {
      const detector = new window.BarcodeDetector({formats: ["qr_code"]});
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      running = true;
      cameraButton.textContent = t("scan.stop_camera");
      const tick = async () => {
        if (!running) return;
        try {
          const codes = await detector.detect(video);
          if (codes.length) {
            const text = codes[0].rawValue;
            stop();
            await deliver(text);
            return;
          }
        } catch { /* a frame that could not be read: try the next one */ }
        setTimeout(tick, 250);
      };
      tick();
    } catch {
      stop();
      replace(messages, notice(t("scan.camera_failed")));
    }
  }

  const hasDetector = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  const cameraButton = hasDetector ? h("button", {type: "button", class: "primary wide", onclick: startCamera}, t("scan.camera")) : null;

  const photoId = uid("photo");
  const photo = h("input", {id: photoId, type: "file", accept: "image/*", capture: "environment", class: "visually-hidden"});
  photo.addEventListener("change", async () => {
    const file = photo.files && photo.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    replace(messages, h("p", {class: "hint", role: "status"}, t("scan.reading")));
    try {
      const result = await api("POST", "/api/scan", form);
      await deliver(result.text || result.tag || "");
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    } finally {
      photo.value = "";
    }
  });
  const photoLabel = h("label", {for: photoId, class: ["button", hasDetector ? "" : "primary", "wide"]}, t("scan.photo"));

  const typed = h("input", {autocomplete: "off", autocapitalize: "characters", spellcheck: "false", placeholder, class: "mono"});
  const typedForm = h("form", {class: "inline-form"}, field(label, typed), h("button", {type: "submit"}, t("scan.go")));
  typedForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = typed.value.trim();
    if (text) {
      // Cleared before the answer comes: the next tag may already be typed by then.
      typed.value = "";
      await deliver(text);
    }
  });

  replace(box, cameraButton, video, photoLabel, photo, typedForm, messages);
  box.stop = stop;
  // Leaving the screen must turn the camera off.
  window.addEventListener("hashchange", stop, {once: true});
  return box;
}
