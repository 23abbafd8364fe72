"""Dutch sentences of the dashboard that code chooses (after an action, on an error). Staff
read these; nothing here reaches participants (their texts are in dialogues/messages)."""

from __future__ import annotations

FLASH = {
    "claimed": "Je hebt de melding opgepakt.",
    "claimed_before": "Iemand anders had deze melding al opgepakt.",
    "closed": "De melding is afgehandeld.",
    "booked": "De afspraak is gemaakt. De deelnemer heeft een bericht gekregen.",
    "booked_silent": "De afspraak is gemaakt. De deelnemer kon geen bericht krijgen.",
    "moved": "De afspraak is verzet. De deelnemer heeft een bericht gekregen.",
    "moved_silent": "De afspraak is verzet. De deelnemer kon geen bericht krijgen.",
    "cancelled": "De afspraak is geannuleerd. De deelnemer heeft een bericht gekregen.",
    "not_booked": "Deze afspraak was al geannuleerd.",
    "attended": "Genoteerd: de deelnemer is geweest.",
    "no_show": "Genoteerd: de deelnemer is niet gekomen.",
    "note": "De notitie is bewaard.",
    "sent": "Het bericht is verstuurd.",
    "sent_translated": "Het bericht is vertaald en verstuurd, met je Nederlandse tekst erbij.",
    "not_sent": "Het bericht kon niet worden afgeleverd.",
    "class_created": "De klas is gemaakt. Deel de link of de QR-code met je groep.",
    "meetings": "De lesdata zijn bewaard.",
    "homework": "Het huiswerk is opgegeven.",
    "homework_removed": "Het huiswerk is weggehaald.",
    "archived": "De klas is gearchiveerd. De link werkt niet meer.",
    "settings": "De instellingen van de vestiging zijn bewaard.",
    "closure": "De sluiting is bewaard.",
    "closure_removed": "De sluiting is weggehaald.",
    "user_added": "Het account is gemaakt.",
    "user_changed": "Het account is aangepast.",
    "password": "Het nieuwe wachtwoord is bewaard. Oude sessies zijn beëindigd.",
    "token_revoked": "Het token werkt niet meer.",
    "library_saved": "De bibliotheek is bewaard.",
    "library_removed": "De bibliotheek is weggehaald.",
    "logged_out": "Je bent uitgelogd.",
}

LOGIN_FAILED = "Dat e-mailadres en wachtwoord passen niet bij elkaar."
LOGIN_LIMITED = "Te veel pogingen. Probeer het over een kwartier opnieuw."
CSRF_FAILED = "Dit formulier is verlopen of komt niet van dit dashboard. Laad de pagina opnieuw."
SLOT_GONE = "Die tijd is niet meer vrij. Kies een andere tijd."
