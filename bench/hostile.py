"""Peak memory and time of each hostile input, newsbot against the unguarded baseline.

Each case runs in its own child process (so peak RSS is its own) under an address-space cap
and a wall-clock cap; a baseline that hits either is reported as such. The baseline is what
the bot did before the guards: feedparser on the raw bytes, `yaml.safe_load`, Python's `re`.
`in-bounds-9.5MB` is no attack the guards refuse: the slowest feed they let through (just under
the 10 MB fetch cap, each item just under 2,000 elements), what one parse worker can be held.

    .venv/bin/python -m bench.hostile                 # all cases, baseline capped at 60 s
    .venv/bin/python -m bench.hostile --cap 20 --only attrs
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

CASES: dict[str, str] = {
    "utf7-entities": """
        big = "<p>x</p>" * 2500
        dtd = f'<!DOCTYPE rss [<!ENTITY a "{big}">]>'.replace("<", "+ADw-")
        body = (b'<?xml version="1.0" encoding="utf-7"?>' + dtd.encode()
            + b"<rss version='2.0'><channel><title>t</title><item><guid>g</guid><title>x</title>"
            + b"<description>" + b"&a;" * 400 + b"</description></item></channel></rss>")
        content_type = None
        """,
    "utf16-no-bom-entities": """
        big = "<p>x</p>" * 2500
        doc = (f'\\n<!DOCTYPE rss [<!ENTITY a "{big}">]>'
            "<rss version='2.0'><channel><title>t</title><item><guid>g</guid><title>x</title>"
            "<description>" + "&a;" * 400 + "</description></item></channel></rss>")
        body = doc.encode("utf-16-le")
        content_type = "application/xml; charset=utf-16"
        """,
    "500k-attributes": """
        attrs = " ".join(f'a{i}="x"' for i in range(500_000))
        body = ("<rss version='2.0'><channel><title>F</title><item><guid>g</guid>"
            f"<title {attrs}>T</title></item></channel></rss>").encode()
        content_type = None
        """,
    "20k-categories": """
        cats = "".join(f"<category>c{i}</category>" for i in range(20_000))
        body = ("<rss version='2.0'><channel><title>F</title><item><guid>g</guid>"
            f"<title>T</title>{cats}</item></channel></rss>").encode()
        content_type = None
        """,
    "in-bounds-9.5MB": """
        inner = "".join(f"<x{j}>v</x{j}>" for j in range(1900))  # under 2,000 per item
        item = "<item><guid>g{}</guid><title>t</title>" + inner + "</item>"
        body = ("<rss version='2.0'><channel><title>F</title>"
            + "".join(item.format(n) for n in range(int(0.95 * 10 * 2**20) // len(item)))
            + "</channel></rss>").encode()
        content_type = None
        """,
}
FEED_RUN = {
    "newsbot": """
        from bot.feeds.parse import parse_feed
        # start
        try:
            parse_feed(body, feed_id=1, url="https://x/", content_type=content_type)
        except Exception as exc:
            print("refused:", exc)
        """,
    "baseline": """
        import io, feedparser
        # start
        headers = {"content-type": content_type or "application/xml"}
        feedparser.parse(io.BytesIO(body), response_headers=headers)
        """,
}
YAML_CASES = {
    "yaml-alias-bomb": (
        'text = "a: &big " + "x" * 100_000 + "\\nrules:\\n" + "  - *big\\n" * 10_000'
    ),
    "yaml-10k-deep": 'text = "[" * 10_000 + "]" * 10_000',
}
YAML_RUN = {
    "newsbot": """
        from bot.config import ConfigError, parse_yaml
        # start
        try:
            parse_yaml(text, "rules.yaml")
        except ConfigError as exc:
            print("refused:", str(exc)[:100])
        """,
    "baseline": """
        import yaml
        # start
        try:
            str(yaml.safe_load(text))  # what an error message that quoted the value built
        except Exception as exc:
            print("failed:", type(exc).__name__)
        """,
}
REGEX_CASES = {
    "regex-(a|aa)+$": 'pattern, text = r"(a|aa)+$", "a" * 28 + "b"',
    "regex-a{1,100000}b": 'pattern, text = r"a{1,100000}b", "a" * 20_000',
}
REGEX_RUN = {
    "newsbot": """
        from bot.rules.regex_safety import compile_user_regex
        # start
        try:
            list(compile_user_regex(pattern).finditer(text))
        except ValueError as exc:
            print("refused:", str(exc)[:80])
        """,
    "baseline": """
        import re
        # start
        list(re.compile(pattern, re.IGNORECASE).finditer(text))
        """,
}
PREAMBLE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (CAP_AS, CAP_AS))
"""
MEASURE = """
import json as _j
print(_j.dumps({"seconds": time.perf_counter() - _t0,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def run(setup: str, body: str, cap_seconds: float, cap_mb: int) -> str:
    imports, call = textwrap.dedent(body).split("# start\n")  # imports are not timed
    code = (
        PREAMBLE.replace("CAP_AS", str(cap_mb << 20))
        + textwrap.dedent(setup)
        + imports
        + "\n_t0 = time.perf_counter()\n"
        + call
        + MEASURE
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=cap_seconds
        )
    except subprocess.TimeoutExpired:
        return f"> {cap_seconds:g} s (stopped)"
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"died: {tail[:80]}"
    figures = json.loads(lines[-1])
    note = f" ({lines[0][:60]})" if len(lines) > 1 else ""
    return f"{figures['seconds']:.2f} s, {figures['peak_mb']} MB peak{note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=60.0, help="wall-clock cap per run, s")
    parser.add_argument("--mem", type=int, default=4096, help="address-space cap per run, MB")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    groups = [(CASES, FEED_RUN), (YAML_CASES, YAML_RUN), (REGEX_CASES, REGEX_RUN)]
    print("| case | baseline (before) | newsbot (after) |\n| --- | --- | --- |")
    for cases, runs in groups:
        for name, setup in cases.items():
            if args.only not in name:
                continue
            before = run(setup, runs["baseline"], args.cap, args.mem)
            after = run(setup, runs["newsbot"], args.cap, args.mem)
            print(f"| {name} | {before} | {after} |", flush=True)


if __name__ == "__main__":
    main()
