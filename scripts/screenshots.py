"""Photograph the main pages of the demo, for each role, on a phone and on a desktop.

    .venv/bin/python scripts/screenshots.py [DIRECTORY] [--role host] [--size phone] [--page space]

Builds the app on a new SQLite database in a temporary folder, loads the Touraine demo (and makes
Hugo an administrator), serves it on 127.0.0.1, and writes one full-page PNG per page, size and
role into DIRECTORY (default ``screenshots/``, ignored by git), named ``ROLE-SIZE-PAGE.png``,
and the folded phone menu opened, ``ROLE-phone-menu.png``. The pages and roles are those of the layout test (``tests/e2e/tour.py``). Uses the system's Chromium
(``CHROMIUM_PATH``, default /usr/bin/chromium); map tiles are not fetched (grey maps). A page
that scrolls sideways is named at the end, and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_app(folder: Path):
    from flask_migrate import upgrade

    from spaces import create_app
    from spaces.config import TEST_OVERRIDES
    from tests.e2e.tour import make_admin

    (folder / "outbox").mkdir()
    app = create_app(
        {
            **TEST_OVERRIDES,
            "DATABASE_URL": f"sqlite:///{folder / 'screenshots.sqlite3'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "REDIS_URL": None,
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        }
    )
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    if result.exit_code != 0:
        raise SystemExit(f"the demo did not load: {result.output}")
    make_admin(app)
    return app


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="screenshots", daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main(argv: list[str] | None = None) -> int:
    import logging

    from tests.e2e.tour import ACCOUNTS, ROLES, SIZES, log_in, tour

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT / "screenshots"))
    parser.add_argument("--role", action="append", choices=ROLES, help="repeatable; all by default")
    parser.add_argument("--size", action="append", choices=list(SIZES), help="repeatable")
    parser.add_argument("--page", action="append", help="a page's short name; repeatable")
    parser.add_argument("--locale", default="fr-FR", help="the browser's language (fr-FR)")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    out = Path(args.directory)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    started = time.monotonic()
    too_wide: list[str] = []
    written = 0
    with tempfile.TemporaryDirectory(prefix="spaces-screenshots-") as folder:
        app = build_app(Path(folder))
        pages = tour(app)
        server, url = serve(app)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=CHROMIUM_ARGS
                )
                for role in args.role or ROLES:
                    context = browser.new_context(
                        base_url=url, locale=args.locale, viewport=SIZES["desktop"]
                    )
                    page = context.new_page()
                    if ACCOUNTS[role]:
                        log_in(page, ACCOUNTS[role])
                    for size in args.size or list(SIZES):
                        page.set_viewport_size(SIZES[size])
                        for stop in pages[role]:
                            if args.page and stop.name not in args.page:
                                continue
                            page.goto(stop.path)
                            page.wait_for_load_state("load")
                            path = out / f"{role}-{size}-{stop.name}.png"
                            page.screenshot(path=str(path), full_page=True)
                            written += 1
                            wide, inner = page.evaluate(
                                "() => [document.documentElement.scrollWidth, window.innerWidth]"
                            )
                            if wide > inner:
                                too_wide.append(f"{path.name}: {wide} px for {inner}")
                        toggle = page.get_by_test_id("menu-toggle")
                        if toggle.is_visible():  # the folded menu, opened
                            toggle.click()
                            page.screenshot(path=str(out / f"{role}-{size}-menu.png"))
                            written += 1
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    print(f"{written} screenshots in {out} ({time.monotonic() - started:.0f} s)")
    for line in too_wide:
        print(f"scrolls sideways: {line}")
    return 1 if too_wide else 0


if __name__ == "__main__":
    sys.exit(main())
