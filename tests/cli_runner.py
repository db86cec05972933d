"""`newsbot ARGS` for tests: in this process (`newsbot`), or as a real process (`newsbot_process`).

A `python -m bot.cli` subprocess pays the whole import again (3–4 s of CPU, 10–20 s on a
loaded 2-core machine) before it does anything. One-shot commands whose output, exit code and
database effects are the point run in this process instead: the same `bot.cli.main`, with the
given environment, working directory and fresh stdout/stderr; logging as it was afterwards.
Each test file keeps a real process where the process is what it proves (the entry point, one
line and no traceback on stderr from a fresh interpreter, signals).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from bot.cli import main

_ONE_AT_A_TIME = threading.Lock()  # os.environ, the working directory and sys.std* are global


def newsbot(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `newsbot ARGS` in this process with `env` as the whole environment."""
    out, err = io.StringIO(), io.StringIO()
    with _ONE_AT_A_TIME, _environment(env, cwd), _logging_kept():
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main(list(args))
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if isinstance(stop.code, str):
                err.write(stop.code + "\n")
    return subprocess.CompletedProcess(["newsbot", *args], code, out.getvalue(), err.getvalue())


def newsbot_process(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot.cli ARGS` as its own process (generous bound: only a hang hits it)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def _environment(env: dict[str, str], cwd: Path | None) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """`main` points the root logger at its stderr and sets levels: put pytest's back."""
    loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
    saved = [(lg, lg.handlers[:], lg.level) for lg in loggers if isinstance(lg, logging.Logger)]
    known = {lg for lg, _, _ in saved}
    try:
        yield
    finally:
        for lg, handlers, level in saved:
            lg.handlers[:] = handlers
            lg.setLevel(level)
        for lg in list(logging.root.manager.loggerDict.values()):
            if isinstance(lg, logging.Logger) and lg not in known:
                lg.setLevel(logging.NOTSET)  # made during the run: inherit, as before
