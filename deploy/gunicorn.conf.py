"""Gunicorn settings: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Without REDIS_URL, availability events live in one process: serve one worker process (threads
are fine). With REDIS_URL, any number of processes can serve any request.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
worker_class = "gthread"
# Every open event stream holds a thread: keep enough of them (see README, Running it for real).
threads = int(os.environ.get("THREADS", "64"))
_default_workers = min(4, multiprocessing.cpu_count() * 2) if os.environ.get("REDIS_URL") else 1
workers = int(os.environ.get("WEB_CONCURRENCY", _default_workers))
if not os.environ.get("REDIS_URL") and workers > 1:
    raise SystemExit("Without REDIS_URL, serve one worker process (set WEB_CONCURRENCY=1).")
timeout = 60
graceful_timeout = 10
keepalive = 5
# Requests are logged by the app as JSON lines with a request id (spaces/requestlog.py).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn 25.1+ opens a control socket by default at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a second server on the machine (a
# second site, a blue-green restart) would take over the first one's. Spaces does not use it.
control_socket_disable = True


def post_worker_init(worker):
    """Warm the worker's app and freeze its long-lived objects (spaces/runtime.py)."""
    from spaces.runtime import settle

    settle(worker.wsgi)
