"""A loopback feed farm in its own process: N feeds built from real feed files, ETag / 304.

Each feed path `/f/<i>` serves one well-formed RSS/Atom file of feedparser's corpus, grown with
`--items` real headlines to the size of a news site's feed (30 items: ~12 KB); a publish
call appends a new item (a real headline) to a slice of feeds so they answer 200 once with a
new ETag. A minimal asyncio HTTP/1.1 server (keep-alive, GET only) keeps the farm's CPU share
small; the poller under test is the real aiohttp client.

    .venv/bin/python -m bench.feed_farm --feeds 10000 --items 30   # prints the port, serves
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import TracebackType
from typing import Self

import feedparser

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "feedparser-corpus" / "wellformed"
HEADLINES = ROOT.parent / "shared" / "data" / "headlines" / "headlines-2021-11-to-2022-04.json"
FOLDERS = ("rss", "atom10", "atom", "rdf", "itunes", "media-rss")
CLOSERS = {b"</channel>": "rss", b"</feed>": "atom", b"</rdf:RDF>": "rdf"}


def corpus_feeds() -> list[bytes]:
    """The corpus files feedparser reads cleanly, that have entries and a place to add one."""
    found = []
    for folder in FOLDERS:
        for path in sorted((CORPUS / folder).glob("*.xml")):
            body = path.read_bytes()
            if not any(c in body for c in CLOSERS):
                continue
            parsed = feedparser.parse(body)
            if not parsed.bozo and parsed.entries:
                found.append(body)
    return found


def headlines() -> list[str]:
    rows = json.loads(HEADLINES.read_text(encoding="utf-8"))
    return [r["title"] for r in rows]


def with_new_item(body: bytes, guid: str, title: str, description: str = "") -> bytes:
    """`body` with one more entry before its closing tag, in the document's own dialect."""
    for closer, kind in CLOSERS.items():
        at = body.rfind(closer)
        if at < 0:
            continue
        t, d = escape(title), escape(description or title)
        link = f"https://news.example/{guid}"
        if kind == "atom":
            entry = (
                f'<entry><id>{guid}</id><title>{t}</title><link href="{link}"/>'
                f"<summary>{d}</summary></entry>"
            )
        else:
            entry = (
                f"<item><guid>{guid}</guid><title>{t}</title><link>{link}</link>"
                f"<description>{d}</description></item>"
            )
        return body[:at] + entry.encode() + body[at:]
    return body


def news_sized(body: bytes, k: int, titles: list[str], items: int) -> bytes:
    """A corpus file grown to a news feed's size: `items` real headlines, each with a teaser
    made of the next three headlines (~250 characters), as news sites' feeds carry."""
    for j in range(items):
        at = (k * items + j) * 4
        title = titles[at % len(titles)]
        teaser = " ".join(titles[(at + d) % len(titles)] + "." for d in (1, 2, 3))
        body = with_new_item(body, f"seed-{k}-{j}", title, teaser)
    return body


@dataclass
class Farm:
    """The feeds' current bodies and validators, and what was asked of them."""

    templates: list[bytes]
    titles: list[str]
    size: int
    version: list[int] = field(default_factory=list)
    changed: dict[int, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"200": 0, "304": 0, "404": 0})
    hits: list[int] = field(default_factory=list)
    published: int = 0

    def __post_init__(self) -> None:
        self.version = [0] * self.size
        self.hits = [0] * self.size

    def etag(self, i: int) -> bytes:
        return f'"{i}-{self.version[i]}"'.encode()

    def body(self, i: int) -> bytes:
        return self.changed.get(i) or self.templates[i % len(self.templates)]

    def publish(self, count: int) -> list[int]:
        """Add a new item to the next `count` feeds (round robin) and return their indexes."""
        picked = [(self.published + k) % self.size for k in range(count)]
        for i in picked:
            self.published += 1
            self.version[i] += 1
            title = self.titles[self.published % len(self.titles)]
            template = self.templates[i % len(self.templates)]
            self.changed[i] = with_new_item(template, f"farm-{i}", title)
        return picked


class FarmProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive server for the farm: GET /f/<i>, /_publish?n=K, /_stats."""

    def __init__(self, farm: Farm) -> None:
        self.farm = farm
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.respond(head)

    def respond(self, head: bytes) -> None:
        assert self.transport is not None
        lines = head.split(b"\r\n")
        target = lines[0].split(b" ")[1].decode()
        inm = next((ln[15:].strip() for ln in lines if ln[:14].lower() == b"if-none-match:"), None)
        path, _, query = target.partition("?")
        farm = self.farm
        if path.startswith("/f/") and path[3:].isdigit() and int(path[3:]) < farm.size:
            i = int(path[3:])
            farm.hits[i] += 1
            etag = farm.etag(i)
            if inm == etag:
                farm.counts["304"] += 1
                self.send(b"304 Not Modified", b"", etag)
            else:
                farm.counts["200"] += 1
                self.send(b"200 OK", farm.body(i), etag, b"application/xml; charset=utf-8")
        elif path == "/_publish":
            count = int(query.partition("=")[2] or 0)
            self.send(b"200 OK", json.dumps(farm.publish(count)).encode(), None)
        elif path == "/_stats":
            stats = {**farm.counts, "max_hits": max(farm.hits), "min_hits": min(farm.hits)}
            self.send(b"200 OK", json.dumps(stats).encode(), None)
        else:
            farm.counts["404"] += 1
            self.send(b"404 Not Found", b"not found", None)

    def send(self, status: bytes, body: bytes, etag: bytes | None, ctype: bytes = b"") -> None:
        assert self.transport is not None
        head = [b"HTTP/1.1 " + status, b"Content-Length: " + str(len(body)).encode()]
        if etag is not None:
            head.append(b"ETag: " + etag)
        if ctype:
            head.append(b"Content-Type: " + ctype)
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)


async def serve(size: int, items: int) -> None:
    titles = headlines()
    templates = [news_sized(body, k, titles, items) for k, body in enumerate(corpus_feeds())]
    farm = Farm(templates, titles, size)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FarmProtocol(farm), "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"port": port, "templates": len(farm.templates)}), flush=True)
    await server.serve_forever()


class FarmProcess:
    """Runs the farm as a child process (optionally pinned to a CPU) for a benchmark."""

    def __init__(self, feeds: int, items: int = 0, cpu: int | None = None) -> None:
        self.feeds = feeds
        self.items = items
        self.cpu = cpu
        self.port = 0
        self.templates = 0
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        cmd = [sys.executable, "-m", "bench.feed_farm", "--feeds", str(self.feeds)]
        cmd += ["--items", str(self.items)]
        if self.cpu is not None:
            cmd = ["taskset", "-c", str(self.cpu), *cmd]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        hello = json.loads(self.proc.stdout.readline())
        self.port, self.templates = hello["port"], hello["templates"]
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/f/{i}"

    def _get(self, path: str) -> object:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return json.loads(r.read())

    def publish(self, count: int) -> list[int]:
        got = self._get(f"/_publish?n={count}")
        assert isinstance(got, list)
        return got

    def stats(self) -> dict[str, int]:
        got = self._get("/_stats")
        assert isinstance(got, dict)
        return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=0, help="real headlines added to each feed")
    args = parser.parse_args()
    asyncio.run(serve(args.feeds, args.items))


if __name__ == "__main__":
    main()
