"""Label sheets: every QR on a generated PDF decodes where it should be; HTML obeys the CSP."""

import pypdfium2
import zxingcpp

from fablab.inventory.labels import SHEET, Label, render_html, render_pdf

DPI = 300
MM = DPI / 25.4


def decode_slots(pdf: bytes) -> list[dict[int, str]]:
    """Per page, the text of the QR code found in each label slot (cropping each label)."""
    pages = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        found = {}
        for slot in range(SHEET.per_page):
            left, top = SHEET.origin(slot)
            box = (int(left * MM), int(top * MM), int((left + SHEET.label_width) * MM),
                   int((top + SHEET.label_height) * MM))
            codes = zxingcpp.read_barcodes(image.crop(box), formats=zxingcpp.BarcodeFormat.QRCode)
            if codes:
                found[slot] = codes[0].text
        pages.append(found)
    document.close()
    return pages


def test_every_qr_on_a_two_page_sheet_decodes_in_its_slot_after_the_offset():
    labels = [Label(f"VLG-LAP-{n:03d}", f"Portable {n:02d} – Lenovo ThinkPad E14 avec un nom à rallonge",
                    "Villeneuve-la-Garenne", f"https://fablab.example.org/t/VLG-LAP-{n:03d}") for n in range(1, 24)]
    pages = decode_slots(render_pdf(labels, offset=5))
    assert len(pages) == 2
    expected_first = {slot: labels[slot - 5].url for slot in range(5, 21)}
    assert pages[0] == expected_first
    assert pages[1] == {slot: labels[16 + slot].url for slot in range(7)}


async def test_pdf_endpoint_for_a_site_and_kind(staff):
    response = await staff.get("/api/labels", params={"site": "pan", "kind": "room", "format": "pdf"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pages = decode_slots(response.content)
    assert pages == [{0: "http://testserver/t/PAN-ROOM-001", 1: "http://testserver/t/PAN-ROOM-002",
                      2: "http://testserver/t/PAN-ROOM-003"}]


async def test_a_full_site_makes_one_page_and_chosen_tags_keep_their_order(staff):
    response = await staff.get("/api/labels", params={"site": "vlg", "format": "pdf"})
    assert len(decode_slots(response.content)[0]) == 17
    response = await staff.get("/api/labels", params={"tags": "vlg-room-002,VLG-LAP-010", "format": "pdf",
                                                      "offset": 20})
    pages = decode_slots(response.content)
    assert pages == [{20: "http://testserver/t/VLG-ROOM-002"}, {0: "http://testserver/t/VLG-LAP-010"}]


async def test_html_sheet_uses_a_stylesheet_and_inline_svg(staff, anon):
    response = await staff.get("/api/labels", params={"site": "pfs", "kind": "printer_3d", "offset": 1})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    # The CSP forbids inline styles and scripts: the layout comes from /labels.css, the print
    # button's handler from a file of its own.
    assert "<style" not in page and "style=" not in page
    assert page.count("<script") == 1 and '<script type="module" src="/js/label-sheet.js"></script>' in page
    assert '<button type="button" class="print-sheet">Imprimer</button>' in page and "2 étiquettes" in page
    assert '<link rel="stylesheet" href="/labels.css">' in page
    assert page.count('<div class="label blank">') == 1 and page.count("<svg") == 2
    assert "PFS-P3D-002" in page and "Pierrefitte-sur-Seine" in page and "Imprimante 3D 2" in page
    css = await anon.get("/labels.css")
    assert css.status_code == 200 and "63.5mm" in css.text and "38.1mm" in css.text and "@page" in css.text


async def test_label_requests_are_checked(staff, learner):
    assert (await learner.get("/api/labels", params={"site": "vlg"})).status_code == 403
    nothing = await staff.get("/api/labels")
    assert nothing.status_code == 400 and nothing.json()["code"] == "selection_required"
    offset = await staff.get("/api/labels", params={"site": "vlg", "offset": 21})
    assert offset.status_code == 400 and offset.json()["code"] == "invalid_offset"
    unknown = await staff.get("/api/labels", params={"tags": "VLG-LAP-001,NOPE-9"})
    assert unknown.status_code == 400 and unknown.json()["tags"] == ["NOPE-9"]


def test_html_tags_get_the_largest_size_that_fits_their_line():
    from fablab.inventory.labels import tag_size_class

    assert tag_size_class("PAN-1") == "tag-95"
    # Room tags are wider than the text column at 9.5 pt: the sheet cut them to "VLG-ROOM-0".
    size = {tag: int(tag_size_class(tag).split("-")[1]) for tag in ("VLG-LAP-001", "VLG-ROOM-001")}
    assert 60 <= size["VLG-ROOM-001"] < size["VLG-LAP-001"] < 95
    assert tag_size_class("X" * 40) == "tag-wrap"
    html = render_html([Label("VLG-ROOM-001", "Salle Ada", "Villeneuve-la-Garenne", "http://x/t/VLG-ROOM-001")])
    assert f'<p class="tag {tag_size_class("VLG-ROOM-001")}">VLG-ROOM-001</p>' in html


async def test_parts_with_a_tag_of_their_own_get_labels_that_lead_to_their_item(staff):
    """Issue 28: a charger's own label, beside its laptop's; its QR opens the laptop's page, which
    says which part was scanned."""
    added = await staff.post("/api/resources/VLG-LAP-003/parts", json={"name": "Chargeur", "tag": "VLG-CHG-003"})
    assert added.status_code == 201, added.text
    sheet = await staff.get("/api/labels", params={"tags": "VLG-LAP-003,vlg-chg-003"})
    assert sheet.status_code == 200
    assert "Chargeur · Portable 03" in sheet.text and sheet.text.index("VLG-LAP-003") < sheet.text.index("VLG-CHG-003")
    pdf = await staff.get("/api/labels", params={"tags": "VLG-CHG-003", "format": "pdf"})
    assert decode_slots(pdf.content) == [{0: "http://testserver/t/VLG-CHG-003"}]
    page = (await staff.get("/api/tags/vlg-chg-003")).json()
    assert page["tag"] == "VLG-LAP-003" and page["scanned_part"] == "Chargeur"
    assert (await staff.get("/api/tags/VLG-LAP-003")).json()["scanned_part"] is None
    assert (await staff.get("/api/tags/VLG-NOPE-1")).json()["code"] == "unknown_tag"
