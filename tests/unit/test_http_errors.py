"""One meaning per HTTP status for every sink, and one Retry-After reading (issue 12: three
tables disagreed, a 409/422 retried forever on a webhook but paused the channel on the bot)."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import aiohttp
import pytest
from aiohttp import web

from bot.delivery.sinks.http_errors import Outcome, error_for_status, outcome, retry_after
from bot.delivery.sinks.webhooks import DiscordWebhookSink, SlackWebhookSink
from bot.models import Delivery, Destination, Platform
from bot.ports import DeliveryError
from tests.unit.render_fixtures import make_alert


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, Outcome.retry),
        (500, Outcome.retry),
        (503, Outcome.retry),
        (408, Outcome.retry),
        (301, Outcome.permanent),
        (401, Outcome.permanent),
        (403, Outcome.permanent),
        (404, Outcome.permanent),
        (410, Outcome.permanent),
        (400, Outcome.rejected),
        (409, Outcome.rejected),
        (413, Outcome.rejected),
        (422, Outcome.rejected),
    ],
)
def test_each_status_means_one_thing(status: int, expected: Outcome) -> None:
    assert outcome(status) is expected
    error = error_for_status("X", status, "detail")
    assert (error.permanent, error.rejected) == (
        expected is Outcome.permanent,
        expected is Outcome.rejected,
    )


def test_retry_after_from_header_date_or_body() -> None:
    assert retry_after({"Retry-After": "2.5"}) == 2.5
    assert retry_after({"retry-after": "3"}) == 3.0  # header names are case-insensitive
    later = retry_after({"Retry-After": formatdate(time.time() + 120, usegmt=True)})
    assert later is not None and 100 < later <= 120
    assert retry_after({}, '{"retry_after": 0.75, "global": false}') == 0.75
    assert retry_after({"Retry-After": "soon"}, {"retry_after": 4}) == 4.0
    assert retry_after(None, "not json") is None
    assert retry_after({}, {"retry_after": True}) is None
    assert error_for_status("X", 429, "", None).retry_after == 1.0


@pytest.mark.parametrize("status", [409, 422, 404, 503, 429])
async def test_webhook_sinks_follow_the_table(status: int) -> None:
    async def answer(_request: web.Request) -> web.Response:
        return web.json_response({"message": "no", "retry_after": 0.5}, status=status)

    app = web.Application()
    app.router.add_post("/hook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            for sink, platform in (
                (DiscordWebhookSink(session), Platform.discord_webhook),
                (SlackWebhookSink(session), Platform.slack_webhook),
            ):
                dest = Destination(platform=platform, address=f"http://127.0.0.1:{port}/hook")
                delivery = Delivery(id=1, alert_id=7, destination=dest)
                with pytest.raises(DeliveryError) as info:
                    await asyncio.wait_for(sink.send(make_alert(), delivery), 30)
                kind = outcome(status)
                assert info.value.permanent is (kind is Outcome.permanent)
                assert info.value.rejected is (kind is Outcome.rejected)
                if status == 429:
                    assert info.value.retry_after == 0.5
    finally:
        await runner.cleanup()
