"""Replies become Discord messages of at most 2000 characters with balanced code blocks."""

from __future__ import annotations

from bot.chat.commands import Reply
from bot.chat.discord.reply import LIMIT, TRUNCATED, reply_lines, split_message


def test_short_reply_is_one_message_with_bold_title() -> None:
    reply = Reply(title="Rule x", lines=("a", "b"), links=(("Article", "https://e.org/a"),))
    assert split_message(reply_lines(reply)) == ["**Rule x**\na\nb\nArticle: <https://e.org/a>"]


def test_failed_reply_is_flagged() -> None:
    assert reply_lines(Reply(title="No rule 'x'", ok=False))[0] == "**⚠️ No rule 'x'**"


def test_long_reply_splits_on_lines_within_the_limit() -> None:
    lines = [f"• line {i} " + "x" * 80 for i in range(60)]
    messages = split_message(lines, max_messages=10)
    assert len(messages) > 1
    assert all(len(m) <= LIMIT for m in messages)
    assert "\n".join(messages).split("\n") == lines  # nothing lost, nothing reordered


def test_split_code_block_is_closed_and_reopened() -> None:
    lines = [
        "**Rule big**",
        "```yaml",
        *[f"- term number {i} " + "y" * 60 for i in range(60)],
        "```",
    ]
    messages = split_message(lines, max_messages=10)
    assert len(messages) > 1
    for message in messages:
        assert len(message) <= LIMIT
        assert message.count("```") % 2 == 0
    assert messages[1].startswith("```yaml\n")


def test_too_long_reply_is_truncated_with_a_note() -> None:
    messages = split_message(["```", *["z" * 100] * 200, "```"], max_messages=2)
    assert len(messages) == 2
    assert messages[-1].endswith(TRUNCATED)
    assert all(len(m) <= LIMIT and m.count("```") % 2 == 0 for m in messages)


def test_a_single_huge_line_is_cut() -> None:
    messages = split_message(["q" * 5000], max_messages=5)
    assert all(len(m) <= LIMIT for m in messages)
    assert "".join(messages) == "q" * 5000


def test_a_returned_draft_survives_many_errors() -> None:
    from bot.chat.reply import with_draft

    draft = "\n".join(f"  - {{phrase: term{i}, feild: title}}" for i in range(100))  # ~3,600 chars
    failed = Reply(
        title="The rule was not saved", lines=tuple(f"error {i}" for i in range(81)), ok=False
    )
    messages = split_message(reply_lines(with_draft(failed, draft)))
    joined = "\n".join(messages)
    assert all(len(m) <= 2000 for m in messages) and "truncated" not in joined
    assert "… and 73 more" in joined and joined.count("phrase: term") == 100
