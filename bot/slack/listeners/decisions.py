"""Buttons and modals of deciding, asking, answering, editing, cancelling and naming experts.

Each button: ack, then (for modals) views.open first, then the server-side check;
a refusal is said privately where the person clicked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.errors import Refused
from bot.domain.request import QUESTION_MAX
from bot.i18n import t
from bot.services import Services
from bot.slack import ids, messages, views
from bot.slack.blocks import parse_button_value
from bot.slack.listeners.errors import tell_privately
from bot.slack.listeners.guards import verify_origin
from bot.usecases import decisions, matching

log = logging.getLogger(__name__)


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def _action_value(body: dict[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    value = action.get("value") if isinstance(action, dict) else None
    return value if isinstance(value, str) else None


def _meta_lang(services: Services, meta: dict[str, Any], user: str) -> str:
    lang = meta.get("lang")
    return lang if lang in ("de", "en") else services.lang_of(user)


def refuse(
    services: Services, user: str, refused: Refused, body: dict[str, Any], client: WebClient
) -> None:
    """Say privately, where the person clicked, why nothing changed: below the message,
    or (a click on the Home tab has no response_url) in a small modal."""
    lang = services.lang_of(user)
    text = messages.refusal_text(refused.key, refused.params, lang, services.settings.timezone)
    if body.get("response_url"):
        tell_privately(client, body["response_url"], user, text)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=views.notice_modal(text, lang))


def refusal_view(services: Services, user: str, refused: Refused) -> dict[str, Any]:
    lang = services.lang_of(user)
    text = messages.refusal_text(refused.key, refused.params, lang, services.settings.timezone)
    return views.notice_modal(text, lang)


def modal_failed(
    services: Services, client: WebClient, body: dict[str, Any], user: str, exc: Exception
) -> None:
    """The form could not open (Slack down, trigger expired): say so where they clicked."""
    error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
    log.warning("views.open failed for %s: %s", user, error)
    text = t(services.lang_of(user), "error.button_modal_failed")
    tell_privately(client, body.get("response_url"), user, text)


def open_then_check(
    client: WebClient,
    services: Services,
    trigger_id: str,
    user: str,
    view: dict[str, Any],
    check: Callable[[], Any],
    body: dict[str, Any],
) -> Any:
    """views.open at once (the trigger dies in 3 s), then check; a refusal replaces the modal."""
    try:
        opened = client.views_open(trigger_id=trigger_id, view=view)["view"]
    except SlackApiError as exc:
        modal_failed(services, client, body, user, exc)
        return None
    try:
        return check()
    except Refused as refused:
        client.views_update(view_id=opened["id"], view=refusal_view(services, user, refused))
        return None


def _required_text(services: Services, ack: Ack, view: dict[str, Any], lang: str) -> str | None:
    """The one text field of a small modal, or an inline error (and None)."""
    text = views.text_value(view.get("state", {}).get("values"), ids.B_REASON)
    if not text:
        ack(response_action="errors", errors={ids.B_REASON: t(lang, "err.required_reason")})
        return None
    if len(text) > QUESTION_MAX:
        message = t(lang, "err.too_long", max=QUESTION_MAX, n=len(text))
        ack(response_action="errors", errors={ids.B_REASON: message})
        return None
    return text


NOT_FOUND = Refused("refused.not_found", {"id": "?"})
Target = tuple[int, ...]  # (request id, version) or (request id, version, city) from a button


def _target(body: dict[str, Any]) -> Target:
    target = parse_button_value(_action_value(body))
    if target is None:
        raise NOT_FOUND
    return target


def _naming_target(body: dict[str, Any]) -> Target:
    """Naming buttons carry the partner city too: "<id>:<version>:<city>"."""
    head, _, city = (_action_value(body) or "").rpartition(":")
    target = parse_button_value(head)
    if target is None or not city:
        raise NOT_FOUND
    return (*target, city)  # type: ignore[return-value]


def register(app: App, services: Services) -> None:
    sf = services.session_factory

    def direct_button(action_id: str, run: Callable[[str, Target], object]) -> None:
        """A button that acts at once: ack, check where it was clicked, run the use case."""

        def handler(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            user = _user(body)
            try:
                target = _target(body)
                verify_origin(services, body, target[0])
                run(user, target)
            except Refused as refused:
                return refuse(services, user, refused, body, client)
            services.deliver()

        app.action(action_id)(handler)

    def modal_button(
        action_id: str,
        build: Callable[[Target, str], dict[str, Any]],
        check: Callable[[str, Target], object],
        parse: Callable[[dict[str, Any]], Target] = _target,
    ) -> None:
        """A button that opens a modal: views.open first, then the checks."""

        def handler(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            user = _user(body)
            try:
                target = parse(body)
            except Refused as refused:
                return refuse(services, user, refused, body, client)
            open_then_check(
                client,
                services,
                body["trigger_id"],
                user,
                build(target, services.lang_of(user)),
                lambda: verify_origin(services, body, target[0]) or check(user, target),
                body,
            )

        app.action(action_id)(handler)

    def text_submission(
        callback_id: str, run: Callable[[str, dict[str, Any], str], object]
    ) -> None:
        """A small modal with one required text (reason, question, answer)."""

        def handler(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = _user(body)
            meta = views.parse_metadata(view.get("private_metadata"))
            text = _required_text(services, ack, view, _meta_lang(services, meta, user))
            if text is None:
                return
            try:
                run(user, meta, text)
            except Refused as refused:
                ack(response_action="update", view=refusal_view(services, user, refused))
                return
            ack()
            services.deliver()

        app.view(callback_id)(handler)

    def now_and_notifier() -> dict[str, Any]:
        return {"notifier": services.notifier(), "now": services.clock()}

    direct_button(
        ids.A_APPROVE,
        lambda user, t: decisions.decide(
            sf, t[0], t[1], "approve", actor=user, **now_and_notifier()
        ),
    )
    direct_button(
        ids.A_CANCEL, lambda user, t: decisions.cancel(sf, t[0], actor=user, **now_and_notifier())
    )
    direct_button(
        ids.A_MARK_MATCHED,
        lambda user, t: matching.mark_matched(sf, t[0], actor=user, **now_and_notifier()),
    )

    def may_decide(user: str, t: Target) -> object:
        return decisions.check_decider(sf, t[0], t[1], user, services.directory)

    modal_button(ids.A_DECLINE, lambda t, lang: views.decline_modal(t[0], t[1], lang), may_decide)
    modal_button(ids.A_ASK, lambda t, lang: views.ask_modal(t[0], t[1], lang), may_decide)
    modal_button(
        ids.A_ANSWER,
        lambda t, lang: views.answer_modal(t[0], t[1], lang),
        lambda user, t: decisions.check_requester(sf, t[0], user, services.directory),
    )
    modal_button(
        ids.A_NAME_EXPERTS,
        lambda t, lang: views.name_experts_modal(
            t[0], str(t[2]), services.directory.city_name(str(t[2])), lang
        ),
        lambda user, t: matching.check_namer(sf, t[0], str(t[2]), user, services.notifier()),
        parse=_naming_target,
    )

    for callback_id, kind in ((ids.VIEW_DECLINE, "decline"), (ids.VIEW_ASK, "ask")):
        text_submission(
            callback_id,
            lambda user, meta, text, kind=kind: decisions.decide(
                sf,
                views.metadata_id(meta, "id"),
                views.metadata_id(meta, "v"),
                kind,
                actor=user,
                comment=text,
                **now_and_notifier(),
            ),
        )
    text_submission(
        ids.VIEW_ANSWER,
        lambda user, meta, text: decisions.answer(
            sf, views.metadata_id(meta, "id"), actor=user, text=text, **now_and_notifier()
        ),
    )

    @app.action(ids.A_EDIT)
    def edit_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = _user(body)
        lang = services.lang_of(user)
        try:
            target = _target(body)
        except Refused as refused:
            return refuse(services, user, refused, body, client)
        try:
            opened = client.views_open(
                trigger_id=body["trigger_id"], view=views.loading_modal(lang)
            )
        except SlackApiError as exc:
            modal_failed(services, client, body, user, exc)
            return
        try:
            verify_origin(services, body, target[0])
            s = decisions.check_editable(services.session_factory, target[0], user)
        except Refused as refused:
            client.views_update(
                view_id=opened["view"]["id"], view=refusal_view(services, user, refused)
            )
            return
        form = views.request_modal(
            services.directory, lang, prefill=s.as_raw(), edit_id=s.id, version=s.version
        )
        client.views_update(view_id=opened["view"]["id"], view=form)

    @app.view(ids.VIEW_NAME_EXPERTS)
    def name_submission(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user = _user(body)
        meta = views.parse_metadata(view.get("private_metadata"))
        lang = _meta_lang(services, meta, user)
        state = view.get("state", {}).get("values")
        experts = list(dict.fromkeys(views.users_value(state, ids.B_EXPERTS)))
        note = views.text_value(state, ids.B_NOTE)[:QUESTION_MAX] or None
        bot_user = context.bot_user_id
        if not experts or len(experts) > matching.EXPERTS_MAX:
            ack(response_action="errors", errors={ids.B_EXPERTS: t(lang, "err.no_experts")})
            return
        if bot_user and bot_user in experts:
            ack(response_action="errors", errors={ids.B_EXPERTS: t(lang, "err.expert_bot")})
            return
        try:
            matching.name_experts(
                services.session_factory,
                views.metadata_id(meta, "id"),
                str(meta.get("city", "")),
                experts,
                actor=user,
                note=note,
                notifier=services.notifier(),
                now=services.clock(),
            )
        except matching.RequesterAsExpert:
            ack(
                response_action="errors", errors={ids.B_EXPERTS: t(lang, "err.expert_self_request")}
            )
            return
        except Refused as refused:
            ack(response_action="update", view=refusal_view(services, user, refused))
            return
        ack()
        services.deliver()
