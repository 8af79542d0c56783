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

// The camera's state: the <video> it shows in, its stream, and its button (none without BarcodeDetector).
function newCamera() {
  return {video: h("video", {class: "camera", muted: true, playsinline: true, hidden: true, "aria-hidden": "true"}),
    stream: null, running: false, button: null};
}

function stopCamera(camera) {
  camera.running = false;
  if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  camera.video.hidden = true;
  if (camera.button) camera.button.textContent = t("scan.camera");
}

// Four frames a second until one holds a QR code: the camera stops and the text is delivered.
// A continuous camera (the counter) keeps filming and delivers each new code, the same one again
// only after a pause, since the label stays in front of the lens for a while.
const SAME_CODE_PAUSE_MS = 2000;
function watchForCode(camera, detector, deliver) {
  let last = {text: null, at: 0};
  const tick = async () => {
    if (!camera.running) return;
    try {
      const codes = await detector.detect(camera.video);
      const text = codes.length ? codes[0].rawValue : null;
      if (text && !camera.continuous) {
        stopCamera(camera);
        await deliver(text);
        return;
      }
      if (text && (text !== last.text || Date.now() - last.at > SAME_CODE_PAUSE_MS)) {
        last = {text, at: Date.now()};
        deliver(text);
      }
    } catch { /* a frame that could not be read: try the next one */ }
    setTimeout(tick, 250);
  };
  tick();
}

// The camera button: a first tap films, a second one stops.
async function toggleCamera(camera, deliver, messages) {
  if (camera.running) {
    stopCamera(camera);
    return;
  }
  try {
    const detector = new window.BarcodeDetector({formats: ["qr_code"]});
    camera.stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    camera.video.srcObject = camera.stream;
    camera.video.hidden = false;
    await camera.video.play();
    camera.running = true;
    camera.button.textContent = t("scan.stop_camera");
    watchForCode(camera, detector, deliver);
  } catch {
    stopCamera(camera);
    replace(messages, notice(t("scan.camera_failed")));
  }
}

// A photo from the phone's camera app, read by the server: its label and its hidden file input.
function photoPicker(deliver, messages, primary) {
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
  return [h("label", {for: photoId, class: ["button", primary ? "primary" : "", "wide"]}, t("scan.photo")), photo];
}

// The tag typed by hand.
function typedTag(label, placeholder, deliver) {
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
  return typedForm;
}

// typed: false leaves the text field out (the counter has its own); continuous: the camera keeps
// reading code after code until stopped.
export function scanner({label, onResult, placeholder = "", typed = true, continuous = false}) {
  const box = h("div", {class: "scanner"});
  const messages = h("div", {class: "messages"});
  const camera = newCamera();
  camera.continuous = continuous;
  async function deliver(text) {
    replace(messages);
    try {
      await onResult(text);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }
  const hasDetector = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (hasDetector) {
    camera.button = h("button", {type: "button", class: "primary wide", onclick: () => toggleCamera(camera, deliver, messages)}, t("scan.camera"));
  }
  const stop = () => stopCamera(camera);
  replace(box, camera.button, camera.video, photoPicker(deliver, messages, !hasDetector),
    typed ? typedTag(label, placeholder, deliver) : null, messages);
  box.stop = stop;
  // Leaving the screen must turn the camera off.
  window.addEventListener("hashchange", stop, {once: true});
  return box;
}
