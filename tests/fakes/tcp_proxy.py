"""A loopback TCP proxy in front of PostgreSQL that a test can cut: the outage, without
touching the machine's server.

`cut()` aborts every connection through it and resets new ones (a server that went away);
`restore()` forwards again. Free of pytest.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    """`await start()`, point the client at `port`, then `cut()` / `restore()`, `await stop()`."""

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target = target_port
        self.port = 0
        self.down = False
        self.refused = 0
        """Connections reset while cut: the client really tried during the outage."""
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def through(self, url: str) -> str:
        """`url` (to the target) rewritten to go through the proxy."""
        return url.replace(f"{self.host}:{self.target}", f"{self.host}:{self.port}")

    def cut(self) -> None:
        self.down = True
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.down = False

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
