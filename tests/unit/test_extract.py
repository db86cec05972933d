"""Main-text extraction with trafilatura: article text in, page furniture out, None on failure."""

from __future__ import annotations

from bot.text.extract import extract_main_text

PARAGRAPHS = [
    "Russian Foreign Minister Sergey Lavrov said Monday that Moscow does not plan to pause its "
    "military operations during any future rounds of peace talks with Kyiv.",
    "Lavrov said that during talks in late February, Russian President Vladimir Putin had ordered "
    "a pause in Russia’s assault. But Moscow has since abandoned the policy.",
    "Denis Pushilin, the head of the breakaway Donetsk People’s Republic, said Monday that the "
    "separatist forces will intensify their fight against Ukraine.",
]
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>No pause</title></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Log in</a>
</nav></header>
<div class="ad">Buy cheap flights now! Subscribe to our newsletter!</div>
<main><article><h1>Russia Says It Will Not Pause Military Operation</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity gossip story</a></li></ul></aside>
<footer>© 2022 Example News. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_extracts_article_paragraphs_without_navigation() -> None:
    text = extract_main_text(PAGE, url="https://example.com/news/no-pause")
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Log in" not in text and "Celebrity gossip" not in text and "Privacy" not in text


def test_accepts_bytes() -> None:
    text = extract_main_text(PAGE.encode("utf-8"))
    assert text is not None and "Pushilin" in text


def test_returns_none_for_empty_junk_or_tiny_pages() -> None:
    assert extract_main_text("") is None
    assert extract_main_text(b"\xff\xfe\x00garbage\x00") is None
    assert extract_main_text("<html><body><p>Too short.</p></body></html>") is None
    assert extract_main_text("not html at all {{{{") is None
