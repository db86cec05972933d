"""The Slack rule editor: `/newsbot rules add` or `rules edit RULE` without YAML opens a modal.

Block Kit views in, Block Kit views out, no I/O: the modal with a multi-line YAML field, what
it was opened for (kept in `private_metadata`), and the views and errors its submission gets.
A failed save keeps the modal open with the error under the field and the text as typed.
"""

from __future__ import annotations

import json
from typing import Any

from bot.chat.commands import RULE_EXAMPLE, Reply

CALLBACK_ID = "newsbot_rule_editor"
FIELD = "yaml"  # the input's block_id and action_id
MAX_YAML = 3000  # Slack's limit for a plain_text_input
MAX_ERROR = 300


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def editor_view(*, rule_id: str | None, draft: str, channel: str) -> dict[str, Any]:
    """The modal: one multi-line field, pre-filled with the rule when editing."""
    field: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FIELD,
        "multiline": True,
        "max_length": MAX_YAML,
    }
    if draft:
        field["initial_value"] = draft
    else:
        field["placeholder"] = _text(RULE_EXAMPLE)
    title = "Edit rule" if rule_id else "Add a watch rule"
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text(title),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps({"rule": rule_id, "channel": channel}),
        "blocks": [
            {
                "type": "input",
                "block_id": FIELD,
                "label": _text(f"Rule {rule_id} as YAML" if rule_id else "Rule YAML"),
                "hint": _text("The format of config/rules.yaml; see the README."),
                "element": field,
            }
        ],
    }


def submitted(view: dict[str, Any]) -> tuple[str, str | None, str]:
    """(YAML typed, rule id being edited or None, channel the editor was opened from)."""
    meta = json.loads(view.get("private_metadata") or "{}")
    value = view["state"]["values"][FIELD][FIELD].get("value") or ""
    return value, meta.get("rule"), str(meta.get("channel") or "")


def error_response(reply: Reply) -> dict[str, Any]:
    """The `response_action` that shows a failed save under the field and keeps the modal."""
    text = "; ".join([reply.title, *(line.strip() for line in reply.lines if line.strip())])
    if len(text) > MAX_ERROR:
        text = text[: MAX_ERROR - 1] + "…"
    return {"response_action": "errors", "errors": {FIELD: text}}


def done_response(reply: Reply) -> dict[str, Any]:
    """The `response_action` that replaces the modal with the saved rule's confirmation."""
    view = {
        "type": "modal",
        "title": _text("newsbot"),
        "close": _text("Done"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"✅ {reply.title}"}}],
    }
    return {"response_action": "update", "view": view}
