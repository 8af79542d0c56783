"""The booking reminders' French e-mails, with the item, the site and its local times (no I/O); a
source wording kinds of its own composes them (ReminderSource.compose)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

from fablab.domain.reminder_types import Reminder

# Spelled out here rather than through the C locale, which servers rarely have in French.
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
SIGNATURE = "\n\n-- \nLe fablab de {site} (message automatique, merci de ne pas y répondre)\n"


def french_moment(moment: datetime, timezone: str) -> str:
    """"mardi 12 novembre à 14:00", in the site's time."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} à {local:%H:%M}"


def french_time(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(timezone)):%H:%M}"


def _booking_lines(b: dict, start: str, end: str, *, with_site: bool = True) -> str:
    """The booking as the messages show it: the item, the fablab (unless the text names it), the times."""
    site = f"  Fablab de {b['site_name']}\n" if with_site else ""
    return f"  {b['resource_name']} ({b['tag']})\n{site}  du {start}\n  au {end}\n\n"


def _withdrawn(b: dict, greeting: str, start: str, end: str) -> tuple[str, str]:
    """A booking the system or the staff cancelled: a closure, a unit out of service, the desk; or a
    loan a closure shortened (still confirmed: its new times are start and end)."""
    if b.get("status") == "confirmed":
        return (f"Prêt raccourci : le fablab de {b['site_name']} sera fermé",
                f"{greeting}Le fablab de {b['site_name']} sera fermé certains jours ({b.get('cancel_note')}) : "
                f"votre prêt est raccourci aux jours d'ouverture.\n\n{_booking_lines(b, start, end, with_site=False)}"
                "Toutes nos excuses pour ce changement.")
    if b.get("cancel_reason") == "closure":
        why = f" ({b['cancel_note']})" if b.get("cancel_note") else ""
        return (f"Réservation annulée : le fablab de {b['site_name']} sera fermé",
                f"{greeting}Le fablab de {b['site_name']} sera fermé{why} : votre réservation est annulée.\n\n"
                f"{_booking_lines(b, start, end, with_site=False)}Vous pouvez réserver un autre jour dans "
                "l'application. Toutes nos excuses pour ce changement.")
    if b.get("cancel_reason") == "staff":  # cancelled at the desk (issue 20)
        return (f"Réservation annulée par l'équipe du fablab : {b['resource_name']}",
                f"{greeting}L'équipe du fablab de {b['site_name']} a annulé votre réservation :\n\n"
                f"{_booking_lines(b, start, end, with_site=False)}Pour en savoir plus, adressez-vous à l'accueil. "
                "Vous pouvez réserver un autre créneau dans l'application.")
    # An item out of service whose booking could not move to another unit (out_of_service).
    why = {"resource_lost": "a été perdu", "resource_maintenance": "part en maintenance"}.get(
        b.get("cancel_reason"), "a été retiré du prêt")
    return (f"Réservation annulée : {b['resource_name']} n'est plus disponible",
            f"{greeting}Votre réservation a été annulée, car l'équipement {why} :\n\n"
            f"{_booking_lines(b, start, end)}Vous pouvez réserver un autre équipement ou un autre créneau "
            "dans l'application. "
            "Toutes nos excuses pour ce changement.")


def _overdue(b: dict, who, greeting: str, end: str) -> tuple[str, str]:
    item = f"{b['resource_name']} ({b['tag']})"
    if who.role == "staff":
        holder = b.get("user_name") or "un apprenant"
        return (f"Retard : {b['tag']} ({holder}) n'a pas été rendu",
                f"{greeting}Un emprunt du fablab de {b['site_name']} est en retard :\n\n  {item}\n"
                f"  emprunté par {holder}" + (f" ({b['user_login']})" if b.get("user_login") else "") +
                f"\n  retour prévu le {end}\n\nIl n'a pas encore été rendu.")
    return (f"Retard : {b['resource_name']} n'a pas été rendu",
            f"{greeting}Le retour de votre emprunt était prévu le {end} :\n\n  {item}\n"
            f"  Fablab de {b['site_name']}\n\nMerci de le rapporter au plus vite, ou de prévenir l'équipe "
            "si vous avez un empêchement.")


