"""deploy/gunicorn.conf.py: two servers on one machine do not share anything by default."""

from __future__ import annotations

import time

from tests.servers import ROOT, gunicorn


def test_two_servers_with_the_deploy_config_open_no_shared_control_socket(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        # Gunicorn's default control socket is per user: $XDG_RUNTIME_DIR or ~/.gunicorn.
        "HOME": str(home),
        "XDG_RUNTIME_DIR": None,
        "DATABASE_URL": f"sqlite:///{tmp_path}/spaces.sqlite3",
        "SPACES_INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": None,
        "WEB_CONCURRENCY": "1",
    }
    config = str(ROOT / "deploy" / "gunicorn.conf.py")
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with gunicorn(env, config=config, log=logs[0]), gunicorn(env, config=config, log=logs[1]):
        time.sleep(1)  # the arbiter opens its control socket just after the workers boot
        assert not (home / ".gunicorn").exists(), list((home / ".gunicorn").iterdir())
        for log in logs:
            text = log.read_text()
            assert "Booting worker" in text, text  # the log is gunicorn's own, at info level
            assert "control socket" not in text.lower(), text


def test_a_worker_started_with_the_deploy_config_is_settled_before_it_serves(tmp_path, capfd):
    """Its hook loads the communes index and freezes the long-lived objects (spaces/runtime.py),
    and the worker then serves a place search."""
    import urllib.request

    from flask_migrate import upgrade

    from spaces import create_app
    from tests.conftest import app_config

    database = f"sqlite:///{tmp_path}/spaces.sqlite3"
    with create_app(app_config(database, tmp_path / "instance")).app_context():
        upgrade()
    env = {
        "DATABASE_URL": database,
        "SPACES_INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": None,
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "server.log"
    config = str(ROOT / "deploy" / "gunicorn.conf.py")
    with gunicorn(env, config=config, log=log) as url:
        answer = urllib.request.urlopen(f"{url}/api/v1/search?place=Loches&radius_km=10")
        assert answer.status == 200
        answer.close()
    text = capfd.readouterr().err  # the app's own log lines (gunicorn's go to ``log``)
    frozen = [line for line in text.splitlines() if "long-lived objects frozen" in line]
    assert frozen, text
    assert int(frozen[0].split("worker ready: ")[1].split()[0]) > 100_000, frozen
