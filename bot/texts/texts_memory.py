"""Texts of goals, the joint reflection and the network's memory (search, experts).

Kept apart from `bot.texts.texts_core` (which merges them into TEXTS) so that the features
stay easy to find; German first, English second, as everywhere.
"""

# fmt: off
MEMORY_TEXTS: dict[str, dict[str, str]] = {
    # --- goals (request form) ----------------------------------------------------------
    "field.goals": {"de": "Was möchten Sie mitnehmen?", "en": "What would you like to take home?"},
    "field.goals.ph": {"de": "z. B. wie die Stadt die Standorte ausgewählt hat",
                       "en": "e.g. how the city chose the locations"},
    "field.goals.hint": {"de": "Optional. Steht in der Vereinbarung mit den Expert/innen.",
                         "en": "Optional. Goes into the agreement with the experts."},
    "summary.goals": {"de": "Ziele", "en": "Goals"},

    # --- the agreement in the group DM ----------------------------------------------------
    "modal.name.offer": {"de": "Was bietet {city} an? (optional)",
                         "en": "What does {city} offer? (optional)"},
    "modal.name.offer.ph": {"de": "z. B. Führung durch zwei Mobilitätsstationen, Gespräch mit "
                                  "der Planung",
                            "en": "e.g. a tour of two mobility stations, a talk with the planners"},
    "agreement.title": {"de": ":handshake: *Unsere Vereinbarung*",
                        "en": ":handshake: *Our agreement*"},
    "agreement.goals": {"de": "*Mitnehmen möchte {requester}:*", "en": "*{requester} would "
                                                                      "like to take home:*"},
    "agreement.no_goals": {"de": "_noch offen – gern hier im Chat ergänzen_",
                           "en": "_still open – add them here in the chat_"},
    "agreement.offer": {"de": "*{city} bietet:*", "en": "*{city} offers:*"},
    "agreement.when": {"de": "*Wann:* {dates}", "en": "*When:* {dates}"},
    "agreement.where": {"de": "*Wo:* {place}", "en": "*Where:* {place}"},
    "agreement.online": {"de": "online", "en": "online"},
    "agreement.ask": {"de": "Passt das so? Bitte bestätigen Sie jede/r mit einem Klick.",
                      "en": "Does this work for you? Please each confirm with one click."},
    "agreement.confirmed": {"de": ":white_check_mark: Bestätigt von {people}",
                            "en": ":white_check_mark: Confirmed by {people}"},
    "agreement.waiting": {"de": ":hourglass_flowing_sand: Noch offen: {people}",
                          "en": ":hourglass_flowing_sand: Still to confirm: {people}"},
    "agreement.all": {"de": ":white_check_mark: Alle haben bestätigt: {people}",
                      "en": ":white_check_mark: Everyone confirmed: {people}"},
    "agreement.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "refused.agreement_outsider": {"de": "Bestätigen können nur die Teilnehmenden des Austauschs "
                                      "#{id}.",
                                "en": "Only the participants of exchange #{id} can confirm."},
    "refused.already_confirmed": {"de": "Sie haben die Vereinbarung zu #{id} schon bestätigt.",
                                  "en": "You already confirmed the agreement of #{id}."},

    # --- the joint reflection ----------------------------------------------------------
    "modal.reflect.will_apply": {"de": "Was werden Sie davon anwenden?",
                                 "en": "What will you apply?"},
    "modal.reflect.share": {"de": "Wer darf Ihre Reflexion lesen?",
                            "en": "Who may read your reflection?"},
    "share.report": {"de": "Nur für den Bericht (anonym gezählt)",
                     "en": "Only for the report (counted anonymously)"},
    "share.participants": {"de": "Die Teilnehmenden dieses Austauschs",
                           "en": "The participants of this exchange"},
    "share.network": {"de": "Das ganze Netzwerk (auch in der Suche)",
                      "en": "The whole network (also in search)"},
    "summary.reflections": {
        "de": ":mirror: *Gemeinsame Reflexion zu #{id} {title}*\nSo haben die Beteiligten den "
              "Austausch erlebt – nebeneinander, je Stadt:",
        "en": ":mirror: *Joint reflection on #{id} {title}*\nHow the participants saw the "
              "exchange – side by side, per city:",
    },
    "summary.reflections.push": {"de": "Gemeinsame Reflexion zu #{id} {title}",
                                 "en": "Joint reflection on #{id} {title}"},
    "summary.reflections.some": {
        "de": "{n} von {total} haben geantwortet; hier steht, was mit den Teilnehmenden geteilt "
              "wurde.",
        "en": "{n} of {total} answered; shown is what was shared with the participants.",
    },
    "summary.rating": {"de": "Bewertung {n}/5", "en": "Rating {n}/5"},
    "summary.worked": {"de": "Gut", "en": "Worked"},
    "summary.not_worked": {"de": "Weniger gut", "en": "Did not work"},
    "summary.will_apply": {"de": "Wird angewendet", "en": "Will apply"},
    "followup.ask": {
        "de": ":seedling: Vor 45 Tagen endete Ihr C+R-Austausch *#{id} {title}*. Eine kurze "
              "Frage: *Haben Sie etwas davon umgesetzt?*",
        "en": ":seedling: Your C+R exchange *#{id} {title}* ended 45 days ago. One short "
              "question: *Have you put any of it into practice?*",
    },
    "followup.push": {"de": "#{id} {title}: Haben Sie etwas davon umgesetzt?",
                      "en": "#{id} {title}: Have you put any of it into practice?"},
    "followup.yes": {"de": "Ja", "en": "Yes"},
    "followup.partly": {"de": "Teilweise", "en": "Partly"},
    "followup.not_yet": {"de": "Noch nicht", "en": "Not yet"},
    "followup.modal.title": {"de": "Umgesetzt?", "en": "Put into practice?"},
    "followup.modal.answer": {"de": "Haben Sie etwas davon umgesetzt?",
                              "en": "Have you put any of it into practice?"},
    "followup.modal.note": {"de": "Eine Zeile dazu (optional)", "en": "One line on it (optional)"},
    "followup.thanks": {"de": ":white_check_mark: Danke! Ihre Antwort zu #{id}: {answer}.",
                        "en": ":white_check_mark: Thank you! Your answer on #{id}: {answer}."},
    "refused.followup_done": {"de": "Sie haben die Frage zu #{id} schon beantwortet.",
                              "en": "You already answered the question on #{id}."},
    "refused.followup_not_yours": {"de": "Diese Frage zu #{id} geht an die anfragende Person.",
                                   "en": "This question on #{id} is for the requester."},
    "report.shared": {"de": "Reflexionen nach Freigabe", "en": "Reflections by sharing"},
    "report.shared_with": {"de": "Lesen dürfen", "en": "Who may read them"},
    "report.follow_ups": {"de": "Umgesetzt? (45 Tage nach dem Austausch)",
                          "en": "Put into practice? (45 days after the exchange)"},
    "report.follow_up": {"de": "Antwort", "en": "Answer"},
    "report.answers": {"de": "Antworten", "en": "Answers"},
    "lessons.title": {"de": ":bulb: *Aus der Reflexion*", "en": ":bulb: *From the reflection*"},
    "lessons.push.one": {"de": "Aus der Reflexion: 1 neue Erkenntnis aus dem Netzwerk",
                         "en": "From the reflection: 1 new lesson from the network"},
    "lessons.push.other": {"de": "Aus der Reflexion: {n} neue Erkenntnisse aus dem Netzwerk",
                           "en": "From the reflection: {n} new lessons from the network"},
    "lessons.request": {"de": "*#{id} {title}* · {cities}", "en": "*#{id} {title}* · {cities}"},
    "lessons.more": {"de": "Mehr mit `/cr-request suche BEGRIFF`.",
                     "en": "More with `/cr-request search WORDS`."},

    # --- search ---------------------------------------------------------------------
    "search.usage": {
        "de": "So suchen Sie frühere Austausche: `/cr-request suche BEGRIFF`, "
              "z. B. `/cr-request suche Mobilitätsstation`.",
        "en": "To search past exchanges: `/cr-request search WORDS`, "
              "e.g. `/cr-request search mobility station`.",
    },
    "search.title": {"de": ":mag: Suche: „{query}“", "en": ":mag: Search: \"{query}\""},
    "search.count.one": {"de": "1 Treffer für „{query}“", "en": "1 result for \"{query}\""},
    "search.count.other": {"de": "{n} Treffer für „{query}“",
                           "en": "{n} results for \"{query}\""},
    "search.page": {"de": "Treffer {first}–{last}", "en": "Results {first}–{last}"},
    "search.page_more": {"de": "Treffer {first}–{last}, weitere folgen",
                         "en": "Results {first}–{last}, more to come"},
    "search.none": {
        "de": "Keine Treffer für „{query}“. Gefunden werden vereinbarte und abgeschlossene "
              "Austausche (und Ihre eigenen Anfragen) nach Titel, Frage, Thema, Städten, "
              "Zielen und geteilten Erkenntnissen.",
        "en": "No results for \"{query}\". Search finds agreed and completed exchanges (and "
              "your own requests) by title, question, topic, cities, goals and shared lessons.",
    },
    "search.none.push": {"de": "Keine Treffer für „{query}“", "en": "No results for \"{query}\""},
    "search.more": {"de": "Weitere Treffer", "en": "More results"},
    "search.experts": {"de": "Expert/innen", "en": "Experts"},
    "search.lesson": {"de": ":bulb: {text} – {who}", "en": ":bulb: {text} – {who}"},
    "search.lesson.anonymous": {"de": "aus der Reflexion", "en": "from the reflection"},
    "search.topic_experts": {"de": ":busts_in_silhouette: Schon Expert/in zu {topic}: {people}",
                             "en": ":busts_in_silhouette: Experts on {topic} before: {people}"},
    "search.button": {"de": "Austausche durchsuchen", "en": "Search exchanges"},
    "search.modal.title": {"de": "Austausche suchen", "en": "Search exchanges"},
    "search.modal.submit": {"de": "Suchen", "en": "Search"},
    "search.modal.close": {"de": "Schließen", "en": "Close"},
    "search.modal.field": {"de": "Suchbegriff", "en": "Search for"},
    "search.modal.ph": {"de": "z. B. Mobilitätsstation, Quartiersschule, Bremen",
                        "en": "e.g. mobility station, neighbourhood school, Bremen"},
    "search.modal.hint": {
        "de": "Findet vereinbarte und abgeschlossene Austausche des Netzwerks und Ihre "
              "eigenen Anfragen.",
        "en": "Finds the network's agreed and completed exchanges, and your own requests.",
    },
    "err.search_words": {"de": "Bitte mindestens ein Wort mit zwei Buchstaben eingeben.",
                         "en": "Please type at least one word of two letters or more."},

    # --- experts --------------------------------------------------------------------
    "experts.usage": {
        "de": "So finden Sie Expert/innen: `/cr-request expert/innen THEMA`. Themen: {topics}.",
        "en": "To find experts: `/cr-request experts TOPIC`. Topics: {topics}.",
    },
    "experts.unknown": {"de": "Das Thema „{topic}“ gibt es nicht. Themen: {topics}.",
                        "en": "There is no topic \"{topic}\". Topics: {topics}."},
    "experts.title": {"de": "*Expert/innen zu {topic}*", "en": "*Experts on {topic}*"},
    "experts.push": {"de": "Expert/innen zu {topic}", "en": "Experts on {topic}"},
    "experts.none": {"de": "Zu {topic} war noch niemand als Expert/in an einem Austausch "
                           "beteiligt.",
                     "en": "Nobody has acted as an expert on {topic} in an exchange yet."},
    "experts.exchanges.one": {"de": "1 Austausch", "en": "1 exchange"},
    "experts.exchanges.other": {"de": "{n} Austausche", "en": "{n} exchanges"},
    "modal.name.suggested": {
        "de": ":busts_in_silhouette: Schon Expert/in zu {topic} aus {city}: {people}",
        "en": ":busts_in_silhouette: Experts on {topic} from {city} before: {people}",
    },
}
# fmt: on
