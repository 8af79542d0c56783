"""What a push notification says about a planned reminder, in French or English (no I/O).

Short enough for a lock screen: what, where, when in the site's time; a tag so that the same event
never shows twice on a phone; the screen of the app a tap opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fablab.domain.reminder_types import Reminder

LANGS = ("fr", "en")
# Push services accept 4 KB of encrypted body; the text stays far below that.
MAX_FIELD = 160
MAX_TTL = timedelta(days=1)
MIN_TTL = timedelta(minutes=1)

FR_DAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
FR_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Time-critical news wakes the phone at once; the rest may wait for its next network window.
URGENCY = {"booking_start": "high", "loan_due": "high", "waitlist_booked": "high", "loan_overdue": "normal",
           "booking_withdrawn": "normal", "loan_overdue_day": "normal", "loan_overdue_three_days": "normal"}
OVERDUE_KINDS = ("loan_overdue", "loan_overdue_day", "loan_overdue_three_days")


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    url: str
    tag: str
    ttl_seconds: int
    urgency: str
    topic: str

    def payload(self) -> bytes:
        """The JSON the service worker reads (static/sw.js, `push` handler)."""
        return json.dumps({"title": self.title, "body": self.body, "url": self.url, "tag": self.tag},
                          ensure_ascii=False, separators=(",", ":")).encode()


def when(moment: datetime, timezone: str, lang: str) -> str:
    """"mar. 1 déc. à 14:00" / "Tue 1 Dec, 14:00", in the site's time."""
    local = moment.astimezone(ZoneInfo(timezone))
    if lang == "en":
        return f"{EN_DAYS[local.weekday()]} {local.day} {EN_MONTHS[local.month - 1]}, {local:%H:%M}"
    return f"{FR_DAYS[local.weekday()]} {local.day} {FR_MONTHS[local.month - 1]} à {local:%H:%M}"


def hour(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(timezone)):%H:%M}"


def clip(text: str) -> str:
    return text if len(text) <= MAX_FIELD else text[:MAX_FIELD - 1] + "…"


def texts(reminder: Reminder, lang: str) -> tuple[str, str]:
    """Title and body of one reminder for its recipient."""
    b, en = reminder.booking, lang == "en"
    tz, item, site = b["timezone"], b["resource_name"], b["site_name"]
    start, end = when(b["starts_at"], tz, lang), when(b["ends_at"], tz, lang)
    kind = reminder.kind
    if kind == "booking_start":
        return ((f"{item} at {hour(b['starts_at'], tz)}", f"Your booking starts {start}, fablab {site}.") if en else
                (f"{item} à {hour(b['starts_at'], tz)}", f"Votre réservation commence {start}, fablab de {site}."))
    if kind == "waitlist_booked":
        return (("A place is free: it is yours", f"{item}, fablab {site}, {start}.") if en else
                ("Une place s'est libérée : elle est à vous", f"{item}, fablab de {site}, {start}."))
    if kind == "loan_due":
        return ((f"Return {item} by {hour(b['ends_at'], tz)}", f"Your loan ends {end}, fablab {site}.") if en else
                (f"{item} à rendre à {hour(b['ends_at'], tz)}", f"Votre emprunt se termine {end}, fablab de {site}."))
    if kind in OVERDUE_KINDS and reminder.recipient.role == "staff":
        holder = b.get("user_name") or ("a learner" if en else "un apprenant")
        return ((f"Overdue: {b['tag']}", f"{item} lent to {holder} was due back {end}.") if en else
                (f"En retard : {b['tag']}", f"{item} emprunté par {holder}, à rendre {end}."))
    if kind in OVERDUE_KINDS:
        return ((f"{item} is overdue", f"It was due back {end}, fablab {site}. Please bring it back.") if en else
                (f"{item} : retour en retard", f"Le retour était prévu {end}, fablab de {site}. Merci de le rapporter."))
    if kind == "booking_withdrawn" and b.get("status") == "confirmed":  # a loan a closure shortened
        note = f"{b['cancel_note']} : " if b.get("cancel_note") else ""
        return ((f"Loan shortened: fablab {site} closed", f"{note}{item}, {start} – {end}.") if en else
                (f"Prêt raccourci : fablab de {site} fermé", f"{note}{item}, {start} – {end}."))
    if kind == "booking_withdrawn":
        reason = b.get("cancel_reason")
        if reason == "staff":
            return (("Booking cancelled by the fablab team", f"{item}, fablab {site}, {start}.") if en else
                    ("Réservation annulée par l'équipe du fablab", f"{item}, fablab de {site}, {start}."))
        if reason == "closure":
            # The closure's own words ("Dégât des eaux") in front, as the learner's list shows them.
            note = f"{b['cancel_note']} : " if b.get("cancel_note") else ""
            return ((f"Booking cancelled: fablab {site} closed", f"{note}{item}, {start}.") if en else
                    (f"Réservation annulée : fablab de {site} fermé", f"{note}{item}, {start}."))
        return ((f"Booking cancelled: {item} unavailable", f"{item}, fablab {site}, {start}.") if en else
                (f"Réservation annulée : {item} indisponible", f"{item}, fablab de {site}, {start}."))
    return ((f"{item}", f"Fablab {site}, {start}.") if en else (f"{item}", f"Fablab de {site}, {start}."))


def screen_for(reminder: Reminder) -> str:
    """The app screen a tap opens: the learner's bookings, or for staff the item's desk page."""
    if reminder.recipient.role == "staff" and reminder.kind in OVERDUE_KINDS:
        return f"/t/{reminder.booking['tag']}"
    return "/#/bookings"


def notification_for(reminder: Reminder, lang: str, now: datetime) -> Notification:
    lang = lang if lang in LANGS else "fr"
    title, body = texts(reminder, lang)
    # A booking's reminders keep the tag and topic they always had; another subject is named by itself.
    kind = reminder.kind
    booking_id = reminder.booking_id if reminder.booking_id is not None else reminder.subject.replace(":", "-")
    # Kept by the push service until the reminder stops making sense, a minute at least, a day at most.
    ttl = min(max(reminder.expires_at - now, MIN_TTL), MAX_TTL)
    return Notification(
        title=clip(title), body=clip(body), url=screen_for(reminder),
        tag=f"fablab-{booking_id}-{kind}", ttl_seconds=int(ttl.total_seconds()),
        urgency=URGENCY.get(kind, "normal"),
        # RFC 8030 §5.4: a message waiting at the push service with the same topic is replaced.
        topic=f"b{booking_id}{kind.replace('_', '')}"[:32],
    )


def test_notification(lang: str) -> Notification:
    """What the "send a test" button sends."""
    en = lang == "en"
    return Notification(
        title="Fablab: notifications are on" if en else "Fablab : les notifications marchent",
        body=("Your booking reminders will appear here." if en else
              "Vos rappels de réservation s'afficheront ici."),
        url="/#/pass", tag="fablab-test", ttl_seconds=300, urgency="normal", topic="fablabtest",
    )
