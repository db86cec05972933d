"""The article `newsbot derive` reads: a local UTF-8 text file, or one clear line why not."""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
"""An article is a few KB; anything past this is not one (and is refused unread)."""


class ArticleError(ValueError):
    """The argument is not a readable text article; the message says what to do."""


def read_article(argument: str) -> str:
    """The text of the file named by `argument`, refusing URLs, binaries and non-UTF-8."""
    if argument.lower().startswith(("http://", "https://", "ftp://")):
        raise ArticleError(
            f"{argument} is a URL; derive reads a local text file: save the article's text "
            "(title and body) to a file and pass its path"
        )
    path = Path(argument)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ArticleError(f"{path} is over {MAX_BYTES // 1024 // 1024} MB; not an article")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{path} is a binary file; derive needs the article as plain text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it, e.g. iconv -f latin1 -t utf-8 {path} > article.txt"
        ) from None
