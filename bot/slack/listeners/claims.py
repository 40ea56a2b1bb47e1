"""Cost claims: the requester's button and modal (with the receipts' file_input), and the
coordinators' buttons Sachlich richtig / Rückfrage / Ausgezahlt."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.claims import ClaimStep
from bot.domain.money import parse_amount, to_cents
from bot.domain.request import people_travelling
from bot.slack import ids, views
from bot.slack.listeners.common import (
    modal_lang,
    open_modal,
    request_target,
    show_context,
    user_of,
    with_required_text,
)
from bot.slack.listeners.guards import verify_origin
from bot.slack.services import Services
from bot.slack.views.programme import (
    CLAIM_NOTE_MAX,
    claim_modal,
    claim_question_modal,
    receipts,
)
from bot.texts import t
from bot.usecases import claims

MAX_CLAIM_CENTS = 99_999_99  # as the estimate: up to 99.999,99 €


def register(app: App) -> None:
    app.action(ids.A_CLAIM)(claim_clicked)
    app.action(ids.A_CLAIM_CHECK)(check_clicked)
    app.action(ids.A_CLAIM_PAID)(paid_clicked)
    app.action(ids.A_CLAIM_QUESTION)(question_clicked)
    app.view(ids.VIEW_CLAIM)(claim_submitted)
    app.view(ids.VIEW_CLAIM_QUESTION)(question_submitted)


def claim_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The modal first; then: is this the requester, and is the claim still to be made?"""
    ack()
    user = user_of(body)
    target = request_target(body)
    lang = services.lang_of(user, cached=True)  # no database before views.open
    view_id = open_modal(services, client, context, body, claim_modal(target.request_id, lang))
    if view_id is not None:
        verify_origin(services, body, target.request_id)
        s = claims.check_claimer(services.session_factory, target.request_id, user)
        lang = services.lang_of(user)
        modal = claim_modal(
            target.request_id,
            lang,
            travelling=people_travelling(s),
            request=s,
            directory=services.directory,
        )
        show_context(client, view_id, modal)


def claim_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    state = view.get("state", {}).get("values")
    amount_text = views.text_value(state, ids.B_CLAIM_AMOUNT)
    note = views.text_value(state, ids.B_CLAIM_NOTE) or None
    errors = {}
    try:
        amount = parse_amount(amount_text, lang)
    except ValueError:
        amount = None
    cents = to_cents(amount) if amount is not None else 0
    if not 0 < cents <= MAX_CLAIM_CENTS:
        errors[ids.B_CLAIM_AMOUNT] = t(lang, "err.claim_amount")
    if note and len(note) > CLAIM_NOTE_MAX:
        errors[ids.B_CLAIM_NOTE] = t(lang, "err.too_long", max=CLAIM_NOTE_MAX, n=len(note))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    claims.submit_claim(
        services.session_factory,
        views.metadata_id(meta, "id"),
        actor=user,
        amount_cents=cents,
        per_person=views.selected_value(state, ids.B_CLAIM_BASIS) == "per_person",
        note=note,
        receipts=receipts(state, ids.B_CLAIM_FILES),
        ctx=services.context(),
        now=services.clock(),
    )
    ack()


def _step(body: dict[str, Any], services: Services, step: ClaimStep) -> None:
    target = request_target(body)
    verify_origin(services, body, target.request_id)
    claims.claim_step(
        services.session_factory,
        target.request_id,
        target.version,
        step,
        actor=user_of(body),
        ctx=services.context(),
        now=services.clock(),
    )


def check_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    ack()
    _step(body, services, ClaimStep.CHECK)


def paid_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    ack()
    _step(body, services, ClaimStep.PAY)


def question_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The question modal first, then the check (a coordinator, on the current claim)."""
    ack()
    user = user_of(body)
    target = request_target(body)
    lang = services.lang_of(user, cached=True)
    modal = claim_question_modal(target.request_id, target.version, lang)
    if open_modal(services, client, context, body, modal) is not None:
        verify_origin(services, body, target.request_id)
        claims.check_stepper(
            services.session_factory, target.request_id, target.version, user, services.context()
        )


def question_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    def act(user: str, request_id: int, version: int, text: str) -> None:
        claims.claim_step(
            services.session_factory,
            request_id,
            version,
            ClaimStep.QUESTION,
            actor=user,
            comment=text,
            ctx=services.context(),
            now=services.clock(),
        )

    with_required_text(ack, body, view, services, act)
