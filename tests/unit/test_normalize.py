"""html_to_text / clean_inline / clean_text: what the matcher and the alert read."""

import json

import pytest

from bot.text.normalize import clean_inline, clean_text, html_to_text
from tests.paths import HEADLINES


def test_strips_tags_scripts_styles_and_decodes_entities():
    html = "<style>p{color:red}</style><p>Talks in <b>Istanbul</b> &amp; Kyiv&nbsp;resume</p>"
    html += "<script>alert('x')</script><!-- hidden -->"
    assert html_to_text(html) == "Talks in Istanbul & Kyiv resume"


def test_paragraphs_become_blank_lines_and_breaks_newlines():
    html = "<p>First</p><p>Second<br>line two</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "First\n\nSecond\nline two\n\na\nb"


def test_double_break_is_a_paragraph():
    assert html_to_text("one<br><br>two") == "one\n\ntwo"


def test_plain_text_collapses_whitespace():
    assert html_to_text("  Lavrov\n said   \t no pause ") == "Lavrov said no pause"


def test_invisible_characters_removed():
    assert html_to_text("Don\u00adbas\u200b offensive\x00") == "Donbas offensive"


@pytest.mark.parametrize(
    "garbage", ["<", "&", "<<<>>>", "<a " * 50_000, "<div>" * 50_000, "<!--" + "x" * 10_000]
)
def test_garbage_never_raises(garbage):
    assert isinstance(html_to_text(garbage), str)


def test_unclosed_tags_do_not_leak_markup():
    assert "<" not in html_to_text("<a " * 10_000 + "<p>text")


def test_clean_inline_keeps_angle_brackets_and_is_one_line():
    assert clean_inline(" Why <div> matters\n\n in  HTML ") == "Why <div> matters in HTML"


def test_clean_text_keeps_paragraphs():
    assert clean_text("a  b\r\n\r\n\n c\n d") == "a b\n\nc d"


@pytest.mark.skipif(not HEADLINES.exists(), reason=f"shared data not found at {HEADLINES}")
def test_real_headlines_survive_unchanged_in_substance():
    titles = [h["title"] for h in json.loads(HEADLINES.read_text(encoding="utf-8"))]
    out = [clean_inline(html_to_text(t)) for t in titles]
    assert len(out) == len(titles)
    assert all("\n" not in o for o in out)
    plain = [(t, o) for t, o in zip(titles, out, strict=True) if "<" not in t and "&" not in t]
    invisible = str.maketrans("", "", "\u200b\u2060\u00ad\ufeff")
    assert all(o == " ".join(t.translate(invisible).split()) for t, o in plain)
    assert "Omicron COVID-19 Variant" in " ".join(out)
