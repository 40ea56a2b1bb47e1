"""Every command, shortcut and event in manifest.yml has a listener, and every listener
answers something the manifest (or a button or modal of ours) makes Slack send.

Matching is Bolt's own: `listener.matches(req=..., resp=...)`, as App.dispatch does it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener import Listener
from slack_sdk import WebClient

from bot.entry.app import create_app
from bot.infra.db import SessionFactory, make_engine
from bot.infra.settings import Settings
from bot.slack import ids
from tests import payloads as p
from tests.fakeslack import FakeSlack

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"
USER = "U0REQ1"

Requests = dict[str, dict[str, Any]]  # what Slack sends for an entry -> the request body


def shortcut_payload(callback_id: str, kind: str) -> dict[str, Any]:
    """A global shortcut ("shortcut") or message shortcut ("message_action") payload."""
    payload: dict[str, Any] = {
        "type": "shortcut" if kind == "global" else "message_action",
        "token": p.VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "team": {"id": p.TEAM_ID, "domain": p.TEAM_DOMAIN},
        "user": {"id": USER, "username": USER.lower(), "team_id": p.TEAM_ID},
        "callback_id": callback_id,
        "trigger_id": "1.2.shortcut",
        "is_enterprise_install": False,
        "enterprise": None,
    }
    if kind != "global":
        payload.update(
            channel={"id": "C0CHAN", "name": "general"},
            message={"type": "message", "user": USER, "ts": "1.1", "text": "hi"},
            message_ts="1.1",
            response_url=p.UNSET_RESPONSE_URL,
        )
    return payload


def event_payload(name: str) -> dict[str, Any]:
    """An Events API body for a manifest bot event ("app_home_opened", "message.im", …)."""
    if name == "app_home_opened":
        return p.event_callback_payload(p.app_home_opened(user_id=USER))
    kind, _, channel_type = name.partition(".")
    event: dict[str, Any] = {"type": kind, "user": USER, "event_ts": f"{time.time():.6f}"}
    if channel_type:
        event.update(channel_type=channel_type, channel="D0CHAN", text="hi", ts="1.1")
    return p.event_callback_payload(event)


def manifest_requests(manifest: dict[str, Any]) -> Requests:
    """One request per command, shortcut and bot event the manifest declares."""
    features = manifest.get("features", {})
    found: Requests = {}
    for command in features.get("slash_commands", []):
        name = command["command"]
        found[f"command {name}"] = p.slash_command_fields(user_id=USER, command=name)
    for shortcut in features.get("shortcuts", []):
        callback_id = shortcut["callback_id"]
        found[f"shortcut {callback_id}"] = shortcut_payload(callback_id, shortcut["type"])
    events = manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", [])
    for name in events:
        found[f"event {name}"] = event_payload(name)
    return found


def interaction_requests(manifest: dict[str, Any]) -> Requests:
    """Button clicks and modal submissions for every A_ and VIEW_ id, if interactive."""
    if not manifest.get("settings", {}).get("interactivity", {}).get("is_enabled"):
        return {}
    found: Requests = {}
    for name in dir(ids):
        value = getattr(ids, name)
        if name.startswith("A_"):
            found[f"action {value}"] = p.block_actions_payload(
                action_id=value, value="1:1", user_id=USER
            )
        elif name.startswith("VIEW_"):
            found[f"view {value}"] = p.view_submission_payload(
                callback_id=value, user_id=USER, values={}
            )
    return found


def matches(listener: Listener, body: dict[str, Any]) -> bool:
    request = BoltRequest(body=copy.deepcopy(body), mode="socket_mode")
    return listener.matches(req=request, resp=BoltResponse(status=200, body=""))


def listener_name(listener: Listener) -> str:
    function = listener.ack_function
    return f"{function.__module__}.{function.__qualname__}"


def unanswered(manifest: dict[str, Any], app: App) -> list[str]:
    """Manifest entries no listener matches."""
    return [
        entry
        for entry, body in manifest_requests(manifest).items()
        if not any(matches(listener, body) for listener in app._listeners)
    ]


def unexpected(manifest: dict[str, Any], app: App) -> list[str]:
    """Listeners that match nothing Slack would send this app."""
    bodies = [*manifest_requests(manifest).values(), *interaction_requests(manifest).values()]
    return [
        listener_name(listener)
        for listener in app._listeners
        if not any(matches(listener, body) for body in bodies)
    ]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture
def app() -> Iterator[App]:
    """The real app with all listeners; no request reaches the database here."""
    with FakeSlack() as fake:
        settings = Settings.from_env(
            {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-1-test"}
        )
        engine = make_engine("sqlite://")
        client = WebClient(token=settings.bot_token, base_url=fake.url)
        app, _ = create_app(settings, session_factory=SessionFactory(engine), client=client)
        yield app
        engine.dispose()


def test_the_manifest_declares_what_the_bot_is_used_through(manifest):
    # Guards the two tests below against passing on an empty manifest.
    assert set(manifest_requests(manifest)) >= {
        f"command {ids.COMMAND}",
        f"shortcut {ids.SHORTCUT_NEW_REQUEST}",
        "event app_home_opened",
    }


def test_every_manifest_entry_has_a_listener(manifest, app):
    assert unanswered(manifest, app) == []


def test_every_listener_has_its_manifest_entry_or_id(manifest, app):
    assert app._listeners
    assert unexpected(manifest, app) == []


def test_a_command_missing_a_listener_is_found(manifest, app):
    extended = copy.deepcopy(manifest)
    extended["features"]["slash_commands"].append(
        {"command": "/cr-other", "description": "not handled"}
    )

    assert unanswered(extended, app) == ["command /cr-other"]


def test_a_listener_missing_its_manifest_entry_is_found(manifest, app):
    @app.action("cr_not_in_ids")
    def stray_button(ack: Any) -> None:
        ack()

    assert unexpected(manifest, app) == [
        f"{__name__}.test_a_listener_missing_its_manifest_entry_is_found.<locals>.stray_button"
    ]


def test_an_event_listener_without_its_subscription_is_found(manifest, app):
    unsubscribed = copy.deepcopy(manifest)
    unsubscribed["settings"]["event_subscriptions"]["bot_events"].remove("app_home_opened")
    home_listeners = [
        listener_name(listener)
        for listener in app._listeners
        if matches(listener, event_payload("app_home_opened"))
    ]

    assert home_listeners
    assert unexpected(unsubscribed, app) == home_listeners
