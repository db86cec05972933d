"""Feed HTML and text reduced to clean plain text: what the matcher reads and the alert shows.

lxml's C HTML parser (already installed with trafilatura) runs in linear time on hostile markup,
where html.parser is quadratic on unclosed tags; plain input takes a fast path with no parser.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]

PARA = "\ue000"
LINE = "\ue001"
MAX_CHARS = 2_000_000

BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt"}
    | {"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "ul"}
)
LINE_TAGS = frozenset({"br", "li", "tr", "option"})
CELL_TAGS = frozenset({"td", "th"})
SKIP = frozenset(
    {"script", "style", "template", "noscript", "head", "title", "iframe", "object", "embed"}
    | {"svg", "math", "select", "textarea", "button", "canvas", "audio", "video"}
)

# Control and invisible characters, and lone UTF-16 surrogates (half an emoji cut by a
# careless producer), which no database or chat API accepts.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b\u2060\ufeff\ue000\ue001\ud800-\udfff]"
)
_SPACE = re.compile(r"\s+")
_BREAKS = re.compile(f" ?([{PARA}{LINE}][ {PARA}{LINE}]*)")
_TAG = re.compile(r"<[^>]*>?")


class _TextTarget:
    """lxml parser target: collects text with block and line marks, skipping non-content."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skipping = 0

    def start(self, tag: str, attrib: object) -> None:
        if tag in SKIP:
            self.skipping += 1
        elif tag in BLOCK:
            self.parts.append(PARA)
        elif tag in LINE_TAGS:
            self.parts.append(LINE)
        elif tag in CELL_TAGS:
            self.parts.append(" ")

    def end(self, tag: str) -> None:
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK:
            self.parts.append(PARA)

    def data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_INVISIBLE.sub("", data))

    def comment(self, text: str) -> None:
        return None

    def close(self) -> str:
        return "".join(self.parts)


def html_to_text(html: str) -> str:
    """Strip tags, scripts and styles, decode entities, collapse spaces; keep paragraph breaks."""
    if not html:
        return ""
    html = _INVISIBLE.sub("", html[:MAX_CHARS])
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", html).strip()
    parser = etree.HTMLParser(
        target=_TextTarget(), no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        parser.feed(html)
        raw = parser.close()
    except (etree.LxmlError, ValueError, TypeError):
        raw = _INVISIBLE.sub("", _TAG.sub(" ", html))
    if not isinstance(raw, str):
        return ""
    return _layout(raw)


def _layout(raw: str) -> str:
    text = _SPACE.sub(" ", raw)
    text = _BREAKS.sub(_break, text)
    return text.strip(f" \n{PARA}{LINE}")


def _break(match: re.Match[str]) -> str:
    run = match.group(1)
    return "\n\n" if PARA in run or run.count(LINE) > 1 else "\n"


def clean_text(text: str) -> str:
    """Plain text tidied like html_to_text's output: spaces collapsed, blank lines as breaks."""
    text = _INVISIBLE.sub("", text[:MAX_CHARS]).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_SPACE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_inline(text: str) -> str:
    """One line of plain text for titles: no markup parsing, every whitespace run one space."""
    return _SPACE.sub(" ", _INVISIBLE.sub("", text[:MAX_CHARS])).strip()
