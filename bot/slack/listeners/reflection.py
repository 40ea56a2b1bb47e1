"""The reflection button and modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.errors import Refused
from bot.domain.request import QUESTION_MAX
from bot.i18n import t
from bot.services import Services
from bot.slack import ids, views
from bot.slack.listeners.decisions import _target, open_then_check, refusal_view, refuse
from bot.slack.listeners.guards import verify_origin
from bot.usecases import reflection


def register(app: App, services: Services) -> None:
    @app.action(ids.A_REFLECT)
    def reflect_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        try:
            target = _target(body)
        except Refused as refused:
            return refuse(services, user, refused, body, client)
        open_then_check(
            client,
            services,
            body["trigger_id"],
            user,
            views.reflection_modal(target[0], services.lang_of(user)),
            lambda: (
                verify_origin(services, body, target[0])
                or reflection.check_reflector(
                    services.session_factory,
                    target[0],
                    user,
                    notifier=services.notifier(),
                    now=services.clock(),
                )
            ),
            body,
        )

    @app.view(ids.VIEW_REFLECT)
    def reflect_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        meta = views.parse_metadata(view.get("private_metadata"))
        lang = meta.get("lang") if meta.get("lang") in ("de", "en") else services.lang_of(user)
        state = view.get("state", {}).get("values")
        rating = views.selected_value(state, ids.B_RATING)
        recommend = views.selected_value(state, ids.B_RECOMMEND)
        errors = {}
        if rating not in ("1", "2", "3", "4", "5"):
            errors[ids.B_RATING] = t(lang, "err.choose")
        if recommend not in ("yes", "no"):
            errors[ids.B_RECOMMEND] = t(lang, "err.choose")
        texts = {b: views.text_value(state, b) for b in (ids.B_WORKED, ids.B_NOT_WORKED)}
        for block, text in texts.items():
            if len(text) > QUESTION_MAX:
                errors[block] = t(lang, "err.too_long", max=QUESTION_MAX, n=len(text))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            reflection.submit_reflection(
                services.session_factory,
                views.metadata_id(meta, "id"),
                actor=user,
                worked=texts[ids.B_WORKED] or None,
                not_worked=texts[ids.B_NOT_WORKED] or None,
                recommend=recommend == "yes",
                rating=int(rating or 0),
                notifier=services.notifier(),
                now=services.clock(),
            )
        except Refused as refused:
            ack(response_action="update", view=refusal_view(services, user, refused))
            return
        ack()
        services.deliver()
