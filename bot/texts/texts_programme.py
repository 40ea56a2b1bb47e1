"""Texts of running the programme: travel budgets, cost claims after the trip, deputies.

German first; English for users whose Slack locale is English. Merged into
`bot.texts.texts_core.TEXTS`.
"""

# fmt: off
PROGRAMME_TEXTS: dict[str, dict[str, str]] = {
    # --- budget -------------------------------------------------------------------
    "budget.title": {"de": "*Reisebudget {year} ({whose})*",
                     "en": "*Travel budget {year} ({whose})*"},
    "budget.amount": {"de": "Budget: {amount}", "en": "Budget: {amount}"},
    "budget.committed": {"de": "Bereits gebunden: {amount}", "en": "Already committed: {amount}"},
    "budget.estimate": {"de": "Diese Anfrage: {amount}", "en": "This request: {amount}"},
    "budget.no_estimate": {"de": "Diese Anfrage: keine Kostenschätzung (zählt als 0,00 €)",
                           "en": "This request: no cost estimate (counts as €0.00)"},
    "budget.remaining": {"de": "Verbleibend nach Genehmigung: {amount}",
                         "en": "Remaining after approval: {amount}"},
    "budget.over_by": {"de": "Nach Genehmigung: *{amount} über dem Budget*",
                       "en": "After approval: *{amount} over budget*"},
    "budget.over": {"de": ":warning: Die Genehmigung würde das Budget überschreiten – "
                          "genehmigen kann dann nur die Koordination.",
                    "en": ":warning: Approving would exceed the budget – only the coordinators "
                          "can approve it then."},
    "refused.over_budget": {
        "de": ":moneybag: Sie können *#{id}* nicht genehmigen: Das Reisebudget {year} "
              "({whose}) reicht nicht. Budget {amount}, bereits gebunden {committed}, diese "
              "Anfrage {estimate} – das wären {over} über dem Budget. Die Anfrage ist mit "
              "diesen Zahlen an die Koordination gegangen; sie entscheidet jetzt, Sie müssen "
              "nichts weiter tun.",
        "en": ":moneybag: You cannot approve *#{id}*: the {year} travel budget ({whose}) is "
              "not enough. Budget {amount}, already committed {committed}, this request "
              "{estimate} – that would be {over} over budget. The request has gone to the "
              "coordinators with these figures; they decide now, nothing more to do for you.",
    },
    "budget.referred": {
        "de": ":moneybag: {actor} wollte die C+R-Anfrage *#{id}* von {user} genehmigen, aber "
              "das Reisebudget reicht nicht. Als Koordination können Sie trotzdem genehmigen "
              "(im Verlauf als „über Budget“ vermerkt), ablehnen oder nachfragen:",
        "en": ":moneybag: {actor} wanted to approve C+R request *#{id}* from {user}, but the "
              "travel budget is not enough. As a coordinator you can approve it anyway "
              "(recorded as \"over budget\"), decline or ask:",
    },
    "push.budget_referred": {"de": "Über Budget, bitte entscheiden: #{id} {title} ({cities})",
                             "en": "Over budget, please decide: #{id} {title} ({cities})"},

    # --- deputies -----------------------------------------------------------------
    "deputy.set": {"de": ":busts_in_silhouette: Vertretung eingetragen: {deputy} vertritt "
                         "{user} bis {until}. Bis dahin gehen neue Anfragen zum Entscheiden und "
                         "zum Benennen von Expert/innen an {deputy} statt an {user}.",
                   "en": ":busts_in_silhouette: Deputy set: {deputy} stands in for {user} "
                         "until {until}. Until then, new requests to decide on or to name "
                         "experts for go to {deputy} instead of {user}."},
    "deputy.away": {"de": ":palm_tree: Abwesenheit eingetragen: {user} ist bis {until} "
                          "abwesend, ohne Vertretung. Bis dahin bekommt {user} keine neuen "
                          "Anfragen zum Entscheiden oder Benennen.",
                    "en": ":palm_tree: Absence set: {user} is away until {until}, without a "
                          "deputy. Until then {user} gets no new requests to decide on or to "
                          "name experts for."},
    "deputy.told": {"de": ":busts_in_silhouette: Sie vertreten {user} bis {until} (eingetragen "
                          "von {actor}). Bis dahin bekommen Sie die neuen Anfragen, die sonst an "
                          "{user} gingen, und dürfen über die Anfragen aus {cities} entscheiden.",
                    "en": ":busts_in_silhouette: You stand in for {user} until {until} (set by "
                          "{actor}). Until then you get the new requests that would otherwise "
                          "go to {user}, and you may decide on the requests from {cities}."},
    "deputy.told_naming": {"de": ":busts_in_silhouette: Sie vertreten {user} bis {until} "
                                 "(eingetragen von {actor}). Bis dahin bekommen Sie die neuen "
                                 "Anfragen zum Benennen von Expert/innen, die sonst an {user} "
                                 "gingen.",
                           "en": ":busts_in_silhouette: You stand in for {user} until {until} "
                                 "(set by {actor}). Until then you get the new requests to name "
                                 "experts that would otherwise go to {user}."},
    "deputy.ended": {"de": ":leftwards_arrow_with_hook: Die Vertretung für {user} ist beendet. "
                           "Neue Anfragen gehen wieder an {user}.",
                     "en": ":leftwards_arrow_with_hook: The deputy arrangement for {user} has "
                           "ended. New requests go to {user} again."},
    "deputy.ended_own": {"de": ":leftwards_arrow_with_hook: {user} hat die Vertretung beendet. "
                               "Neue Anfragen gehen wieder an {user}.",
                         "en": ":leftwards_arrow_with_hook: {user} has ended the deputy "
                               "arrangement. New requests go to {user} again."},
    "deputy.ended_by": {"de": ":leftwards_arrow_with_hook: {actor} hat die Vertretung für {user} "
                              "beendet. Neue Anfragen gehen wieder an {user}.",
                        "en": ":leftwards_arrow_with_hook: {actor} has ended the deputy "
                              "arrangement for {user}. New requests go to {user} again."},
    "deputy.none": {"de": "Für {user} ist keine Vertretung eingetragen.",
                    "en": "No deputy is set for {user}."},
    "deputy.usage": {
        "de": "So tragen Sie eine Vertretung ein: `/cr-request vertretung @person bis 31.12.` – "
              "beenden mit `/cr-request vertretung ende`. Die Koordination kann eine für andere "
              "eintragen: `/cr-request vertretung @abwesend @vertretung bis 31.12.`",
        "en": "To set a deputy: `/cr-request deputy @person until 31.12.` – end it with "
              "`/cr-request deputy end`. Coordinators can set one for others: "
              "`/cr-request deputy @away @deputy until 31.12.`",
    },
    "deputy.bad_date": {"de": "Bitte ein Enddatum heute oder später angeben, z. B. `bis 31.12.`",
                        "en": "Please give an end date of today or later, e.g. `until 31.12.`"},
    "deputy.self": {"de": "Sie können sich nicht selbst vertreten.",
                    "en": "You cannot be your own deputy."},
    "refused.not_deciding_contact": {
        "de": ":no_entry: Eine Vertretung tragen die Ansprechpartner/innen der Städte für sich "
              "ein, die Koordination für alle.",
        "en": ":no_entry: Deputies are set by the cities' contacts for themselves, and by the "
              "coordinators for anybody.",
    },
    "home.deputy": {"de": ":busts_in_silhouette: Vertretung", "en": ":busts_in_silhouette: Deputy"},
    "home.deputy_active": {"de": "{deputy} vertritt Sie bis {until}.",
                           "en": "{deputy} stands in for you until {until}."},
    "home.away_active": {"de": "Sie sind bis {until} abwesend, ohne Vertretung.",
                         "en": "You are away until {until}, without a deputy."},
    "home.deputy_for": {"de": "Sie vertreten {user} bis {until}.",
                        "en": "You stand in for {user} until {until}."},
    "home.deputy_none": {"de": "Keine Vertretung eingetragen.", "en": "No deputy set."},
    "button.deputy_set": {"de": "Vertretung eintragen", "en": "Set a deputy"},
    "button.deputy_end": {"de": "Vertretung beenden", "en": "End deputy"},
    "modal.deputy.title": {"de": "Vertretung", "en": "Deputy"},
    "modal.deputy.submit": {"de": "Eintragen", "en": "Save"},
    "modal.deputy.intro": {"de": "Bis zum Enddatum bekommt Ihre Vertretung Ihre neuen "
                                 "Entscheidungen und Benennungen und darf über die Anfragen "
                                 "Ihrer Stadt entscheiden. Danach endet sie von selbst.",
                           "en": "Until the end date your deputy gets your new decisions and "
                                 "namings and may decide on your city's requests. Then it ends "
                                 "on its own."},
    "modal.deputy.away": {"de": "Wer ist abwesend?", "en": "Who is away?"},
    "modal.deputy.person": {"de": "Vertretung", "en": "Deputy"},
    "modal.deputy.until": {"de": "Bis einschließlich", "en": "Until (inclusive)"},
    "for": {"de": "für {user}", "en": "for {user}"},
    "outcome.for": {"de": " (in Vertretung für {user})", "en": " (standing in for {user})"},
    "all_away.escalate": {
        "de": ":palm_tree: Die C+R-Anfrage *#{id}* von {user} wartet auf eine Entscheidung, "
              "aber alle Ansprechpartner/innen von {city} ({contacts}) sind abwesend, ohne "
              "Vertretung. Als Koordination können Sie entscheiden:",
        "en": ":palm_tree: C+R request *#{id}* from {user} is waiting for a decision, but "
              "every contact of {city} ({contacts}) is away without a deputy. As a coordinator "
              "you can decide:",
    },
    "push.all_away": {"de": "Alle abwesend, bitte entscheiden: #{id} {title} ({cities})",
                      "en": "Everyone away, please decide: #{id} {title} ({cities})"},

    # --- cost claims ------------------------------------------------------------
    "claim.ask": {
        "de": ":receipt: Welche Reisekosten sind für *#{id}* „{title}“ tatsächlich angefallen? "
              "Bitte melden Sie sie – mit Belegen, wenn Sie sie haben. Das Netzwerk erstattet "
              "sie.",
        "en": ":receipt: What did the travel for *#{id}* \"{title}\" actually cost? Please "
              "tell us – with receipts if you have them. The network pays them back.",
    },
    "button.claim": {"de": "Reisekosten melden", "en": "Report travel costs"},
    "button.claim_fix": {"de": "Angaben korrigieren", "en": "Correct the claim"},
    "modal.claim.title": {"de": "Reisekosten", "en": "Travel costs"},
    "modal.claim.submit": {"de": "Absenden", "en": "Submit"},
    "modal.claim.amount": {"de": "Betrag in Euro", "en": "Amount (EUR)"},
    "modal.claim.basis": {"de": "Der Betrag gilt", "en": "The amount is"},
    "claim.basis.total": {"de": "insgesamt", "en": "in total"},
    "claim.basis.per_person": {"de": "pro reisender Person ({n})",
                               "en": "per person travelling ({n})"},
    "claim.basis.per_person_any": {"de": "pro reisender Person",
                                   "en": "per person travelling"},
    "modal.claim.note": {"de": "Kurze Notiz (Verkehrsmittel, Besonderheiten)",
                         "en": "Short note (means of travel, anything special)"},
    "modal.claim.files": {"de": "Belege (optional)", "en": "Receipts (optional)"},
    "err.claim_amount": {"de": "Bitte einen Betrag in Euro eingeben, z. B. 320 oder 1.250,50.",
                         "en": "Please enter an amount in euros, e.g. 320 or 1,250.50."},
    "claim.to_coordinators": {
        "de": ":receipt: {user} meldet die Reisekosten für *#{id}*: *{amount}*{per_person}. "
              "Bitte prüfen:",
        "en": ":receipt: {user} claims the travel costs for *#{id}*: *{amount}*{per_person}. "
              "Please check:",
    },
    "claim.per_person": {"de": " ({n} × {amount})", "en": " ({n} × {amount})"},
    "claim.files": {"de": "Belege: {files}", "en": "Receipts: {files}"},
    "claim.no_files": {"de": "Keine Belege angehängt.", "en": "No receipts attached."},
    "claim.estimate": {"de": "Geschätzt waren: {amount}", "en": "The estimate was: {amount}"},
    "push.claim": {"de": "Reisekosten zu prüfen: #{id} {title} ({cities})",
                   "en": "Travel costs to check: #{id} {title} ({cities})"},
    "push.claim_ask": {"de": "Bitte melden Sie Ihre Reisekosten: #{id} {title}",
                       "en": "Please report your travel costs: #{id} {title}"},
    "push.claim_claimed": {"de": "Reisekosten gemeldet: #{id} {title}",
                           "en": "Travel costs claimed: #{id} {title}"},
    "push.claim_state": {"de": "Reisekosten zu #{id} {title} ({cities}) – Stand: {state}",
                         "en": "Travel costs of #{id} {title} ({cities}) – status: {state}"},
    "button.claim_check": {"de": "Sachlich richtig", "en": "Checked"},
    "button.claim_question": {"de": "Rückfrage", "en": "Question"},
    "button.claim_paid": {"de": "Ausgezahlt", "en": "Paid"},
    "outcome.claim_claimed": {"de": ":receipt: *Reisekosten gemeldet* von {actor} · {when}",
                              "en": ":receipt: *Travel costs claimed* by {actor} · {when}"},
    "outcome.claim_checked": {"de": ":ballot_box_with_check: *Sachlich richtig* – bestätigt "
                                    "von {actor} · {when}",
                              "en": ":ballot_box_with_check: *Checked* by {actor} · {when}"},
    "outcome.claim_question": {"de": ":question: *Rückfrage* von {actor} · {when}",
                               "en": ":question: *Question* by {actor} · {when}"},
    "outcome.claim_paid": {"de": ":moneybag: *Ausgezahlt* – vermerkt von {actor} · {when}",
                           "en": ":moneybag: *Paid* – recorded by {actor} · {when}"},
    "claim.thanks": {"de": ":receipt: Danke! Ihre Reisekosten für *#{id}* ({amount}) sind bei "
                           "der Koordination. Sie hören hier, wenn sie geprüft und ausgezahlt "
                           "sind.",
                     "en": ":receipt: Thank you! Your travel costs for *#{id}* ({amount}) are "
                           "with the coordinators. You will hear here when they are checked "
                           "and paid."},
    "claim.dm.checked": {"de": ":ballot_box_with_check: {actor} hat Ihre Reisekosten für "
                               "*#{id}* ({amount}) geprüft: sachlich richtig. Als Nächstes werden "
                               "sie ausgezahlt; Sie müssen nichts tun.",
                         "en": ":ballot_box_with_check: {actor} has checked your travel costs "
                               "for *#{id}* ({amount}). Next they will be paid; nothing to do "
                               "for you."},
    "claim.dm.question": {"de": ":question: {actor} hat eine Rückfrage zu Ihren Reisekosten "
                                "für *#{id}*:",
                          "en": ":question: {actor} has a question about your travel costs "
                                "for *#{id}*:"},
    "claim.fix_hint": {"de": "Bitte ergänzen oder korrigieren Sie Ihre Angaben; bisherige "
                             "Belege bleiben erhalten.",
                       "en": "Please complete or correct your claim; receipts already sent "
                             "are kept."},
    "claim.dm.paid": {"de": ":moneybag: Ihre Reisekosten für *#{id}* ({amount}) sind "
                            "ausgezahlt – vermerkt von {actor}. Damit ist die Abrechnung "
                            "abgeschlossen.",
                      "en": ":moneybag: Your travel costs for *#{id}* ({amount}) have been "
                            "paid – recorded by {actor}. That completes the claim."},
    "modal.claim_question.title": {"de": "Rückfrage", "en": "Question"},
    "modal.claim_question.label": {"de": "Ihre Frage zu den Reisekosten",
                                   "en": "Your question about the travel costs"},
    "refused.claim_not_requester": {"de": ":no_entry: Die Reisekosten meldet {user}, die "
                                          "anfragende Person.",
                                    "en": ":no_entry: The travel costs are claimed by {user}, "
                                          "the requester."},
    "refused.claim_moved_on": {"de": ":information_source: Nichts geändert: Die Reisekosten "
                                     "zu *#{id}* sind schon weiter (Stand: {claim}).",
                               "en": ":information_source: Nothing changed: the travel costs "
                                     "of *#{id}* have moved on (status: {claim})."},
    "claim.status.asked": {"de": "noch nicht gemeldet", "en": "not claimed yet"},
    "claim.status.claimed": {"de": "gemeldet, wird geprüft", "en": "claimed, being checked"},
    "claim.status.question": {"de": "Rückfrage offen", "en": "question pending"},
    "claim.status.checked": {"de": "sachlich richtig, wird ausgezahlt",
                             "en": "checked, to be paid"},
    "claim.status.paid": {"de": "ausgezahlt", "en": "paid"},

    # --- report ---------------------------------------------------------------------
    "report.by_budget": {"de": "Reisebudget nach Stadt (EUR)", "en": "Travel budget by city (EUR)"},
    "report.city": {"de": "Stadt", "en": "City"},
    "report.budget": {"de": "Budget", "en": "Budget"},
    "report.estimated": {"de": "geschätzt", "en": "estimated"},
    "report.claimed": {"de": "gemeldet", "en": "claimed"},
    "report.checked": {"de": "sachlich richtig", "en": "checked"},
    "report.paid": {"de": "ausgezahlt", "en": "paid"},
    "report.remaining": {"de": "verbleibend", "en": "remaining"},
    "report.network_budget": {"de": "{network} (Netzwerk)", "en": "{network} (network)"},
}
# fmt: on
