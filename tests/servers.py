"""Start the real app in separate server processes (gunicorn) for multi-process tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict,
    workers: int = 1,
    threads: int = 4,
    timeout: float = 20.0,
    config: str | None = None,
    log: Path | None = None,
):
    """Serve ``wsgi:app`` on a free loopback port; yields the base URL; stops it afterwards.

    ``config``: a gunicorn config file (e.g. deploy/gunicorn.conf.py), under the options given
    here; ``log``: a file for gunicorn's own log (at info level), instead of warnings on stderr.
    """
    with gunicorns(env, 1, workers, threads, timeout, config, log) as (url,):
        yield url


@contextmanager
def gunicorns(
    env: dict,
    count: int,
    workers: int = 1,
    threads: int = 4,
    timeout: float = 20.0,
    config: str | None = None,
    log: Path | None = None,
):
    """``count`` servers as ``gunicorn`` makes them, started together (they boot in parallel
    rather than one after the other); yields their base URLs; stops them all afterwards."""
    full_env = {
        **os.environ,
        "SPACES_ENV": "testing",
        "SECRET_KEY": "testing-key",
        "CALENDAR_IMPORT_LOOPBACK_ONLY": "1",
        "MAP_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
        **env,
    }
    full_env = {k: v for k, v in full_env.items() if v is not None}
    started: list[tuple[subprocess.Popen, str]] = []
    try:
        for _ in range(count):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "2",
                "--log-level",
                "info" if log else "warning",
                *(["--config", config] if config else []),
                *(["--error-logfile", str(log)] if log else []),
                "wsgi:app",
            ]
            process = subprocess.Popen(command, cwd=ROOT, env=full_env)
            started.append((process, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + timeout
        for process, url in started:
            _wait_until_ready(process, url, deadline)
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen, url: str, deadline: float) -> None:
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urlopen(f"{url}/healthz", timeout=1):
                return
        except (URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start in time") from None
            time.sleep(0.1)


def post_json(url: str, payload: dict, timeout: float = 10) -> tuple[int, dict]:
    """POST ``payload`` as JSON to a server under test: (status, decoded body)."""
    request = Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def post_booking(url: str, token: str, payload: dict) -> int:
    """POST one booking with a bearer token to a server under test: the status."""
    request = Request(
        f"{url}/api/v1/bookings",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urlopen(request, timeout=60) as response:
            return response.status
    except HTTPError as error:
        return error.code


def book_at_once(url: str, requests: list[tuple[str, dict]], at: float) -> list[int]:
    """Runs in a client process: wait for the common instant, then send every (token, payload)
    booking at once, each on its own thread; the statuses in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        time.sleep(max(0.0, at - time.time()))
        return list(pool.map(lambda pair: post_booking(url, *pair), requests))
