"""gunicorn started as the README's production setup describes, on a free loopback port, and stopped again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import requests

from benchmarks.ceiling import CEILING_PATH
from config import ROOT

WORKERS = 4
#: The app factory gunicorn serves: the production app plus the benchmark's ceiling page.
APP = "benchmarks.ceiling:create_app()"
#: Seconds to wait for the workers to answer, and for them to stop.
START_TIMEOUT = 60
STOP_TIMEOUT = 15
POLL_INTERVAL = 0.2
LOG_TAIL_CHARS = 3_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`with Gunicorn(env, log_path) as server:` serves the app at `server.base_url` until the block ends."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = WORKERS,
                 app: str = APP, ready_path: str = CEILING_PATH):
        self.env, self.log_path, self.workers = env, log_path, workers
        self.app, self.ready_path = app, ready_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        # The flags of `make serve`, with the benchmark's app factory and a loopback address; the bare-Flask
        # ceiling (benchmarks/bare.py) is served with exactly the same ones.
        return [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-", "--forwarded-allow-ips", "*",
                self.app]

    def __enter__(self) -> Self:
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        finally:
            log.close()  # the child keeps its own descriptor
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.base_url + self.ready_path, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(POLL_INTERVAL)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master (it stops its workers), SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except OSError:
            return ""
