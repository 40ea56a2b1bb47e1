"""Texts of issue 20's hardening (simultaneous namings, deputies, the four-eyes rule,
buttons after the end). Merged into TEXTS by `bot.texts.texts_core`; German first."""

# fmt: off
RACE_TEXTS: dict[str, dict[str, str]] = {
    # --- naming: one person is the expert of one partner city --------------------------
    "err.expert_already_named": {
        "de": "{user} ist für diese Anfrage schon als Expert/in benannt (von {actor}). Bitte "
              "wählen Sie eine andere Person.",
        "en": "{user} is already named as an expert for this request (by {actor}). Please "
              "choose someone else."},

    # --- requests whose data was purged -------------------------------------------------
    "refused.purged": {
        "de": ":information_source: Nichts geändert: Die Anfrage #{id} ist abgeschlossen, ihre "
              "Angaben wurden nach Ablauf der Aufbewahrungsfrist gelöscht.",
        "en": ":information_source: Nothing changed: request #{id} is closed and its details "
              "were deleted after the retention period."},

    # --- the agreement of a request that was withdrawn (or closed otherwise) ------------
    "agreement.closed": {
        "de": ":no_entry_sign: Stand: {status}. Hier ist nichts mehr zu bestätigen.",
        "en": ":no_entry_sign: Status: {status}. There is nothing left to confirm."},

    # --- deputies: people only ----------------------------------------------------------
    "deputy.not_bot": {
        "de": "Ein Bot kann niemanden vertreten. Bitte wählen Sie eine Person.",
        "en": "A bot cannot stand in for anyone. Please choose a person."},
    "deputy.deactivated": {
        "de": "{user} ist in Slack deaktiviert und kann niemanden vertreten. Bitte wählen Sie "
              "eine andere Person.",
        "en": "{user} is deactivated in Slack and cannot stand in for anyone. Please choose "
              "someone else."},
    "deputy.unknown": {
        "de": "Diese Person gibt es in unserem Slack nicht. Bitte wählen Sie eine andere.",
        "en": "This person is not in our Slack. Please choose someone else."},

    # --- claims: the four-eyes rule -------------------------------------------------------
    "refused.claim_own": {
        "de": ":no_entry: Vier-Augen-Prinzip: Die Reisekosten zu *#{id}* haben Sie selbst "
              "gemeldet. Sachlich richtig zeichnen und auszahlen muss eine andere Person der "
              "Koordination – Ihr Klick hat nichts geändert.",
        "en": ":no_entry: Four-eyes rule: you claimed the travel costs of *#{id}* yourself. "
              "Another coordinator must check and pay them – your click changed nothing."},
    "refused.claim_own_alone": {
        "de": ":no_entry: Vier-Augen-Prinzip: Die Reisekosten zu *#{id}* haben Sie selbst "
              "gemeldet, und außer Ihnen ist niemand in der Koordination. Tragen Sie eine "
              "zweite Person unter `coordinators` in die Verzeichnisdatei ein; sie prüft und "
              "zahlt aus. Ihr Klick hat nichts geändert.",
        "en": ":no_entry: Four-eyes rule: you claimed the travel costs of *#{id}* yourself, "
              "and the network has no second coordinator. Add a second person under "
              "`coordinators` in the directory file; they check and pay. Your click changed "
              "nothing."},
}
# fmt: on
