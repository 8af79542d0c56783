// The label sheet's print button (GET /api/labels, a page of its own: no app around it).
for (const button of document.querySelectorAll(".print-sheet")) button.addEventListener("click", () => window.print());

// A phone shows the whole A4 sheet shrunk to its width (labels.css: zoom on screen only); paper
// keeps the real size.
function fitSheets() {
  const sheet = document.querySelector(".sheet");
  if (!sheet) return;
  const full = sheet.offsetWidth / (Number(getComputedStyle(document.documentElement).getPropertyValue("--fit")) || 1);
  document.documentElement.style.setProperty("--fit", String(Math.min(1, (document.documentElement.clientWidth - 8) / full)));
}
fitSheets();
window.addEventListener("resize", fitSheets);
