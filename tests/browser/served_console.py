"""The console app under uvicorn in a background thread, on a free loopback port (browser tests)."""

from __future__ import annotations

import threading
import time

from opspack.console.app import create_app
from opspack.console.settings import ConsoleSettings


class ServedConsole:
    """The console of `settings` served by uvicorn; `url` is where a browser reaches it."""

    def __init__(self, settings: ConsoleSettings) -> None:
        import uvicorn

        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="console-under-test", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the console did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
