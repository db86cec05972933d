"""Build the demo's sample feeds from the seed article and real headlines (run once, committed).

Round "before" is what the feeds hold when the demo starts; round "after" adds new items:
the seed article, a Donbas headline and an unrelated one. The tech feed never changes (304).
Headlines: github.com/fwd/news headlines.json (ISC), via ../shared/data/headlines/.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "demo_data"
HEADLINES = ROOT.parent / "shared" / "data" / "headlines" / "headlines-2021-11-to-2022-04.json"
SEED = ROOT / "seeds" / "lavrov-no-pause-2022-04-11.txt"

WORLD_BEFORE = [
    "US to evacuate Ukraine embassy amid Russian invasion fears",
    "Canada police move in to clear protesters occupying bridge",
    "Finland set to sign deal with U.S. for 64 F-35 jets",
    "Rwanda jails Chinese national for torturing mine workers",
]
WORLD_AFTER = [
    "Russia declares intent to control Donbas and southern Ukraine; "
    "new mass graves found near Mariupol",
    "Two plead guilty to pocketing funds raised for ‘We Build the Wall’ project",
]
TECH = [
    "Disney Removing More Of Its Shows & Films From Netflix",
    "How HBO Kept ‘House of the Dragon’ Costs Under $20 Million per Episode",
    "Jujutsu Kaisen Anime Gets 2nd Season in 2023",
]
ANTIWAR_BEFORE = [
    "Macron refused Russian COVID test in Putin trip over DNA theft fears: sources",
    "Hijab protests spread in India as girls refuse to be told what not to wear",
]


def main() -> None:
    headlines = {h["title"]: h for h in json.loads(HEADLINES.read_text(encoding="utf-8"))}
    pick = lambda titles: [headlines[t] for t in titles]  # noqa: E731
    seed_lines = SEED.read_text(encoding="utf-8").strip().split("\n")
    seed = {
        "title": seed_lines[0].strip(),
        "link": "https://news.antiwar.com/2022/04/11/russia-says-it-will-not-pause-military-operation-in-ukraine-during-peace-talks/",
        "timestamp": datetime(2022, 4, 11, 18, 0, tzinfo=UTC).timestamp(),
        "body": "\n".join(seed_lines[1:]).strip(),
        "domain": "antiwar.com",
    }
    for stage in ("before", "after"):
        folder = OUT / stage
        folder.mkdir(parents=True, exist_ok=True)
        antiwar = pick(ANTIWAR_BEFORE) + ([seed] if stage == "after" else [])
        world = pick(WORLD_BEFORE) + (pick(WORLD_AFTER) if stage == "after" else [])
        (folder / "antiwar.xml").write_text(rss("Antiwar.com News", antiwar), encoding="utf-8")
        (folder / "world.atom").write_text(atom("World headlines", world), encoding="utf-8")
        (folder / "tech.json").write_text(
            json_feed("Screen and tech", pick(TECH)), encoding="utf-8"
        )
    print(f"wrote demo feeds under {OUT}", file=sys.stderr)


def _when(item: dict) -> datetime:
    return datetime.fromtimestamp(item["timestamp"], UTC)


def rss(title: str, items: list[dict]) -> str:
    entries = []
    for it in items:
        body = it.get("body")
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in (body or "").split("\n") if p.strip())
        content = f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>" if body else ""
        summary = escape(body.split("\n")[0]) if body else escape(it["title"])
        entries.append(
            f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f'<guid isPermaLink="true">{escape(it["link"])}</guid>'
            f"<pubDate>{format_datetime(_when(it))}</pubDate>"
            f"<description>{summary}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>https://news.antiwar.com/</link>"
        f"<description>{escape(title)}</description>{''.join(entries)}</channel></rss>\n"
    )


def atom(title: str, items: list[dict]) -> str:
    entries = "".join(
        f'<entry><title>{escape(it["title"])}</title><link href="{escape(it["link"])}"/>'
        f"<id>{escape(it['link'])}</id><updated>{_when(it).isoformat()}</updated>"
        f"<summary>{escape(it['title'])} ({escape(it['domain'])})</summary></entry>"
        for it in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:newsbot:demo:world</id>"
        f"<updated>2022-04-22T18:00:00Z</updated>{entries}</feed>\n"
    )


def json_feed(title: str, items: list[dict]) -> str:
    return (
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": title,
                "items": [
                    {
                        "id": it["link"],
                        "url": it["link"],
                        "title": it["title"],
                        "content_text": it["title"],
                        "date_published": _when(it).isoformat(),
                    }
                    for it in items
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
