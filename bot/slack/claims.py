"""Messages of a cost claim: the requester's prompt, the coordinators' copy with its
buttons, and what the requester hears at each step."""

from __future__ import annotations

from typing import Any

from bot.domain.budget import to_cents
from bot.domain.claims import Claim, ClaimStatus, ClaimStep, Receipt, next_steps
from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, clip, context, escape, section
from bot.slack.messages import plain_t, push, quote, summary_blocks
from bot.slack.targets import RequestTarget
from bot.texts import fmt_cents, t

Message = dict[str, Any]

STEP_BUTTONS = {
    ClaimStep.CHECK: (ids.A_CLAIM_CHECK, "button.claim_check", "primary"),
    ClaimStep.QUESTION: (ids.A_CLAIM_QUESTION, "button.claim_question", None),
    ClaimStep.PAY: (ids.A_CLAIM_PAID, "button.claim_paid", "primary"),
}


def claim_button(s: Summary, lang: str, key: str = "button.claim") -> Block:
    value = RequestTarget(s.id, 1).value
    label = t(lang, "a11y." + key.removeprefix("button."), id=s.id)
    return actions(
        f"claim_{s.id}", button(t(lang, key), ids.A_CLAIM, value, label=label, style="primary")
    )


def claim_prompt(s: Summary, lang: str, *, asked_on: str | None = None) -> Message:
    """After the exchange: what did the travel actually cost? `asked_on` (the day of the
    prompt, as people read it): the one reminder a week later."""
    title = escape(clip(s.title, 150))
    if asked_on is None:
        push = plain_t(lang, "push.claim_ask", id=s.id, title=title)
        text = t(lang, "claim.ask", id=s.id, title=title)
    else:
        push = plain_t(lang, "push.claim_reminder", id=s.id, title=title)
        text = t(lang, "claim.reminder", id=s.id, title=title, day=asked_on)
    return {"text": push, "blocks": [section(text), claim_button(s, lang)]}


def amount_text(claim: Claim, lang: str) -> str:
    return fmt_cents(claim.amount_cents or 0, lang)


RECEIPTS_MAX_CHARS = 2500  # the context's text holds 3,000 with the estimate


def receipt_links(receipts: tuple[Receipt, ...]) -> str:
    """The receipts as links the coordinators open in Slack: <permalink|name>, names
    escaped as typed; without a link the name (or the file id) alone. Those beyond what
    fits are counted ("+ 3")."""
    shown: list[str] = []
    used = 0
    for i, receipt in enumerate(receipts):
        label = escape(clip(receipt.name, 80)) if receipt.name else f"`{receipt.id}`"
        item = f"<{receipt.permalink}|{label}>" if receipt.permalink else label
        if used + len(item) > RECEIPTS_MAX_CHARS:
            shown.append(f"+ {len(receipts) - i}")
            break
        shown.append(item)
        used += len(item) + 2
    return ", ".join(shown)


def claim_for_coordinators(
    s: Summary, directory: Directory, lang: str, claim: Claim, outcome: str | None = None
) -> Message:
    """The claim with the figures and the receipts; the buttons its state allows."""
    per_person = ""
    if claim.per_person_cents is not None:
        per_person = t(
            lang,
            "claim.per_person",
            n=claim.travelling,
            amount=fmt_cents(claim.per_person_cents, lang),
        )
    # "Bitte prüfen:" only while it is to be checked.
    key = "claim.to_coordinators" if claim.status == ClaimStatus.CLAIMED else "claim.claimed_by"
    intro = t(
        lang,
        key,
        user=f"<@{s.requester_id}>",
        id=s.id,
        amount=amount_text(claim, lang),
        per_person=per_person,
    )
    details = []
    estimate = to_cents(s.cost_eur)
    if estimate is not None:
        details.append(t(lang, "claim.estimate", amount=fmt_cents(estimate, lang)))
    files = receipt_links(claim.receipts)
    details.append(t(lang, "claim.files", files=files) if files else t(lang, "claim.no_files"))
    blocks: list[Block] = [section(intro)]
    if outcome:
        blocks.append(section(outcome))
    if claim.note:
        blocks.append(section(quote(claim.note, 1500)))
    blocks.append(context("\n".join(details)))
    blocks += summary_blocks(s, directory, lang, with_question=False, with_status=False)
    steps = next_steps(claim.status)
    if steps:
        value = RequestTarget(s.id, claim.version).value
        elements = []
        for step in steps:
            action_id, key, style = STEP_BUTTONS[step]
            label = t(lang, "a11y." + key.removeprefix("button."), id=s.id)
            elements.append(button(t(lang, key), action_id, value, label=label, style=style))
        blocks.append(actions(f"claim_{s.id}_{claim.version}", *elements))
    return {"text": push(s, directory, lang, "push.claim"), "blocks": blocks}


def claim_news(
    s: Summary, lang: str, key: str, claim: Claim, actor: str, question: str | None = None
) -> Message:
    """What the requester hears: thanks, checked, a question (with the way to correct the
    claim), paid."""
    params = {"id": s.id, "amount": amount_text(claim, lang), "actor": f"<@{actor}>"}
    blocks: list[Block] = [section(t(lang, key, **params))]
    if question:
        blocks += [
            section(quote(question, 2800)),
            section(t(lang, "claim.fix_hint")),
            claim_button(s, lang, "button.claim_fix"),
        ]
    text = plain_t(lang, key, **params)
    if question:
        # What was asked, then what to do; the question is cut so the ask always fits.
        hint = plain_t(lang, "claim.fix_hint")
        room = 300 - len(text) - len(hint) - 2
        text = f"{text} {escape(clip(question, max(room, 20)))} {hint}"
    return {"text": text, "blocks": blocks}
