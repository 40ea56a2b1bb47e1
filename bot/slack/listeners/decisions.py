"""Deciding, asking, answering, editing and cancelling: the buttons and their modals.

A button acts at once, or opens its modal first (the trigger dies in 3 s) and checks
after; a submission runs its use case before the ack. Refusals are raised: the error
handler says them where the person acted.
"""

from __future__ import annotations

from typing import Any, Protocol

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.domain.request import check_new_dates as check_dates
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
from bot.slack.targets import RequestTarget
from bot.slack.views.programme import new_dates_modal, selected_date
from bot.texts import t
from bot.usecases import decisions


def register(app: App) -> None:
    app.action(ids.A_APPROVE)(approve_clicked)
    app.action(ids.A_DECLINE)(decline_clicked)
    app.action(ids.A_ASK)(ask_clicked)
    app.action(ids.A_ANSWER)(answer_clicked)
    app.action(ids.A_EDIT)(edit_clicked)
    app.action(ids.A_CANCEL)(cancel_clicked)
    app.view(ids.VIEW_DECLINE)(decline_submitted)
    app.view(ids.VIEW_ASK)(ask_submitted)
    app.view(ids.VIEW_ANSWER)(answer_submitted)
    app.action(ids.A_NEW_DATES)(new_dates_clicked)
    app.view(ids.VIEW_NEW_DATES)(new_dates_submitted)


# ---- buttons that act at once


def approve_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    ack()
    target = request_target(body)
    verify_origin(services, body, target.request_id)
    decisions.decide(
        services.session_factory,
        target.request_id,
        target.version,
        "approve",
        actor=user_of(body),
        ctx=services.context(),
        now=services.clock(),
    )


def cancel_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    ack()
    target = request_target(body)
    verify_origin(services, body, target.request_id)
    decisions.cancel(
        services.session_factory,
        target.request_id,
        actor=user_of(body),
        ctx=services.context(),
        now=services.clock(),
    )


# ---- buttons that open a modal: views.open first, then the checks


class DeciderModal(Protocol):
    def __call__(
        self,
        request_id: int,
        version: int,
        lang: str,
        *,
        request: Summary | None = None,
        directory: Directory | None = None,
    ) -> dict[str, Any]: ...


def decline_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    ack()
    open_decider_modal(body, client, context, services, views.decline_modal)


def ask_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    ack()
    open_decider_modal(body, client, context, services, views.ask_modal)


def open_decider_modal(
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    services: Services,
    make: DeciderModal,
) -> None:
    """Decline and ask: the modal at once (no database before views.open), then the checks
    of a decider, then the modal again with what the request is about."""
    target = request_target(body)
    lang = services.lang_of(user_of(body), cached=True)
    view_id = open_modal(
        services, client, context, body, make(target.request_id, target.version, lang)
    )
    if view_id is not None:
        s = check_decider(services, body, target)
        lang = services.lang_of(user_of(body))
        modal = make(
            target.request_id, target.version, lang, request=s, directory=services.directory
        )
        show_context(client, view_id, modal)


def check_decider(services: Services, body: dict[str, Any], target: RequestTarget) -> Summary:
    """Decline and ask: the same checks as approving, before the person types a reason."""
    verify_origin(services, body, target.request_id)
    return decisions.check_decider(
        services.session_factory,
        target.request_id,
        target.version,
        user_of(body),
        services.refresh_directory(),
        today=services.clock().astimezone(services.settings.timezone).date(),
    )


def answer_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    ack()
    target = request_target(body)
    lang = services.lang_of(user_of(body), cached=True)  # no database before views.open
    view_id = open_modal(
        services, client, context, body, views.answer_modal(target.request_id, target.version, lang)
    )
    if view_id is not None:
        verify_origin(services, body, target.request_id)
        # The directory as of now: a contact removed from it loses their rights at once.
        s, question = decisions.check_answerer(
            services.session_factory, target.request_id, user_of(body), services.refresh_directory()
        )
        lang = services.lang_of(user_of(body))
        modal = views.answer_modal(
            target.request_id,
            target.version,
            lang,
            request=s,
            directory=services.directory,
            question=question,
        )
        show_context(client, view_id, modal)


def edit_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The request form, prefilled: "one moment" at once, the form once the checks pass."""
    ack()
    user = user_of(body)
    target = request_target(body)
    loading = views.loading_modal(services.lang_of(user, cached=True))
    view_id = open_modal(services, client, context, body, loading)
    if view_id is None:
        return
    verify_origin(services, body, target.request_id)
    s = decisions.check_editable(services.session_factory, target.request_id, user)
    lang = services.lang_of(user)
    form = views.request_modal(
        services.directory,
        lang,
        prefill=s.as_raw(),
        edit_id=s.id,
        version=s.version,
        privacy=services.privacy(),
    )
    client.views_update(view_id=view_id, view=form)


# ---- the small modals: one required text, then the use case, then the ack


def decline_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    decide_with_text(ack, body, view, services, "decline")


def ask_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services) -> None:
    decide_with_text(ack, body, view, services, "ask")


def decide_with_text(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, decision: str
) -> None:
    """Decline with a reason, or ask a question: on the version the modal was opened for."""

    def act(user: str, request_id: int, version: int, text: str) -> None:
        decisions.decide(
            services.session_factory,
            request_id,
            version,
            decision,
            actor=user,
            comment=text,
            ctx=services.context(),
            now=services.clock(),
        )

    with_required_text(ack, body, view, services, act)


def answer_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    def act(user: str, request_id: int, _version: int, text: str) -> None:
        decisions.answer(
            services.session_factory,
            request_id,
            actor=user,
            text=text,
            ctx=services.context(),
            now=services.clock(),
        )

    with_required_text(ack, body, view, services, act)


# ---- new dates for a request that lapsed undecided


def new_dates_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """The two date fields at once; the checks, then the modal again with the request."""
    ack()
    user = user_of(body)
    target = request_target(body)
    lang = services.lang_of(user, cached=True)  # no database before views.open
    view = new_dates_modal(target.request_id, target.version, lang)
    view_id = open_modal(services, client, context, body, view)
    if view_id is None:
        return
    verify_origin(services, body, target.request_id)
    s = decisions.check_new_dates(
        services.session_factory, target.request_id, user, version=target.version
    )
    lang = services.lang_of(user)
    modal = new_dates_modal(
        target.request_id, target.version, lang, request=s, directory=services.refresh_directory()
    )
    show_context(client, view_id, modal)


def new_dates_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    """Both dates checked (errors under their fields), then the request is decided anew."""
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    lang = modal_lang(services, meta, user)
    state = view.get("state", {}).get("values")
    date_from = selected_date(state, ids.B_DATE_FROM)
    date_to = selected_date(state, ids.B_DATE_TO)
    today = services.clock().astimezone(services.settings.timezone).date()
    problems = check_dates(date_from, date_to, today=today)
    if problems or date_from is None or date_to is None:
        block = {"date_from": ids.B_DATE_FROM, "date_to": ids.B_DATE_TO}
        errors = {block[p.field]: t(lang, p.key, **p.params) for p in problems}
        ack(response_action="errors", errors=errors)
        return
    decisions.give_new_dates(
        services.session_factory,
        views.metadata_id(meta, "id"),
        views.metadata_id(meta, "v"),
        date_from=date_from,
        date_to=date_to,
        actor=user,
        ctx=services.context(),
        now=services.clock(),
    )
    ack()
