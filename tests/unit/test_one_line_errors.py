"""Operator mistakes end in one line that says what to fix: derive inputs, settings named as
the variable the user set, database URLs, PostgreSQL logins, options after the command."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.cmd.article import ArticleError, read_article
from tests.pg import pg_problem


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path: Path):
    """Run `newsbot ARGS` in this process; return (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSBOT_CONFIG_DIR", "NEWSBOT_DATABASE_URL", "NEWSBOT_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("NEWSBOT_METRICS_PORT", "0")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)

    def run(*args: str, **env: str) -> tuple[int, str, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit) as stop:
            main(list(args))
        root.handlers[:] = saved[0]  # setup_logging replaced them; give pytest its own back
        root.setLevel(saved[1])
        out = capsys.readouterr()
        return int(stop.value.code or 0), out.out, out.err

    return run


def test_derive_refuses_latin1_binary_and_urls_in_one_line(tmp_path: Path, cli) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Lavrov a déclaré".encode("latin-1"))
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    cases = {
        str(latin): f"{latin} is not UTF-8 text (byte 0xe9 at offset 10); convert it, e.g. "
        f"iconv -f latin1 -t utf-8 {latin} > article.txt",
        str(binary): f"{binary} is a binary file; derive needs the article as plain text",
        "https://example.com/a": "https://example.com/a is a URL; derive reads a local text file",
        str(tmp_path / "nope.txt"): f"cannot read {tmp_path / 'nope.txt'}: No such file",
    }
    for argument, words in cases.items():
        code, _, err = cli("derive", argument)
        assert code == 1
        assert err.count("\n") == 1 and err.startswith(f"newsbot: {words}"), err


def test_read_article_accepts_utf8_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffLavrov says talks go on".encode())
    assert read_article(str(path)) == "Lavrov says talks go on"
    with pytest.raises(ArticleError):
        read_article("ftp://example.com/a.txt")


def test_bad_settings_are_named_as_the_variable_set(cli) -> None:
    code, _, err = cli("config", "check", NEWSBOT_POLL_INTERVAL_SECONDS="5")
    assert code == 1
    assert err == (
        "newsbot: NEWSBOT_POLL_INTERVAL_SECONDS=5: Input should be greater than or equal to 10\n"
    )


def test_an_unsupported_database_names_what_works_without_echoing_the_password(cli) -> None:
    code, _, err = cli("feeds", "list", NEWSBOT_DATABASE_URL="mysql://bot:s3cret@db/newsbot")
    assert code == 1
    assert err == (
        "newsbot: NEWSBOT_DATABASE_URL: mysql:// is not supported; use sqlite:///newsbot.db "
        "(a file) or postgresql://user:password@host:5432/newsbot\n"
    )


@pytest.mark.skipif(pg_problem() is not None, reason="needs a reachable PostgreSQL")
def test_a_postgres_login_error_says_login_not_directory(cli) -> None:
    url = "postgresql://no_such_role_here@127.0.0.1:5432/postgres"
    code, _, err = cli("feeds", "list", NEWSBOT_DATABASE_URL=url)
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith("newsbot: PostgreSQL refused the login in NEWSBOT_DATABASE_URL")
    assert "no_such_role_here" in err and "directory" not in err


def test_log_level_and_config_work_after_the_command_and_commands_are_quiet(
    tmp_path: Path, cli
) -> None:
    code, out, err = cli("config", "check", "--no-dns")
    assert code == 0 and "-> packaged default" in out
    assert err == ""  # no INFO line from a one-shot command
    code, out, err = cli("config", "check", "--no-dns", "--log-level", "debug")
    assert code == 0 and "[debug" in err
    code, out, _ = cli("config", "check", "--no-dns", "--config", str(tmp_path / "none"))
    assert code == 1 and f"-> --config             {tmp_path / 'none'}" in out
