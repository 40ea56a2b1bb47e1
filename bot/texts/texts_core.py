"""The texts. German first; English for users whose Slack locale is English."""

# fmt: off
TEXTS: dict[str, dict[str, str]] = {
    # --- request modal -------------------------------------------------------
    "modal.title": {"de": "C+R-Anfrage", "en": "C+R request"},
    "modal.title_edit": {"de": "Anfrage bearbeiten", "en": "Edit request"},
    "modal.submit": {"de": "Absenden", "en": "Submit"},
    "modal.close": {"de": "Abbrechen", "en": "Cancel"},
    "modal.intro": {
        "de": "Sie möchten mit Expert/innen einer Partnerstadt an einer Frage arbeiten? "
              "Beschreiben Sie kurz Ihr Anliegen – die Ansprechpartner/innen Ihrer Stadt "
              "melden sich.",
        "en": "Want to work on a question with experts from a partner city? Describe it "
              "briefly; the contacts of your city will get back to you.",
    },
    "field.title": {"de": "Kurztitel", "en": "Short title"},
    "field.title.ph": {"de": "z. B. Quartiersschulen gemeinsam planen",
                       "en": "e.g. Planning neighbourhood schools together"},
    "field.question": {"de": "Frage oder Anliegen", "en": "Question or need"},
    "field.question.ph": {"de": "Worum geht es, was möchten Sie von den Expert/innen wissen?",
                          "en": "What is it about, what would you like to learn from the experts?"},
    "field.topic": {"de": "Thema", "en": "Topic"},
    "field.topic.ph": {"de": "Thema wählen", "en": "Choose a topic"},
    "field.format": {"de": "Format", "en": "Format"},
    "field.format.ph": {"de": "Format wählen", "en": "Choose a format"},
    "field.direction": {"de": "Art des Austauschs", "en": "Kind of exchange"},
    "field.own_city": {"de": "Ihre Stadt", "en": "Your city"},
    "field.own_city.hint": {"de": "Ihre Anfrage geht an die Ansprechpartner/innen dieser Stadt.",
                            "en": "Your request goes to the contacts of this city."},
    "field.own_city.ph": {"de": "Stadt wählen", "en": "Choose a city"},
    "field.partners": {"de": "Partnerstadt/-städte", "en": "Partner city/cities"},
    "field.partners.ph": {"de": "Eine oder mehrere wählen", "en": "Choose one or more"},
    "field.date_from": {"de": "Erster Tag", "en": "First day"},
    "field.date_to": {"de": "Letzter Tag", "en": "Last day"},
    "field.date.ph": {"de": "Datum wählen", "en": "Pick a date"},
    "field.travellers": {"de": "Reisende Personen", "en": "People travelling"},
    "field.travellers.hint": {
        "de": "0, wenn niemand reist (z. B. online oder die Expert/innen kommen zu uns); "
              "höchstens 20.",
        "en": "0 if nobody travels (e.g. online, or the experts come to you); at most 20.",
    },
    "travellers.zero": {"de": "niemand reist", "en": "nobody travels"},
    "travellers.one": {"de": "1 Person reist", "en": "1 person travels"},
    "travellers.other": {"de": "{n} Personen reisen", "en": "{n} people travel"},
    "field.cost": {"de": "Geschätzte Reisekosten in Euro", "en": "Estimated travel cost (EUR)"},
    "field.cost.ph": {"de": "z. B. 450 oder 1.250,50", "en": "e.g. 450 or 1,250.50"},
    "field.cost.hint": {"de": "Optional. Die Reisekosten übernimmt das Netzwerk.",
                        "en": "Optional. The network pays for the travel."},

    "format.bilateral": {"de": "Bilaterales Fachgespräch", "en": "Bilateral meeting"},
    "format.workshop": {"de": "Workshop", "en": "Workshop"},
    "format.public_event": {"de": "Öffentliche Veranstaltung", "en": "Public event"},
    "format.site_visit": {"de": "Ortsbesichtigung", "en": "Site visit"},
    "format.online": {"de": "Online-Termin", "en": "Online meeting"},
    "direction.visit": {"de": "Wir besuchen eine Partnerstadt",
                        "en": "We visit a partner city"},
    "direction.invite": {"de": "Wir laden Expert/innen zu uns ein",
                         "en": "We invite experts to our city"},
    "direction.online": {"de": "Online", "en": "Online"},

    # --- validation ----------------------------------------------------------
    "err.empty": {"de": "Bitte ausfüllen.", "en": "Please fill this in."},
    "err.too_long": {"de": "Bitte kürzen: höchstens {max} Zeichen (jetzt {n}).",
                     "en": "Please shorten: at most {max} characters (now {n})."},
    "err.end_before_start": {"de": "Der letzte Tag liegt vor dem ersten.",
                             "en": "The last day is before the first."},
    "err.start_past": {"de": "Der erste Tag liegt in der Vergangenheit.",
                       "en": "The first day is in the past."},
    "err.own_city_partner": {"de": "Ihre eigene Stadt ({city}) kann nicht Partnerstadt sein.",
                             "en": "Your own city ({city}) cannot be a partner city."},
    "err.cost_nan": {"de": "Bitte einen Betrag in Euro eingeben, z. B. 450 oder 1.250,50.",
                     "en": "Please enter an amount in euros, e.g. 450 or 1,250.50."},
    "err.cost_negative": {"de": "Die Kosten können nicht negativ sein.",
                          "en": "The cost cannot be negative."},
    "err.cost_too_high": {"de": "Bitte einen Betrag bis höchstens {max} eingeben.",
                          "en": "Please enter an amount of at most {max}."},
    "err.travellers": {"de": "Bitte eine ganze Zahl von 0 bis 20 (0, wenn niemand reist).",
                       "en": "Please enter a whole number from 0 to 20 (0 if nobody travels)."},
    "err.topic_gone": {"de": "Dieses Thema gibt es nicht mehr. Bitte ein anderes wählen.",
                       "en": "This topic no longer exists. Please choose another."},
    "err.city_gone": {"de": "Diese Stadt ist nicht mehr im Verzeichnis. Bitte neu wählen.",
                      "en": "This city is no longer in the directory. Please choose again."},
    "err.choose": {"de": "Bitte auswählen.", "en": "Please choose."},
    "err.date": {"de": "Bitte ein Datum wählen.", "en": "Please pick a date."},
    "err.required_reason": {"de": "Bitte eine Begründung angeben.",
                            "en": "Please give a reason."},
    "err.no_experts": {"de": "Bitte mindestens eine Person wählen.",
                       "en": "Please choose at least one person."},
    "err.expert_bot": {"de": "Bitte nur Personen wählen, nicht den Bot.",
                       "en": "Please choose people only, not the bot."},
    "err.expert_self_request": {
        "de": "Die anfragende Person kann nicht Expert/in der Partnerstadt sein.",
        "en": "The requester cannot be the partner city's expert."},

    # --- status ---------------------------------------------------------------
    "status.submitted": {"de": "Eingereicht – wartet auf Entscheidung",
                         "en": "Submitted – awaiting decision"},
    "status.needs_info": {"de": "Rückfrage offen", "en": "Question pending"},
    "status.approved": {"de": "Genehmigt – Expert/innen werden gesucht",
                        "en": "Approved – finding experts"},
    "status.matched": {"de": "Expert/innen benannt", "en": "Experts named"},
    "status.declined": {"de": "Abgelehnt", "en": "Declined"},
    "status.cancelled": {"de": "Zurückgezogen", "en": "Cancelled"},
    "status.completed": {"de": "Abgeschlossen", "en": "Completed"},

    # --- summary ---------------------------------------------------------------
    "summary.request": {"de": "Anfrage #{id}", "en": "Request #{id}"},
    "summary.by": {"de": "Angefragt von", "en": "Requested by"},
    "summary.cities": {"de": "Städte", "en": "Cities"},
    "summary.topic": {"de": "Thema", "en": "Topic"},
    "summary.format": {"de": "Format", "en": "Format"},
    "summary.when": {"de": "Wann", "en": "When"},
    "summary.people": {"de": "Reise", "en": "Travel"},
    "summary.cost": {"de": "Reisekosten (geschätzt)", "en": "Travel cost (estimate)"},
    "summary.status": {"de": "Status", "en": "Status"},
    "summary.question": {"de": "Anliegen", "en": "Question"},

    # --- push texts: what a notification shows on its own (no markup; ids and titles) --
    "push.decide": {"de": "Bitte entscheiden: #{id} {title} ({cities})",
                    "en": "Please decide: #{id} {title} ({cities})"},
    "push.decide_again": {"de": "Erneut zu entscheiden: #{id} {title} ({cities})",
                          "en": "Up for decision again: #{id} {title} ({cities})"},
    "push.reminder": {"de": "Erinnerung: #{id} wartet seit {days} Arbeitstagen auf Ihre "
                            "Entscheidung – {title} ({cities})",
                      "en": "Reminder: #{id} has been waiting {days} working days for your "
                            "decision – {title} ({cities})"},
    "push.escalation": {"de": "Eskalation: #{id} wartet seit {days} Arbeitstagen auf eine "
                              "Entscheidung – {title} ({cities})",
                        "en": "Escalation: #{id} has been waiting {days} working days for a "
                              "decision – {title} ({cities})"},
    "push.naming": {"de": "Expert/innen gesucht für {city}: #{id} {title} ({cities})",
                    "en": "Experts wanted from {city}: #{id} {title} ({cities})"},
    "push.coord_approved": {"de": "Zur Info: genehmigt von {actor} – #{id} {title} ({cities})",
                            "en": "FYI: approved by {actor} – #{id} {title} ({cities})"},
    "push.question": {"de": "Rückfrage von {actor} zu Ihrer Anfrage #{id}: {question}",
                      "en": "{actor} has a question about your request #{id}: {question}"},
    "push.closed": {"de": "#{id} {title} ({cities}) – Stand: {status}",
                    "en": "#{id} {title} ({cities}) – status: {status}"},
    "push.intro": {"de": "C+R-Austausch #{id} {title}: Darf ich vorstellen?",
                   "en": "C+R exchange #{id} {title}: let me introduce you"},
    "push.matched": {"de": "Für Ihre Anfrage #{id} {title} sind alle Expert/innen benannt",
                     "en": "All experts for your request #{id} {title} have been named"},

    # --- requester DMs ----------------------------------------------------------
    "dm.filed": {
        "de": ":white_check_mark: Ihre C+R-Anfrage *#{id}* ist eingegangen. "
              "Die Ansprechpartner/innen von {city} entscheiden darüber; Sie hören hier von uns.",
        "en": ":white_check_mark: Your C+R request *#{id}* has been received. "
              "The contacts of {city} will decide on it; you will hear from us here.",
    },
    "confirm.now": {"de": ":memo: Ihre C+R-Anfrage *#{id}* – Stand: *{status}*. Als Nächstes: "
                          "{next}",
                    "en": ":memo: Your C+R request *#{id}* – status: *{status}*. Next: {next}"},
    "confirm.final": {"de": ":memo: Ihre C+R-Anfrage *#{id}* – Stand: *{status}*.",
                      "en": ":memo: Your C+R request *#{id}* – status: *{status}*."},
    "button.cancel": {"de": "Anfrage zurückziehen", "en": "Cancel request"},
    "confirm.cancel.title": {"de": "Zurückziehen?", "en": "Cancel request?"},
    "confirm.cancel.text": {"de": "Die Anfrage #{id} wird zurückgezogen. Das lässt sich "
                                  "nicht rückgängig machen.",
                            "en": "Request #{id} will be cancelled. This cannot be undone."},
    "confirm.yes_cancel": {"de": "Ja, zurückziehen", "en": "Yes, cancel"},
    "confirm.no": {"de": "Nein", "en": "No"},

    # --- decisions ---------------------------------------------------------------
    "decide.intro": {"de": ":inbox_tray: Neue C+R-Anfrage *#{id}* von {user} – bitte entscheiden:",
                     "en": ":inbox_tray: New C+R request *#{id}* from {user} – please decide:"},
    "decide.again": {"de": ":arrows_counterclockwise: C+R-Anfrage *#{id}* von {user} liegt "
                           "erneut zur Entscheidung vor:",
                     "en": ":arrows_counterclockwise: C+R request *#{id}* from {user} is up for "
                           "decision again:"},
    "decide.question": {"de": "Rückfrage", "en": "Question"},
    "decide.answer": {"de": "Antwort", "en": "Answer"},
    # {when} reads "heute um 09:10" or "1. Dez. 2026 um 09:10": no "am"/"on" before it.
    "outcome.approve": {"de": ":white_check_mark: *Genehmigt* von {actor} · {when}",
                        "en": ":white_check_mark: *Approved* by {actor} · {when}"},
    "outcome.decline": {"de": ":x: *Abgelehnt* von {actor} · {when}",
                        "en": ":x: *Declined* by {actor} · {when}"},
    "outcome.ask": {"de": ":question: *Rückfrage* von {actor} · {when}",
                    "en": ":question: *Question* by {actor} · {when}"},
    "outcome.answer": {"de": ":speech_balloon: {actor} hat geantwortet ({when}) – die Anfrage "
                             "liegt in einer neuen Nachricht zur Entscheidung vor.",
                       "en": ":speech_balloon: {actor} answered ({when}) – the request is up "
                             "for decision in a new message."},
    "outcome.edit": {"de": ":pencil2: {actor} hat die Anfrage geändert ({when}) – die aktuelle "
                           "Fassung steht in einer neuen Nachricht.",
                     "en": ":pencil2: {actor} changed the request ({when}) – the current "
                           "version is in a new message."},
    "outcome.answered_self": {"de": ":speech_balloon: Sie haben geantwortet ({when}). Ihre "
                                    "Antwort ist bei den Ansprechpartner/innen von {city}; sie "
                                    "entscheiden jetzt erneut.",
                              "en": ":speech_balloon: You answered ({when}). Your answer has "
                                    "gone to the contacts of {city}, who will now decide "
                                    "again."},
    "outcome.edited_self": {"de": ":pencil2: Sie haben die Anfrage geändert ({when}). Sie liegt "
                                  "den Ansprechpartner/innen von {city} erneut zur Entscheidung "
                                  "vor.",
                            "en": ":pencil2: You changed the request ({when}). It has gone "
                                  "back to the contacts of {city} for a decision."},
    "outcome.named_waiting": {"de": "Die Gruppen-Nachricht mit allen Beteiligten öffnet sich, "
                                    "sobald alle Partnerstädte ihre Expert/innen benannt haben.",
                              "en": "The group conversation with everyone opens as soon as "
                                    "every partner city has named its experts."},
    "outcome.matched_all": {"de": ":white_check_mark: *Vermittelt* ({when}): Alle Partnerstädte "
                                  "haben ihre Expert/innen benannt.",
                            "en": ":white_check_mark: *Matched* ({when}): every partner city "
                                  "has named its experts."},
    "outcome.cancel": {"de": ":leftwards_arrow_with_hook: *Zurückgezogen* von {actor} · {when}",
                       "en": ":leftwards_arrow_with_hook: *Cancelled* by {actor} · {when}"},
    "outcome.name": {"de": ":busts_in_silhouette: *Expert/innen benannt* von {actor} · {when}",
                     "en": ":busts_in_silhouette: *Experts named* by {actor} · {when}"},
    "outcome.match": {"de": ":white_check_mark: *Als vermittelt markiert* von {actor} · {when} "
                            "(Expert/innen außerhalb des Bots gefunden)",
                      "en": ":white_check_mark: *Marked as matched* by {actor} · {when} "
                            "(experts found outside the bot)"},
    "outcome.complete": {"de": ":checkered_flag: *Abgeschlossen* · {when}",
                         "en": ":checkered_flag: *Completed* · {when}"},
    "experts.line": {"de": "• {city}: {experts} (benannt von {contact})",
                     "en": "• {city}: {experts} (named by {contact})"},
    "coord.mark_matched_hint": {"de": "Nur nötig, wenn die Expert/innen außerhalb des Bots "
                                      "gefunden wurden.",
                                "en": "Only needed if the experts were found outside the bot."},
    "button.answer": {"de": "Antworten", "en": "Answer"},
    "button.edit": {"de": "Anfrage bearbeiten", "en": "Edit request"},
    "button.name_experts": {"de": "Expert/innen benennen", "en": "Name experts"},
    "button.mark_matched": {"de": "Als vermittelt markieren", "en": "Mark as matched"},
    "dm.approved": {"de": ":tada: Ihre Anfrage *#{id}* wurde von {actor} genehmigt. Jetzt "
                          "benennen die Partnerstädte ihre Expert/innen; Sie werden dann "
                          "miteinander bekannt gemacht.",
                    "en": ":tada: Your request *#{id}* was approved by {actor}. The partner "
                          "cities will now name their experts; you will then be introduced."},
    "dm.declined": {"de": ":x: Ihre Anfrage *#{id}* wurde von {actor} leider abgelehnt. "
                          "Begründung:",
                    "en": ":x: Your request *#{id}* was declined by {actor}. Reason:"},
    "dm.question": {"de": ":question: {actor} hat eine Rückfrage zu Ihrer Anfrage *#{id}*. "
                          "Bitte antworten Sie oder bearbeiten Sie die Anfrage:",
                    "en": ":question: {actor} has a question about your request *#{id}*. "
                          "Please answer or edit the request:"},
    "dm.cancelled": {"de": ":leftwards_arrow_with_hook: Ihre Anfrage *#{id}* wurde von {actor} "
                           "zurückgezogen.",
                     "en": ":leftwards_arrow_with_hook: Your request *#{id}* was withdrawn by "
                           "{actor}."},
    "dm.cancelled_contact": {"de": ":leftwards_arrow_with_hook: Zurückgezogen: Die C+R-Anfrage "
                                   "*#{id}* „{title}“ wurde von {actor} zurückgezogen. Für Sie "
                                   "ist nichts mehr zu tun.",
                             "en": ":leftwards_arrow_with_hook: Withdrawn: C+R request *#{id}* "
                                   "\"{title}\" was withdrawn by {actor}. You don't need to do "
                                   "anything."},
    "dm.matched": {"de": ":handshake: Für Ihre Anfrage *#{id}* sind alle Expert/innen benannt. "
                         "Alle Beteiligten sind in einer Gruppen-Nachricht miteinander "
                         "verbunden – dort können Sie alles Weitere absprechen:",
                   "en": ":handshake: All experts for your request *#{id}* have been named. "
                         "Everyone is together in a group conversation, where you can arrange "
                         "the rest:"},
    "dm.matched_marked": {"de": ":handshake: Für Ihre Anfrage *#{id}* sind die Expert/innen "
                                "gefunden; {actor} hat sie als vermittelt markiert. Viel Erfolg "
                                "beim Austausch!",
                          "en": ":handshake: The experts for your request *#{id}* have been "
                                "found; {actor} marked it as matched. Enjoy the exchange!"},
    "matched.link": {"de": "Zur Gruppen-Nachricht", "en": "Open the group conversation"},
    "naming.intro": {"de": ":handshake: Die C+R-Anfrage *#{id}* aus {own} ist genehmigt. Bitte "
                           "benennen Sie die Expert/innen für {city}:",
                     "en": ":handshake: C+R request *#{id}* from {own} was approved. Please "
                           "name the experts for {city}:"},
    "coord.approved": {"de": ":information_source: Zur Info: Anfrage *#{id}* wurde von {actor} "
                             "genehmigt. Die Partnerstädte benennen jetzt Expert/innen; für Sie "
                             "ist nichts zu tun.",
                       "en": ":information_source: FYI: request *#{id}* was approved by {actor}. "
                             "The partner cities are now naming experts; you don't need to do "
                             "anything."},
    "intro.text": {"de": ":wave: Darf ich vorstellen? {requester} hat die C+R-Anfrage *#{id}* "
                         "gestellt; alle Partnerstädte haben ihre Expert/innen benannt. Hier "
                         "können Sie alles Weitere absprechen.",
                   "en": ":wave: Let me introduce you: {requester} filed C+R request *#{id}*, "
                         "and every partner city has named its experts. Use this "
                         "conversation to arrange the rest."},
    "intro.note": {"de": "Hinweis aus {city}", "en": "Note from {city}"},
    "refused.not_found": {"de": "Die Anfrage #{id} gibt es nicht (mehr).",
                          "en": "Request #{id} does not exist (or no longer exists)."},
    "refused.not_contact": {"de": ":no_entry: Über diese Anfrage entscheiden die "
                                  "Ansprechpartner/innen von {city} oder die Koordination – "
                                  "Ihr Klick hat nichts geändert.",
                            "en": ":no_entry: The contacts of {city} or the coordinators decide "
                                  "on this request – your click changed nothing."},
    "refused.not_naming": {"de": ":no_entry: Die Expert/innen für {city} benennen deren "
                                 "Ansprechpartner/innen oder die Koordination – Ihr Klick hat "
                                 "nichts geändert.",
                           "en": ":no_entry: The experts for {city} are named by its contacts "
                                 "or the coordinators – your click changed nothing."},
    "refused.not_coordinator": {"de": ":no_entry: Das kann nur die Koordination des Netzwerks.",
                                "en": ":no_entry: Only the network's coordinators can do that."},
    "refused.already": {"de": ":information_source: Hier hat sich nichts geändert: {actor} hat "
                              "bereits gehandelt ({when}; Stand: {status}).",
                        "en": ":information_source: Nothing changed: {actor} already acted "
                              "({when}; status: {status})."},
    "refused.stale": {"de": ":information_source: Diese Nachricht ist nicht mehr aktuell – die "
                            "Anfrage #{id} wurde inzwischen geändert. Bitte nutzen Sie die "
                            "neueste Nachricht dazu.",
                      "en": ":information_source: This message is out of date – request #{id} "
                            "has changed since. Please use the latest message about it."},
    "refused.not_requester": {"de": ":no_entry: Das kann nur {user}, die anfragende Person.",
                              "en": ":no_entry: Only {user}, who filed the request, can do that."},
    "refused.already_named": {"de": ":information_source: Für {city} hat {actor} bereits "
                                    "Expert/innen benannt.",
                              "en": ":information_source: {actor} already named experts for "
                                    "{city}."},
    "refused.title": {"de": "Nicht möglich", "en": "Not possible"},
    "modal.decline.title": {"de": "Ablehnen", "en": "Decline"},
    "modal.decline.submit": {"de": "Ablehnen", "en": "Decline"},
    "modal.decline.reason": {"de": "Begründung für die anfragende Person",
                             "en": "Your reason (the requester will read it)"},
    "modal.ask.title": {"de": "Rückfrage", "en": "Ask a question"},
    "modal.ask.submit": {"de": "Senden", "en": "Send"},
    "modal.ask.question": {"de": "Ihre Frage an die anfragende Person",
                           "en": "Your question to the requester"},
    "modal.answer.title": {"de": "Antworten", "en": "Answer"},
    "modal.answer.label": {"de": "Ihre Antwort", "en": "Your answer"},
    "modal.name.title": {"de": "Expert/innen benennen", "en": "Name experts"},
    "modal.name.submit": {"de": "Benennen", "en": "Name"},
    "modal.name.experts": {"de": "Expert/innen aus {city}", "en": "Experts from {city}"},
    "modal.name.note": {"de": "Hinweis für alle (optional)", "en": "Note for everyone (optional)"},
    # What happens when a small modal is sent: said under its field, before anyone clicks.
    "modal.decline.then": {
        "de": "Die anfragende Person erhält Ihre Begründung; die Anfrage ist dann abgeschlossen.",
        "en": "The requester receives your reason; the request is then closed.",
    },
    "modal.ask.then": {
        "de": "Die anfragende Person erhält Ihre Frage und kann sie beantworten oder die Anfrage "
              "bearbeiten. Danach liegt die Anfrage Ihnen und den anderen "
              "Ansprechpartner/innen wieder zur Entscheidung vor.",
        "en": "The requester receives your question and can answer it or edit the request. "
              "Then it comes back to you and the other contacts for a decision.",
    },
    "modal.answer.question": {"de": "Die Rückfrage", "en": "The question"},
    "modal.answer.then": {
        "de": "Ihre Antwort geht an die Ansprechpartner/innen Ihrer Stadt; sie entscheiden dann "
              "erneut über Ihre Anfrage.",
        "en": "Your answer goes to the contacts of your city, who then decide on your request "
              "again.",
    },
    "modal.answer.then_city": {
        "de": "Ihre Antwort geht an die Ansprechpartner/innen von {city}; sie entscheiden dann "
              "erneut über Ihre Anfrage.",
        "en": "Your answer goes to the contacts of {city}, who then decide on your request "
              "again.",
    },
    "modal.name.then": {
        "de": "Wir öffnen danach eine Gruppen-Direktnachricht mit der anfragenden Person, den "
              "Expert/innen und Ihnen und stellen alle einander vor.",
        "en": "We then open a group DM with the requester, the experts and you, and introduce "
              "everyone.",
    },
    "modal.reflect.then": {
        "de": "Ihre Antworten sind für die Koordination des Netzwerks bestimmt; andere "
              "Teilnehmende sehen sie nicht. In den Jahresbericht gehen nur die Bewertung und "
              "die Weiterempfehlung ein, ohne Namen.",
        "en": "Your answers are for the network's coordinators; other participants do not see "
              "them. The yearly report uses only the rating and the recommendation, without "
              "names.",
    },
    "modal.loading": {"de": "Einen Moment …", "en": "One moment …"},
    "modal.close_only": {"de": "Schließen", "en": "Close"},
    "button.approve": {"de": "Genehmigen", "en": "Approve"},
    "button.decline": {"de": "Ablehnen", "en": "Decline"},
    "button.ask": {"de": "Rückfrage", "en": "Ask a question"},

    # --- home ----------------------------------------------------------------------
    "home.title": {"de": "C+R – Coaching + Reflexion", "en": "C+R – Coaching + Reflexion"},
    "home.intro": {
        "de": "Arbeiten Sie ein paar Tage mit Expert/innen einer Partnerstadt an Ihrer Frage. "
              "Hier sehen Sie Ihre Anfragen und was auf Sie wartet.",
        "en": "Work for a few days with experts from a partner city on your question. "
              "Here you see your requests and what is waiting for you.",
    },
    "home.new": {"de": "Neue C+R-Anfrage", "en": "New C+R request"},
    "home.to_decide": {"de": ":inbox_tray: Warten auf Ihre Entscheidung",
                       "en": ":inbox_tray: Waiting for your decision"},
    "home.to_name": {"de": ":handshake: Expert/innen benennen", "en": ":handshake: Name experts"},
    "home.name_for": {"de": "Expert/innen für {city} gesucht", "en": "Experts needed for {city}"},
    "home.mine": {"de": ":memo: Ihre Anfragen", "en": ":memo: Your requests"},
    "home.upcoming": {"de": ":calendar: Anstehende Austausche im Netzwerk",
                      "en": ":calendar: Upcoming exchanges in the network"},
    "home.more": {"de": "… und {n} weitere", "en": "… and {n} more"},
    "next.submitted": {"de": "die Ansprechpartner/innen von {city} entscheiden.",
                       "en": "the contacts of {city} will decide."},
    "next.needs_info": {"de": "bitte beantworten Sie die Rückfrage (siehe Nachrichten).",
                        "en": "please answer the question (see Messages)."},
    "next.approved": {"de": "die Partnerstädte benennen Expert/innen.",
                      "en": "the partner cities will name experts."},
    "next.matched": {"de": "viel Erfolg beim Austausch; danach bitten wir um eine Reflexion.",
                     "en": "enjoy the exchange; afterwards we will ask you for a reflection."},
    # Closed requests: the status says it all; no next step to repeat it.
    "next.declined": {"de": "", "en": ""},
    "next.cancelled": {"de": "", "en": ""},
    "next.completed": {"de": "danke für Ihre Teilnahme!", "en": "thank you for taking part!"},

    # --- digest --------------------------------------------------------------------
    "digest.title": {"de": "C+R-Austausche der nächsten vier Wochen",
                     "en": "C+R exchanges in the next four weeks"},
    "digest.week": {"de": "Woche ab {day}", "en": "Week of {day}"},
    "digest.nothing": {"de": "_Nichts geplant._", "en": "_Nothing planned._"},
    "digest.pending.zero": {"de": "Keine Anfrage wartet auf eine Entscheidung.",
                            "en": "No request is waiting for a decision."},
    "digest.pending.one": {"de": "1 Anfrage wartet auf eine Entscheidung.",
                           "en": "1 request is waiting for a decision."},
    "digest.pending.other": {"de": "{n} Anfragen warten auf eine Entscheidung.",
                             "en": "{n} requests are waiting for a decision."},
    "digest.continued": {"de": "Fortsetzung ({n}/{total})", "en": "Continued ({n}/{total})"},
    "upcoming.none": {"de": "In den nächsten vier Wochen ist kein C+R-Austausch geplant.",
                      "en": "No C+R exchange is planned in the next four weeks."},

    # --- reminders and reflections ----------------------------------------------------
    "remind.contact": {
        "de": ":alarm_clock: Erinnerung: Die C+R-Anfrage *#{id}* von {user} wartet seit {days} "
              "Arbeitstagen auf eine Entscheidung. Sie können gleich hier mit den Schaltflächen "
              "entscheiden. Nach {escalate} Arbeitstagen übernimmt die Koordination.",
        "en": ":alarm_clock: Reminder: C+R request *#{id}* from {user} has been waiting {days} "
              "working days for a decision. You can decide right here with the buttons. After "
              "{escalate} working days the coordinators take over.",
    },
    "remind.escalate": {
        "de": ":rotating_light: Die C+R-Anfrage *#{id}* von {user} wartet seit {days} "
              "Arbeitstagen auf eine Entscheidung der Ansprechpartner/innen von {city} "
              "({contacts}). Als Koordination können Sie selbst entscheiden:",
        "en": ":rotating_light: C+R request *#{id}* from {user} has been waiting {days} working "
              "days for a decision by the contacts of {city} ({contacts}). As a coordinator you "
              "can decide yourself:",
    },
    "reflect.ask": {
        "de": ":thought_balloon: Wie war der Austausch zu *#{id}* „{title}“? Ein paar Sätze "
              "Reflexion helfen dem Netzwerk – das dauert zwei Minuten.",
        "en": ":thought_balloon: How was the exchange on *#{id}* \"{title}\"? A few lines of "
              "reflection help the network – it takes two minutes.",
    },
    "button.reflect": {"de": "Reflexion schreiben", "en": "Write reflection"},
    "reflect.thanks": {"de": ":pray: Danke für Ihre Reflexion zu *#{id}*!",
                       "en": ":pray: Thank you for your reflection on *#{id}*!"},
    "modal.reflect.title": {"de": "Reflexion", "en": "Reflection"},
    "modal.reflect.submit": {"de": "Speichern", "en": "Save"},
    "modal.reflect.worked": {"de": "Was hat gut funktioniert?", "en": "What worked well?"},
    "modal.reflect.not_worked": {"de": "Was hat nicht funktioniert?", "en": "What did not work?"},
    "modal.reflect.recommend": {"de": "Würden Sie einen solchen Austausch weiterempfehlen?",
                                "en": "Would you recommend such an exchange?"},
    "modal.reflect.rating": {"de": "Gesamteindruck (1 = schlecht, 5 = sehr gut)",
                             "en": "Overall (1 = poor, 5 = excellent)"},
    "yes": {"de": "Ja", "en": "Yes"},
    "no": {"de": "Nein", "en": "No"},
    "refused.not_participant": {"de": ":no_entry: Reflexionen schreiben die anfragende Person "
                                      "und die Expert/innen dieses Austauschs.",
                                "en": ":no_entry: Reflections are written by the requester and "
                                      "the experts of this exchange."},
    "refused.already_reflected": {"de": ":information_source: Sie haben zu *#{id}* bereits eine "
                                        "Reflexion abgegeben – danke!",
                                  "en": ":information_source: You have already reflected on "
                                        "*#{id}* – thank you!"},
    "refused.not_ended": {"de": ":information_source: Der Austausch #{id} ist noch nicht "
                                "vorbei.",
                          "en": ":information_source: Exchange #{id} has not ended yet."},
    "outcome.reflected": {"de": ":pray: Reflexion abgegeben · {when} – danke!",
                          "en": ":pray: Reflection given · {when} – thank you!"},

    "ics.title": {"de": "C+R-Austausch #{id} (Kalender)", "en": "C+R exchange #{id} (calendar)"},
    "ics.comment": {"de": ":calendar: Der Austausch #{id} für Ihren Kalender – Datei öffnen "
                          "oder importieren.",
                    "en": ":calendar: Exchange #{id} for your calendar – open or import the "
                          "file."},

    # --- commands ------------------------------------------------------------------
    "help": {
        "de": "*C+R-Anfragen* – Coaching + Reflexion mit Expert/innen der Partnerstädte\n"
              "• `/cr-request` – neue Anfrage stellen (öffnet ein Formular)\n"
              "• `/cr-request list` – Ihre Anfragen und ihr Stand\n"
              "• `/cr-request upcoming` – anstehende Termine im Netzwerk\n"
              "• `/cr-request suche BEGRIFF` – frühere Austausche und ihre Erkenntnisse\n"
              "• `/cr-request expert/innen THEMA` – wer schon Expert/in zu einem Thema war\n"
              "• `/cr-request report` – Jahresbericht (nur Koordination)\n"
              "• `/cr-request vertretung @person bis 31.12.` – Ihre Vertretung eintragen "
              "(`vertretung ende` beendet sie)\n"
              "• `/cr-request help` – diese Hilfe\n"
              "Auch über das Blitz-Menü (⚡): *C+R-Anfrage stellen*.",
        "en": "*C+R requests* – Coaching + Reflexion with experts from partner cities\n"
              "• `/cr-request` – file a new request (opens a form)\n"
              "• `/cr-request list` – your requests and their status\n"
              "• `/cr-request upcoming` – upcoming exchanges in the network\n"
              "• `/cr-request search WORDS` – past exchanges and what they taught\n"
              "• `/cr-request experts TOPIC` – who acted as expert on a topic\n"
              "• `/cr-request report` – yearly report (coordinators only)\n"
              "• `/cr-request deputy @person until 31.12.` – name your deputy "
              "(`deputy end` ends it)\n"
              "• `/cr-request help` – this help\n"
              "Also in the shortcuts menu (⚡): *C+R-Anfrage stellen* (file a C+R request).",
    },
    "help.unknown": {"de": "Unbekannt: „{word}“. So geht es:",
                     "en": "Unknown: \"{word}\". Here is how it works:"},
    "list.title": {"de": "*Ihre C+R-Anfragen*", "en": "*Your C+R requests*"},
    "list.empty": {"de": "Sie haben noch keine C+R-Anfrage gestellt. Mit `/cr-request` "
                         "stellen Sie Ihre erste.",
                   "en": "You have not filed a C+R request yet. Use `/cr-request` to file "
                         "your first."},
    "list.more": {"de": "… und {n} ältere.", "en": "… and {n} older ones."},
    "directory.empty": {
        "de": ":wrench: Der C+R-Bot ist noch nicht eingerichtet: Es fehlen Städte oder Themen. "
              "Bitte wenden Sie sich an die Koordination. Für Admins: Verzeichnis nach "
              "`directory.example.toml` anlegen, mit `cr-bot directory check DATEI` prüfen und "
              "mit `cr-bot directory sync DATEI` laden.",
        "en": ":wrench: The C+R bot is not set up yet: cities or topics are missing. Please "
              "contact the coordinators. For admins: write the directory modelled on "
              "`directory.example.toml`, check it with `cr-bot directory check FILE` and load it "
              "with `cr-bot directory sync FILE`.",
    },
    "error.generic": {
        "de": ":warning: Das hat leider nicht geklappt. Bitte versuchen Sie es gleich noch "
              "einmal; nichts von Ihren Eingaben ist verloren.",
        "en": ":warning: Sorry, that did not work. Please try again in a moment; nothing "
              "you entered is lost.",
    },
    "error.db": {
        "de": ":hourglass: Der C+R-Bot ist gerade kurz nicht erreichbar. Bitte versuchen Sie "
              "es in ein paar Minuten noch einmal.",
        "en": ":hourglass: The C+R bot is briefly unavailable. Please try again in a few "
              "minutes.",
    },
    "error.modal_failed": {
        "de": ":warning: Das Formular ließ sich nicht öffnen. Bitte `/cr-request` noch einmal "
              "eingeben.",
        "en": ":warning: The form could not be opened. Please type `/cr-request` again.",
    },
    "error.button_modal_failed": {
        "de": ":warning: Das Formular ließ sich gerade nicht öffnen. Bitte klicken Sie gleich "
              "noch einmal; es hat sich nichts geändert.",
        "en": ":warning: The form could not be opened just now. Please click again in a "
              "moment; nothing has changed.",
    },
    "delivery.failed": {
        "de": ":rotating_light: Eine Nachricht zu Anfrage #{id} konnte nicht zugestellt "
              "werden ({method}: `{error}`). Bitte prüfen Sie das Verzeichnis.",
        "en": ":rotating_light: A message about request #{id} could not be delivered "
              "({method}: `{error}`). Please check the directory.",
    },
    # --- yearly report (/cr-request report, cr-bot report) ---------------------
    # report.status.* are the report's own short words, not the status.* lines of a request.
    "report.title": {"de": "C+R-Jahresbericht {year}", "en": "C+R annual report {year}"},
    "report.overview": {"de": "Überblick", "en": "Overview"},
    "report.metric": {"de": "Kennzahl", "en": "Metric"},
    "report.value": {"de": "Wert", "en": "Value"},
    "report.year": {"de": "Jahr", "en": "Year"},
    "report.requests_filed": {"de": "Anfragen gestellt", "en": "Requests filed"},
    "report.exchanges": {"de": "Austausche", "en": "Exchanges"},
    "report.travellers": {"de": "Reisende Personen", "en": "People travelling"},
    "report.cost": {"de": "Geschätzte Reisekosten (EUR)", "en": "Estimated travel costs (EUR)"},
    "report.with_cost": {"de": "Austausche mit Kostenschätzung",
                         "en": "Exchanges with a cost estimate"},
    "report.decisions": {"de": "Entscheidungen", "en": "Decisions"},
    "report.decision_median": {"de": "Entscheidungsdauer, Median (Stunden)",
                               "en": "Time to decision, median (hours)"},
    "report.reflections": {"de": "Reflexionen", "en": "Reflections"},
    "report.rating_mean": {"de": "Bewertung, Durchschnitt (1–5)", "en": "Rating, mean (1–5)"},
    "report.recommend": {"de": "Würden weiterempfehlen (%)", "en": "Would recommend (%)"},
    "report.by_status": {"de": "Anfragen nach Status", "en": "Requests by status"},
    "report.status": {"de": "Status", "en": "Status"},
    "report.requests": {"de": "Anfragen", "en": "Requests"},
    "report.by_pair": {"de": "Austausche nach Städtepaar", "en": "Exchanges by city pair"},
    "report.own_city": {"de": "Eigene Stadt", "en": "Own city"},
    "report.partner_city": {"de": "Partnerstadt", "en": "Partner city"},
    "report.by_topic": {"de": "Austausche nach Thema", "en": "Exchanges by topic"},
    "report.topic": {"de": "Thema", "en": "Topic"},
    "report.by_format": {"de": "Austausche nach Format", "en": "Exchanges by format"},
    "report.format": {"de": "Format", "en": "Format"},
    "report.ratings": {"de": "Bewertungen der Reflexionen", "en": "Reflection ratings"},
    "report.rating": {"de": "Bewertung", "en": "Rating"},
    "report.none": {"de": "keine", "en": "none"},
    "report.note": {
        "de": "Anfragen und Entscheidungen: gestellt {year} ({tz}). Austausche: genehmigte, "
              "benannte und abgeschlossene Anfragen mit Beginn {year}; ein Austausch mit "
              "mehreren Partnerstädten zählt bei jedem Städtepaar.",
        "en": "Requests and decisions: filed in {year} ({tz}). Exchanges: approved, matched "
              "and completed requests starting in {year}; an exchange with several partner "
              "cities counts for each city pair.",
    },
    "report.refused": {"de": ":no_entry: Den Jahresbericht sieht nur die Koordination des "
                             "Netzwerks.",
                       "en": ":no_entry: Only the network's coordinators can see the yearly "
                             "report."},
    "report.bad_year": {"de": "Bitte ein Jahr angeben, z. B. `/cr-request report {year}`.",
                        "en": "Please give a year, e.g. `/cr-request report {year}`."},
    # --- the yearly report as a page (cr-bot report --format html) and its Slack chart --
    "page.subtitle": {"de": "Kollegiale Beratung zwischen Partnerstädten: das Jahr {year} "
                            "in Zahlen",
                      "en": "Peer advice between partner cities: {year} in numbers"},
    "page.as_of": {"de": "Stand: {date}", "en": "As of {date}"},
    "page.headline": {"de": "Das Jahr auf einen Blick", "en": "The year at a glance"},
    "page.h.exchanges": {"de": "Austausche", "en": "Exchanges"},
    "page.h.people": {"de": "Reisende Personen", "en": "People travelling"},
    "page.h.cities": {"de": "Beteiligte Städte", "en": "Cities taking part"},
    "page.h.topics": {"de": "Themen", "en": "Topics"},
    "page.h.budget_used": {"de": "Budget ausgeschöpft", "en": "Budget used"},
    "page.h.budget_used_of": {"de": "{paid} von {budget}", "en": "{paid} of {budget}"},
    "page.h.cost": {"de": "Geschätzte Reisekosten", "en": "Estimated travel costs"},
    "page.months": {"de": "Austausche pro Monat", "en": "Exchanges per month"},
    "page.months.note": {"de": "Nach dem Monat des ersten Austauschtags.",
                         "en": "By the month of the exchange's first day."},
    "page.month": {"de": "Monat", "en": "Month"},
    "page.pairs": {"de": "Städtepaare: wer mit wem?", "en": "City pairs: who with whom?"},
    "page.pairs.note": {"de": "Zeilen: die anfragende Stadt; Spalten: die Partnerstadt. "
                              "Zahlen auf beiden Seiten der Diagonale zeigen "
                              "Gegenseitigkeit.",
                        "en": "Rows: the city asking; columns: the partner city. Numbers "
                              "on both sides of the diagonal show reciprocity."},
    "page.pairs.from": {"de": "Anfragende Stadt", "en": "City asking"},
    "page.pairs.to": {"de": "Partnerstadt", "en": "Partner city"},
    "page.pairs.mutual": {"de": "Gegenseitig: {pairs}.", "en": "Both ways: {pairs}."},
    "page.pairs.mutual_n": {"de": "In {n} von {total} Städtepaaren gab es Austausche in beide "
                                  "Richtungen.",
                            "en": "{n} of {total} city pairs had exchanges both ways."},
    "page.topics_formats": {"de": "Themen und Formate", "en": "Topics and formats"},
    "page.budget": {"de": "Budget je Stadt", "en": "Budget per city"},
    "page.budget.none": {"de": "Für dieses Jahr steht kein Budget im Verzeichnis.",
                         "en": "There is no budget in the directory for this year."},
    "page.budget.city": {"de": "Stadt", "en": "City"},
    "page.budget.budget": {"de": "Budget", "en": "Budget"},
    "page.budget.committed": {"de": "Zugesagt", "en": "Committed"},
    "page.budget.paid": {"de": "Ausgezahlt", "en": "Paid"},
    "page.budget.total": {"de": "Gesamt", "en": "Total"},
    "page.ratings": {"de": "Wie hilfreich war der Austausch?", "en": "How useful was it?"},
    "page.ratings.note": {"de": "{n} Reflexionen, Durchschnitt {mean} von 5; {share} würden "
                                "C+R weiterempfehlen.",
                          "en": "{n} reflections, mean {mean} of 5; {share} would recommend "
                                "C+R."},
    "page.ratings.none": {"de": "Noch keine Reflexionen zu den Austauschen dieses Jahres.",
                          "en": "No reflections on this year's exchanges yet."},
    "page.followup": {"de": "Haben Sie etwas davon umgesetzt?",
                      "en": "Have you put any of it into practice?"},
    "page.followup.answer": {"de": "Antwort", "en": "Answer"},
    "page.followup.people": {"de": "Personen", "en": "People"},
    "page.followup.yes": {"de": "Ja", "en": "Yes"},
    "page.followup.partly": {"de": "Teilweise", "en": "Partly"},
    "page.followup.no": {"de": "Nein", "en": "No"},
    "page.followup.not_yet": {"de": "Noch nicht", "en": "Not yet"},
    "page.lessons": {"de": "Erkenntnisse für das Netzwerk", "en": "Lessons shared with the "
                                                               "network"},
    "page.details": {"de": "Die Zahlen im Einzelnen", "en": "The numbers in detail"},
    "page.chart_label": {"de": "Diagramm: {title}", "en": "Chart: {title}"},
    "page.nothing": {"de": "Keine Austausche in diesem Jahr.",
                     "en": "No exchanges this year."},
    "report.chart.comment": {"de": "*{title}* · Austausche: {exchanges} · Reisende Personen: "
                                   "{people} · Städte: {cities} · Themen: {topics}",
                             "en": "*{title}* · Exchanges: {exchanges} · People travelling: "
                                   "{people} · Cities: {cities} · Topics: {topics}"},
    "report.chart.budget_used": {"de": "Budget ausgeschöpft: {share}",
                                 "en": "Budget used: {share}"},
    "report.chart.failed": {"de": ":warning: Die Grafik zum Jahresbericht konnte Slack gerade "
                                  "nicht annehmen; die Zahlen oben sind vollständig. Bitte "
                                  "später noch einmal `/cr-request report {year}` senden.",
                            "en": ":warning: Slack could not take the report's chart just "
                                  "now; the numbers above are complete. Please send "
                                  "`/cr-request report {year}` again later."},
    "report.status.submitted": {"de": "eingereicht", "en": "submitted"},
    "report.status.needs_info": {"de": "Rückfrage offen", "en": "question pending"},
    "report.status.approved": {"de": "genehmigt", "en": "approved"},
    "report.status.matched": {"de": "Expert/innen benannt", "en": "experts named"},
    "report.status.declined": {"de": "abgelehnt", "en": "declined"},
    "report.status.cancelled": {"de": "zurückgezogen", "en": "cancelled"},
    "report.status.completed": {"de": "abgeschlossen", "en": "completed"},
}
# fmt: on

# Goals, joint reflection, the network's memory: their own module, the same table.
from bot.texts.texts_memory import MEMORY_TEXTS  # noqa: E402

TEXTS.update(MEMORY_TEXTS)
# Budgets, cost claims and deputies (issue 14) keep their texts in a module of their own.
from bot.texts.texts_programme import PROGRAMME_TEXTS  # noqa: E402

TEXTS.update(PROGRAMME_TEXTS)
# Issue 20's hardening (namings at once, deputies, four-eyes rule, buttons after the end).
from bot.texts.texts_race import RACE_TEXTS  # noqa: E402

TEXTS.update(RACE_TEXTS)
