"""manifest.yml is a valid Slack app manifest and declares what the bot relies on.

The schema is Slack's own (slackapi/manifest-schema, MIT), vendored in tests/data so the
test runs offline; see tests/data/SLACK_MANIFEST_SCHEMA_LICENSE for the source commit.
"""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = ROOT / "manifest.yml"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "manifest.schema.1.0.0.json"

# The URL under which Slack's top-level manifest.schema.json refers to the v1 schema
# (the v1 file itself has no $id). Mapped to the vendored copy so nothing is fetched.
SCHEMA_V1_URL = (
    "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
    "manifest.schema.1.0.0.json"
)

# Exactly the bot scopes the bot uses. Adding one must be a conscious change here too.
EXPECTED_BOT_SCOPES = [
    "commands",  # /cr-request and the global shortcut
    "chat:write",  # DMs, decision messages, channel digest
    "im:write",  # conversations.open with one user
    "mpim:write",  # conversations.open with several users (group DM for the introduction)
    "users:read",  # users.info (locale, names)
    "users:read.email",  # profile e-mail domain -> own city
    "files:write",  # .ics upload; the report page, its PDF, the payments CSV
    "files:read",  # the claim's receipts (file_input); files.info before re-completing
    # conversations.history after a timed-out post: was it posted after all? (no doubles)
    "im:history",
    "mpim:history",
    "channels:history",  # the digest channel
    "groups:history",  # the digest channel, if private
]


def _load_manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))


def _load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _refuse_network(uri: str) -> Resource:
    # Any $ref that is not vendored fails loudly instead of being fetched.
    raise NoSuchResource(ref=uri)


def _registry() -> Registry:
    resource = Resource.from_contents(_load_schema(), default_specification=DRAFT7)
    return Registry(retrieve=_refuse_network).with_resource(SCHEMA_V1_URL, resource)


def _validator() -> Draft7Validator:
    schema = _load_schema()
    cls = validator_for(schema)
    assert cls is Draft7Validator, f"schema declares {schema.get('$schema')!r}, expected draft-07"
    cls.check_schema(schema)
    return cls(schema, registry=_registry())


def _errors(instance: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return _load_manifest()


def test_vendored_schema_has_no_unvendored_remote_refs():
    refs = re.findall(r'"\$ref"\s*:\s*"([^"]*)"', SCHEMA_PATH.read_text(encoding="utf-8"))
    assert refs, "expected local $refs in the vendored schema"
    remote = sorted({r for r in refs if not r.startswith("#")} - {SCHEMA_V1_URL})
    assert not remote, f"vendor these and add them to the registry: {remote}"


def test_manifest_is_valid():
    errors = _errors(_load_manifest())
    assert not errors, "manifest.yml does not match Slack's schema:\n" + "\n".join(errors)


def test_manifest_is_valid_through_the_remote_url():
    # Same check, entered through the URL Slack's top-level schema uses: proves the
    # registry maps it to the vendored file without network access.
    wrapper = {"$schema": "http://json-schema.org/draft-07/schema#", "$ref": SCHEMA_V1_URL}
    validator = Draft7Validator(wrapper, registry=_registry())
    errors = [e.message for e in validator.iter_errors(_load_manifest())]
    assert not errors, "\n".join(errors)
    assert list(validator.iter_errors({"display_information": {}}))


def test_unknown_remote_ref_is_not_fetched():
    schema = {"$ref": "https://example.invalid/other.json"}
    validator = Draft7Validator(schema, registry=_registry())
    with pytest.raises(Unresolvable):
        validator.validate({})


def test_metadata_major_version_1(manifest):
    # Slack's top-level schema picks manifest.schema.1.0.0.json for major_version 1.
    assert manifest["_metadata"]["major_version"] == 1


@pytest.mark.parametrize(
    ("mutate", "expected_path"),
    [
        (lambda m: m["display_information"].pop("name"), "display_information"),
        (lambda m: m.pop("display_information"), "<root>"),
        (lambda m: m.__setitem__("unknown_key", True), "<root>"),
        (
            lambda m: m["features"]["shortcuts"][0].__setitem__("name", "x" * 25),
            "features/shortcuts/0/name",
        ),
        (
            lambda m: m["features"]["slash_commands"][0].__setitem__("command", "cr-request"),
            "features/slash_commands/0/command",
        ),
        (lambda m: m["settings"]["interactivity"].pop("is_enabled"), "settings/interactivity"),
        (
            lambda m: m["display_information"].__setitem__("long_description", "zu kurz"),
            "display_information/long_description",
        ),
    ],
    ids=[
        "no-name",
        "no-display_information",
        "unknown-top-level-key",
        "shortcut-name-too-long",
        "command-without-slash",
        "interactivity-without-is_enabled",
        "long_description-too-short",
    ],
)
def test_validator_catches_broken_manifests(mutate, expected_path):
    broken = copy.deepcopy(_load_manifest())
    mutate(broken)
    errors = _errors(broken)
    assert errors, "a broken manifest passed validation: the validator is not checking"
    assert any(e.startswith(f"{expected_path}: ") for e in errors), errors


def test_background_color_is_hex(manifest):
    # The schema writes this constraint as "regex", which is not a JSON Schema keyword
    # and therefore ignored by validators; Slack rejects other values, so check it here.
    color = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", color), color


def test_display_information(manifest):
    info = manifest["display_information"]
    assert info["name"] == "C+R Austausch"
    assert info["description"]
    assert len(info["long_description"]) >= 175


def test_app_home_and_bot_user(manifest):
    assert manifest["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert manifest["features"]["bot_user"] == {"display_name": "cr-bot", "always_online": True}


def test_slash_command(manifest):
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/cr-request"]
    command = commands[0]
    hint = (
        "[help | list | upcoming | suche BEGRIFF | expert/innen THEMA | report | "
        "vertretung @person bis 31.12. | verzeichnis]"
    )
    assert command["usage_hint"] == hint
    # `vertretung @person` needs the mention as a user ID.
    assert command["should_escape"] is True


def test_global_shortcut(manifest):
    shortcuts = manifest["features"]["shortcuts"]
    assert len(shortcuts) == 1
    shortcut = shortcuts[0]
    assert shortcut["type"] == "global"
    assert shortcut["callback_id"] == "cr_request_shortcut"
    assert shortcut["name"] == "C+R-Anfrage stellen"


def test_bot_scopes_are_exactly_the_used_ones(manifest):
    scopes = manifest["oauth_config"]["scopes"]
    assert sorted(scopes["bot"]) == sorted(EXPECTED_BOT_SCOPES)
    assert len(scopes["bot"]) == len(set(scopes["bot"]))
    assert set(scopes) == {"bot"}, "no user scopes: the bot acts only as itself"


def test_events_and_interactivity(manifest):
    settings = manifest["settings"]
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    assert settings["interactivity"]["is_enabled"] is True


def test_socket_mode_on_without_request_urls(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    # In socket mode Slack uses no URLs; placeholders would only mislead.
    assert "request_url" not in settings["event_subscriptions"]
    assert "request_url" not in settings["interactivity"]
    assert all("url" not in c for c in manifest["features"]["slash_commands"])
