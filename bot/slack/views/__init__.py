"""Modal views, one module per concern: the request form (`form`), the small modals behind
buttons (`modals`), the programme's modals: deputies, claims (`programme`), and reading what
a submitted modal holds (`state`).

Listeners and tests use them as `views.<name>`; this module only names them together."""

from bot.slack.views.form import (
    BLOCK_OF_FIELD,
    cost_hint_of,
    form_errors,
    raw_request,
    request_metadata,
    request_modal,
)
from bot.slack.views.modals import (
    OFFER_MAX,
    answer_modal,
    ask_modal,
    decline_modal,
    loading_modal,
    name_experts_modal,
    notice_modal,
    reflection_modal,
    request_context,
    text_modal,
)
from bot.slack.views.state import (
    SLACK_ID,
    chosen_value,
    clean_text,
    input_element,
    is_slack_id,
    metadata_id,
    parse_metadata,
    selected_value,
    small_metadata,
    text_value,
    users_value,
)

__all__ = [
    "BLOCK_OF_FIELD",
    "OFFER_MAX",
    "SLACK_ID",
    "answer_modal",
    "ask_modal",
    "chosen_value",
    "clean_text",
    "cost_hint_of",
    "decline_modal",
    "form_errors",
    "input_element",
    "is_slack_id",
    "loading_modal",
    "metadata_id",
    "name_experts_modal",
    "notice_modal",
    "parse_metadata",
    "raw_request",
    "reflection_modal",
    "request_context",
    "request_metadata",
    "request_modal",
    "selected_value",
    "small_metadata",
    "text_modal",
    "text_value",
    "users_value",
]
