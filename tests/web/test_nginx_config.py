"""The example nginx configuration is valid for nginx itself (``nginx -t``), and drops requests
for host names it does not serve."""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        require("nginx is not installed (Debian package nginx-light)")
    return nginx


def write_config(tmp_path: Path, ports: dict[int, int] | None = None) -> Path:
    """The example site in a minimal main config under ``tmp_path``; returns the main file.

    ``ports`` moves the listening ports (80 → a free one...) so the test can run it unprivileged.
    """
    site = (ROOT / "deploy/nginx.conf").read_text()
    for port, moved in (ports or {}).items():
        site = site.replace(f"listen {port} ", f"listen 127.0.0.1:{moved} ")
        site = site.replace(f"listen {port};", f"listen 127.0.0.1:{moved};")
    # Self-signed stand-ins for the certificate paths, so -t can load them.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    site = site.replace("/etc/letsencrypt/live/spaces.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/spaces.example.org/privkey.pem", str(key))
    (tmp_path / "spaces.conf").write_text(site)
    main = f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/spaces.conf;
}}
"""
    (tmp_path / "nginx.conf").write_text(main)
    return tmp_path / "nginx.conf"


def test_nginx_accepts_the_example_config(tmp_path):
    nginx = nginx_binary()
    result = subprocess.run(
        [nginx, "-t", "-c", str(write_config(tmp_path)), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture
def running_nginx(tmp_path):
    nginx = nginx_binary()
    http_port, https_port = free_port(), free_port()
    config = write_config(tmp_path, {80: http_port, 443: https_port})
    process = subprocess.Popen(
        [nginx, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    try:
        yield http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/password/forgot", headers={"Host": host})
    return connection.getresponse()


def test_nginx_drops_requests_for_unknown_host_names(running_nginx):
    http_port, https_port = running_nginx
    known = get(http_port, "spaces.example.org")
    assert known.status == 301
    assert known.headers["Location"] == "https://spaces.example.org/password/forgot"
    for host in ("evil.example", "127.0.0.1"):
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            get(http_port, host)  # 444: the connection is closed without an answer
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(("127.0.0.1", https_port), timeout=5) as raw,
        pytest.raises(ssl.SSLError),
    ):
        context.wrap_socket(raw, server_hostname="evil.example").close()