def _follow_up(reminder: Reminder, greeting: str, end: str) -> tuple[str, str]:
    """A loan still out a day, or three days, after its due time (issue 31)."""
    b, who = reminder.booking, reminder.recipient
    item = f"{b['resource_name']} ({b['tag']})"
    days = "un jour" if reminder.kind == "loan_overdue_day" else "trois jours"
    if who.role == "staff":
        holder = b.get("user_name") or "un apprenant"
        login = f" ({b['user_login']})" if b.get("user_login") else ""
        return (f"Toujours pas rendu depuis {days} : {b['tag']} ({holder})",
                f"{greeting}Un emprunt du fablab de {b['site_name']} a {days} de retard :\n\n  {item}\n"
                f"  emprunté par {holder}{login}\n  retour prévu le {end}\n\nMerci de contacter l'apprenant.")
    return (f"Retard de {days} : {b['resource_name']} n'a toujours pas été rendu",
            f"{greeting}Votre emprunt devait être rendu le {end} :\n\n  {item}\n  Fablab de {b['site_name']}\n\n"
            "Merci de le rapporter au plus vite. Les retours en retard répétés peuvent suspendre vos "
            "réservations et vos emprunts.")


def subject_and_body(reminder: Reminder) -> tuple[str, str]:
    b, who = reminder.booking, reminder.recipient
    tz = b["timezone"]
    start, end = french_moment(b["starts_at"], tz), french_moment(b["ends_at"], tz)
    greeting = f"Bonjour {who.name},\n\n"
    if reminder.kind == "booking_start":
        subject = f"Rappel : {b['resource_name']}, votre réservation commence à {french_time(b['starts_at'], tz)}"
        body = (f"{greeting}Votre réservation commence bientôt :\n\n{_booking_lines(b, start, end)}"
                "Si vous ne pouvez pas venir, annulez-la dans l'application : "
                "l'équipement sera libéré pour quelqu'un d'autre.")
    elif reminder.kind == "waitlist_booked":
        # "est à vous" agrees with any name ("Salle …" is feminine, "Ordinateur …" not; issue 28).
        subject = f"Bonne nouvelle : {b['resource_name']} est à vous"
        body = (f"{greeting}Une place s'est libérée et la liste d'attente vous l'a donnée :\n\n"
                f"{_booking_lines(b, start, end)}C'est une réservation comme les autres : si vous n'en avez "
                "plus besoin, annulez-la dans l'application pour la personne suivante.")
    elif reminder.kind == "booking_withdrawn":
        subject, body = _withdrawn(b, greeting, start, end)
    elif reminder.kind == "loan_due":
        subject = f"Rappel : {b['resource_name']} est à rendre à {french_time(b['ends_at'], tz)}"
        body = (f"{greeting}Votre emprunt se termine bientôt :\n\n  {b['resource_name']} ({b['tag']})\n"
                f"  à rendre au fablab de {b['site_name']}\n  le {end}\n\nMerci de le rapporter à l'accueil à temps.")
    elif reminder.kind in ("loan_overdue_day", "loan_overdue_three_days"):
        subject, body = _follow_up(reminder, greeting, end)
    else:
        subject, body = _overdue(b, who, greeting, end)
    return subject, body + SIGNATURE.format(site=b["site_name"])


def compose(reminder: Reminder, sender: str, now: datetime) -> EmailMessage:
    subject, body = subject_and_body(reminder)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((reminder.recipient.name, reminder.recipient.email))
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    # One Message-ID per reminder: a message sent again after a crash is recognisably the same.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "fablab.invalid"
    booking_id, kind, recipient_id = reminder.booking["id"], reminder.kind, reminder.recipient.id
    message["Message-ID"] = f"<reminder.{booking_id}.{kind}.{recipient_id}@{domain}>"
    # RFC 3834: tells mail servers not to answer with vacation replies.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Fablab-Reminder"] = f"{booking_id}/{kind}/{recipient_id}"
    message.set_content(body)
    return message
