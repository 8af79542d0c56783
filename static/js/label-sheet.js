// The label sheet's print button (GET /api/labels, a page of its own: no app around it).
for (const button of document.querySelectorAll(".print-sheet")) button.addEventListener("click", () => window.print());
