"""SSRF policy: which addresses and URLs a feed may point at."""

import ipaddress

import pytest

from bot.feeds.ssrf import (
    AddressPolicy,
    AddressRefused,
    GuardedResolver,
    InvalidFeedUrl,
    checked_addresses,
    classify,
    validate_feed_url,
)


def fake_dns(table):
    async def resolve(host, port):
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.3.4", "private"),
        ("fc00::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("::ffff:127.0.0.1", "IPv4-embedded loopback"),
        ("::ffff:10.1.2.3", "IPv4-embedded private"),
        ("2002:7f00:1::", "IPv4-embedded loopback"),
        ("64:ff9b::a00:5", "IPv4-embedded private"),
    ],
)
def test_non_public_addresses_are_classified(address, kind):
    assert classify(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_pass(address):
    assert classify(ipaddress.ip_address(address)) is None


def test_refusal_message_names_url_address_and_fix():
    with pytest.raises(AddressRefused) as info:
        AddressPolicy().check("10.0.0.5", "10.0.0.5")
    assert info.value.for_url("http://10.0.0.5/") == (
        "feed URL http://10.0.0.5/ resolves to private address 10.0.0.5; newsbot only fetches "
        "public addresses. To allow it, add it to NEWSBOT_FETCH_ALLOW_PRIVATE"
    )


def test_allow_list_admits_cidr_and_host_names():
    policy = AddressPolicy(["127.0.0.1/32", "intranet.example"])
    policy.check("127.0.0.1", "127.0.0.1")
    policy.check("Intranet.Example.", "10.9.9.9")
    with pytest.raises(AddressRefused):
        policy.check("127.0.0.2", "127.0.0.2")


def test_metadata_needs_an_exact_allow_entry():
    with pytest.raises(AddressRefused):
        AddressPolicy(["169.254.0.0/16"]).check("x", "169.254.169.254")
    AddressPolicy(["169.254.169.254/32"]).check("x", "169.254.169.254")


async def test_host_resolving_to_metadata_is_refused():
    dns = fake_dns({"evil.example": ["93.184.216.34", "169.254.169.254"]})
    with pytest.raises(AddressRefused) as info:
        await checked_addresses("evil.example", 80, AddressPolicy(), dns)
    assert info.value.kind == "cloud metadata"


async def test_resolver_returns_checked_addresses_for_aiohttp():
    resolver = GuardedResolver(AddressPolicy(), fake_dns({"news.example": ["93.184.216.34"]}))
    [result] = await resolver.resolve("news.example", 443)
    assert (result["host"], result["port"], result["hostname"]) == (
        "93.184.216.34",
        443,
        "news.example",
    )


async def test_resolver_refuses_private_answer():
    resolver = GuardedResolver(AddressPolicy(), fake_dns({"rebind.example": ["10.0.0.1"]}))
    with pytest.raises(AddressRefused):
        await resolver.resolve("rebind.example", 80)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "only http:// and https://"),
        ("gopher://x/", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("example.com/feed", "only http:// and https://"),
        ("http://user:pw@example.com/feed", "credentials"),
        ("http:///feed", "no host"),
        ("http://exa mple.com/", "spaces"),
        ("http://example.com:99999/", "(?i)port"),
        ("http://example.com/" + "a" * 2000, "longer than"),
        ("", "empty"),
    ],
)
def test_validate_feed_url_refuses(url, words):
    with pytest.raises(InvalidFeedUrl, match=words):
        validate_feed_url(url)


def test_credentials_are_not_repeated_in_the_error():
    with pytest.raises(InvalidFeedUrl) as info:
        validate_feed_url("https://bob:s3cret@news.example/rss")
    assert "s3cret" not in str(info.value) and "news.example/rss" in str(info.value)


def test_validate_feed_url_accepts_and_strips():
    assert validate_feed_url(" https://example.com/rss?x=1 ") == "https://example.com/rss?x=1"
