"""Main article text from a fetched HTML page, for items whose feed carries only a teaser.

trafilatura is well kept and works offline on a string; fetching is the pipeline's job (through
the guarded fetcher), so this module never touches the network.
"""

from __future__ import annotations

import logging

import trafilatura

log = logging.getLogger(__name__)
MIN_CHARS = 200
MAX_HTML_BYTES = 5_000_000


def extract_main_text(html: str | bytes, url: str | None = None) -> str | None:
    """The page's main text (one paragraph per line), or None when nothing usable is found."""
    if not html or len(html) > MAX_HTML_BYTES:
        return None
    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            deduplicate=True,
        )
    except Exception as exc:
        log.info("extract failed for %s: %s", url, exc)
        return None
    if not isinstance(text, str):
        return None
    text = text.strip()
    return text if len(text) >= MIN_CHARS else None
