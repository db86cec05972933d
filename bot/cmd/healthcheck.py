"""`python -m bot.cmd.healthcheck`: the container's health probe, on the configured port.

Reads the same settings as the bot (NEWSBOT_METRICS_PORT / _HOST, `.env`, secrets), so the
probe follows the port a deployment chose; exits 0 when /healthz answers 200, else 1.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.config import Settings

TIMEOUT_SECONDS = 4.0


def probe_url(settings: Settings) -> str | None:
    """Where the running bot serves /healthz, or None when metrics are disabled."""
    if settings.metrics_port is None:
        return None
    host = settings.metrics_host
    host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.metrics_port}/healthz"


def main() -> int:
    url = probe_url(Settings())
    if url is None:
        print("healthcheck: NEWSBOT_METRICS_PORT is 0 or unset, nothing to probe", file=sys.stderr)
        return 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            ok = response.status == 200
    except (OSError, urllib.error.URLError) as exc:
        print(f"healthcheck: {url}: {exc}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
