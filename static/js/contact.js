// A site's contact as people can use it (issue 28): the e-mail addresses and phone numbers in the
// free text an admin wrote become links (mailto:, tel:); the rest stays text.
import {h} from "/js/dom.js";

const PARTS = /([^\s@<>(),;]+@[^\s@<>(),;]+\.[a-z]{2,})|(\+?\d[\d .-]{7,}\d)/gi;

export function contactLinks(text) {
  const nodes = [];
  let last = 0;
  for (const match of String(text || "").matchAll(PARTS)) {
    nodes.push(text.slice(last, match.index));
    const [whole, mail] = match;
    nodes.push(mail ? h("a", {class: "contact-link", href: `mailto:${mail}`}, mail)
      : h("a", {class: "contact-link", href: `tel:${whole.replace(/[ .-]/g, "")}`}, whole));
    last = match.index + whole.length;
  }
  nodes.push(String(text || "").slice(last));
  return nodes.filter((node) => node !== "");
}
