"""Message builders: pure functions from domain data to {"text", "blocks"}, one module per
conversation (`filing`, `decision`, `matching`, `reflection`) and what they share (`common`).

Callers use them as `messages.<name>`; this module only names them together."""

from bot.slack.messages.common import (
    PERMALINK,
    Message,
    cities_line,
    delivery_failed,
    mentions,
    naming_label,
    plain_message,
    plain_t,
    privacy_line,
    push,
    quote,
    refusal_text,
    summary_blocks,
    unmarked,
    when,
)
from bot.slack.messages.decision import (
    approved_for_coordinators,
    closed_message,
    decision_buttons,
    decision_request,
    declined_for_requester,
    escalation,
    outcome_line,
    question_and_answer,
    question_answered,
    question_for_requester,
    reminder,
    to_requester,
    who_acted,
)
from bot.slack.messages.filing import (
    cancel_actions,
    file_again_blocks,
    help_message,
    next_step,
    request_filed,
    request_list,
)
from bot.slack.messages.matching import (
    experts_by_city,
    introduction,
    matched_for_requester,
    naming_request,
)
from bot.slack.messages.participation import (
    certificate_button,
    expert_named,
    reflect_button,
)
from bot.slack.messages.reflection import (
    reflection_prompt,
)

__all__ = [
    "PERMALINK",
    "Message",
    "approved_for_coordinators",
    "cancel_actions",
    "certificate_button",
    "cities_line",
    "closed_message",
    "decision_buttons",
    "decision_request",
    "declined_for_requester",
    "delivery_failed",
    "escalation",
    "expert_named",
    "experts_by_city",
    "file_again_blocks",
    "help_message",
    "introduction",
    "matched_for_requester",
    "mentions",
    "naming_label",
    "naming_request",
    "next_step",
    "outcome_line",
    "plain_message",
    "plain_t",
    "privacy_line",
    "push",
    "question_and_answer",
    "question_answered",
    "question_for_requester",
    "quote",
    "reflect_button",
    "reflection_prompt",
    "refusal_text",
    "reminder",
    "request_filed",
    "request_list",
    "summary_blocks",
    "to_requester",
    "unmarked",
    "when",
    "who_acted",
]
