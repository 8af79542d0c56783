"""The receipts of a hand-over as PDF, rendered and read back: the items, their parts and return
times, the agreement and the drawn signature; and the return's receipt, item by item."""

from datetime import datetime, timedelta, timezone

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from fablab.platform import db

pytestmark = pytest.mark.pg_engine

AGREEMENT = "Je m'engage à rendre le matériel à l'heure et en bon état.\nJe signale toute panne au fablab."
# A zigzag drawn across the box, as a finger would.
STROKE = {"strokes": [[[30 + i * 12, 60 + (i % 2) * 100] for i in range(40)]]}


def due(hours: float = 3) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def read(pdf: bytes, png_path: str) -> tuple[str, list]:
    """The text of the first page and its image objects' bitmaps; the page rendered to `png_path`."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    text = page.get_textpage().get_text_range()
    images = [obj.get_bitmap().to_pil() for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    page.render(scale=2).to_pil().save(png_path)
    document.close()
    return text, images


async def signed_loan(staff, admin) -> dict:
    assert (await admin.put("/api/sites/vlg/agreement", json={"text": AGREEMENT})).status_code == 200
    charger = (await staff.post("/api/resources/VLG-LAP-002/parts", json={"name": "Chargeur USB-C"})).json()["id"]
    await staff.post("/api/resources/VLG-LAP-002/parts", json={"name": "Sacoche"})
    response = await staff.post("/api/handovers", json={
        "learner": "learner1", "due_at": due(), "signature": STROKE, "agreement_version": 1,
        "items": [{"tag": "VLG-LAP-002", "parts": [charger]}, {"tag": "VLG-LAP-003"}, {"tag": "VLG-LAP-004"}]})
    assert response.status_code == 201, response.text
    return {**response.json(), "charger": charger}


async def test_the_receipt_holds_items_parts_return_time_and_signature(staff, admin, learner):
    loan = await signed_loan(staff, admin)
    response = await learner.get(loan["receipt"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text, images = read(response.content, "/tmp/desk-receipt.png")
    names = await db.fetch("SELECT tag, name FROM resource WHERE tag = ANY($1::text[])",
                           ["VLG-LAP-002", "VLG-LAP-003", "VLG-LAP-004"])
    for row in names:
        assert row["tag"] in text and row["name"] in text
    assert "Accessoires remis : Chargeur USB-C" in text and "Sacoche" not in text  # only what went
    assert "à rendre le" in text and "Charte de prêt, version 1" in text
    assert "Je signale toute panne au fablab." in text
    signed_hash = await db.fetchval("SELECT signed_hash FROM handover WHERE id = $1", loan["id"])
    assert signed_hash in text.replace("\r", "").replace("\n", "")
    # The signature is the one image on the page, and it has ink on it.
    assert len(images) == 1
    ink = images[0].convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255]
    assert ink > 200
    # Staff of the site read it too; staff elsewhere do not.
    assert (await staff.get(loan["receipt"])).status_code == 200


async def test_the_return_receipt_says_what_came_back_and_what_is_missing(staff, admin):
    loan = await signed_loan(staff, admin)
    await staff.post("/api/checkins", json={"tag": "VLG-LAP-002", "missing_parts": [loan["charger"]]})
    await staff.post("/api/checkins", json={"tag": "VLG-LAP-003", "condition": "damaged", "note": "écran fêlé"})
    response = await staff.get(f"/api/handovers/{loan['id']}/return.pdf")
    assert response.status_code == 200
    text, _ = read(response.content, "/tmp/desk-return.png")
    assert "Reçu de retour" in text
    assert "Accessoires manquants : Chargeur USB-C" in text
    assert "abîmé" in text and "VLG-LAP-004" in text and "pas encore rendu" in text
