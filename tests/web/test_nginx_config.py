"""The example nginx configuration is valid for nginx itself (``nginx -t``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def test_nginx_accepts_the_example_config(tmp_path):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        require("nginx is not installed (Debian package nginx-light)")
    site = (ROOT / "deploy/nginx.conf").read_text()
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
    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
