"""Run the fake Bot API server on its own: `python -m bot.testing.botapi --port 8081 --token T`."""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from .control import PREFIX
from .server import DEFAULT_TOKEN, BotApiServer, uvicorn_config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.testing.botapi",
        description="A fake Telegram Bot API server for tests, benchmarks and demos (loopback).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.host, args.port, args.token))


async def _serve(host: str, port: int, token: str) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    fake = BotApiServer(token, host=host, port=port)
    url = f"http://{host}:{port}"
    print(f"Bot API:         {url}/bot{token}/<method>   (PTB base_url={url}/bot)", flush=True)
    print(f"Files:           {url}/file/bot{token}/<path>", flush=True)
    print(f"Participant API: {url}{PREFIX}bot{token}/<operation>", flush=True)
    # The standalone server keeps uvicorn's signal handling so Ctrl-C stops it cleanly.
    server = uvicorn.Server(uvicorn_config(fake.app, host=host, port=port))
    try:
        await server.serve()
    finally:
        await fake.backend.close()


if __name__ == "__main__":
    main()
