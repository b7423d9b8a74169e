"""Screenshots of the web pages, desktop and phone width, for a person to look at.

    python scripts/screenshots.py [--data-dir DIR] [--out docs/screenshots/] [--query "What is a colony settlement?"]

Serves the archive in DIR (or, without --data-dir, a temporary archive of the bundled corpus, which takes about a
minute to build) on a free local port and drives the Debian Chromium (/usr/bin/chromium, or --chromium PATH)
through Playwright. Writes, each as -desktop.png and -phone.png: home, search (with its paging and export links),
search-filtered (the filters open: a date range and a kind), read (the reading bar, scrolled into a long document),
check (a quote with a changed number), person (the timeline), people and ingest (the jobs, shown with a key made for
this run).
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urljoin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the repository root is on the path now)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
QUOTE = "On 18 October 2007, the court sentenced Atabek to 15 years in prison."  # the source says 18 years


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path, port: int, editor_key: str | None = None):
    """Start uvicorn with the app in a daemon thread; returns the server (call `should_exit = True` to stop)."""
    import uvicorn

    from api.app import create_app
    from archive.settings import Settings

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(data_dir=data_dir, editor_token=editor_key)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.1)
    return server, thread


def build_seed_archive(data_dir: Path) -> None:
    from api.services import Services
    from archive.settings import Settings
    from indexing.pipeline import collect_files

    print(f"building a temporary archive of the bundled corpus in {data_dir} ...", flush=True)
    services = Services.open(Settings(data_dir=data_dir))
    try:
        services.ingestor.ingest(list(collect_files([ROOT / "corpus"])))
    finally:
        services.close()


def most_mentioned_person(data_dir: Path) -> int | None:
    from sqlmodel import Session

    from archive.db import make_engine
    from archive.settings import Settings
    from search.persons import find_persons

    engine = make_engine(Settings(data_dir=data_dir))
    try:
        with Session(engine) as session:
            found = find_persons(session, None, limit=1)
        return found[0].id if found and found[0].mentions else None
    finally:
        engine.dispose()


def screenshot(page, url: str, path: Path) -> Path:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an existing archive (default: build one from corpus/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--query", default="What is a colony settlement?")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    temporary = None
    data_dir = args.data_dir
    if data_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="archive-screens-")
        data_dir = Path(temporary.name)
        build_seed_archive(data_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    editor_key = secrets.token_urlsafe(24)  # for this run only: the ingest page lists the jobs with it
    server, thread = serve(data_dir, port, editor_key)
    base = f"http://127.0.0.1:{port}"
    person_id = most_mentioned_person(data_dir)
    written: list[Path] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            for name, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.set_default_timeout(180_000)  # the first search embeds the query (slow on a busy machine)

                filtered = {"q": args.query, "published_from": "2020-01-01", "kind": "NGO report", "k": 5}
                shots = [
                    ("search-filtered", f"{base}/?{urlencode(filtered)}"),
                    ("home", f"{base}/"),
                    ("search", f"{base}/?{urlencode({'q': args.query, 'k': 5})}"),
                ]
                for label, url in shots:
                    if label == "search-filtered":
                        page.goto(url)
                        page.evaluate("document.querySelector('details.filters').open = true")
                        page.screenshot(path=str(args.out / f"{label}-{name}.png"))
                        written.append(args.out / f"{label}-{name}.png")
                        continue
                    written.append(screenshot(page, url, args.out / f"{label}-{name}.png"))
                read_url = page.locator(".result-title").first.get_attribute("href")
                if read_url:  # the reading bar stays at the top while the reader scrolls on
                    page.goto(urljoin(base, read_url))  # the page links by path
                    page.wait_for_load_state("networkidle")
                    page.mouse.wheel(0, 600)
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(args.out / f"read-{name}.png"))
                    written.append(args.out / f"read-{name}.png")
                later = [("check", f"{base}/check?{urlencode({'quote': QUOTE})}")]
                if person_id is not None:
                    later += [("person", f"{base}/people/{person_id}"), ("people", f"{base}/people")]
                for label, url in later:
                    written.append(screenshot(page, url, args.out / f"{label}-{name}.png"))
                page.goto(f"{base}/ingest")
                page.fill("#key", editor_key)
                page.click("#show-jobs")
                page.wait_for_selector("#jobs tr[data-job-id]")
                page.screenshot(path=str(args.out / f"ingest-{name}.png"))
                written.append(args.out / f"ingest-{name}.png")
                page.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if temporary is not None:
            temporary.cleanup()
    for path in written:
        print(path)
    if person_id is None:
        print("(no person is tagged in this archive: no person page)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
