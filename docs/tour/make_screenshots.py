"""Screenshots of the README's tour: the phone pages in vi, en and zh-hans, the gate console at
1024 px and the yard board at 1920 × 1080, taken from a real server over a small demo data set.

    .venv/bin/python docs/tour/make_screenshots.py            # about 10 minutes, writes docs/tour/
    .venv/bin/python docs/tour/make_screenshots.py --data-dir /tmp/tour --keep   # keep the data
    .venv/bin/python docs/tour/make_screenshots.py --data-dir /tmp/tour --reuse  # skip the demo

What it does: ``cuakhau demo --no-serve --days 2`` into a temporary CUAKHAU_DATA_DIR (SQLite
there, whatever DATABASE_URL says), gives the few accounts it signs in with a known password,
starts ``cuakhau serve`` on a free port (DEBUG off, as deployed), then drives Debian's Chromium
through Playwright like a person: one browser per language set up in that language (what a
first visit speaks), and the page's own language menu where the page still speaks another (a
cookie before sign-in, the profile after), never a language forced by a URL. Pages are shot at
device scale 1 and stored as 256-colour PNGs: most phone pages under 40 KB, the board ~100 KB.
Chinese needs a CJK font on the machine (Debian: ``fonts-noto-cjk``), or it shows as boxes.

The demo's clock is today's: figures and dates on the pictures change from run to run, the
pages shown do not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CUAKHAU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
WALL = {"width": 1920, "height": 1080}
LANGUAGES = ["vi", "en", "zh-hans"]
# File names say "zh" (short, and what a reader of the README looks for).
SUFFIX = {"vi": "vi", "en": "en", "zh-hans": "zh"}
BROWSER_LOCALE = {"vi": "vi-VN", "en": "en-GB", "zh-hans": "zh-CN"}

GATE = "hng"  # Hữu Nghị: the busiest demo gate
OPERATOR = "vanhanh"
BOARD = "bql"
PASSWORD = "tour-screenshots-2025"  # set on the temporary data set only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="Where the PNGs go.")
    parser.add_argument(
        "--data-dir", type=Path, help="CUAKHAU_DATA_DIR (default: a temporary one)."
    )
    parser.add_argument("--reuse", action="store_true", help="Use the data already in --data-dir.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data dir.")
    parser.add_argument("--days", type=int, default=2, help="Days of demo traffic.")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="cuakhau-tour-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CUAKHAU_DATA_DIR"] = str(data_dir)
    os.environ.pop("CUAKHAU_DEMO", None)  # the pages as an installation shows them, no banner
    os.environ.pop("DATABASE_URL", None)  # never a shared database: the demo resets its trips
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
    if (
        shutil.which("fc-list")
        and not subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True
        ).stdout.strip()
    ):
        say("Warning: no Chinese font (apt-get install fonts-noto-cjk): zh pages will show boxes.")
    try:
        if not (args.reuse and (data_dir / "cuakhau.sqlite3").exists()):
            say(f"Demo data ({args.days} days) into {data_dir} …")
            run([BIN / "cuakhau", "demo", "--no-serve", "--days", str(args.days), "-v", "1"])
        cast = prepare()
        port = free_port()
        with serving(port):
            shoot(f"http://127.0.0.1:{port}", cast, args.out)
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.data_dir is None:
            say(f"Data kept in {data_dir}")


def prepare() -> dict:
    """The trips each page shows, and known passwords for the accounts that show them."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.utils import timezone

    from cuakhau.accounts.models import Organisation
    from cuakhau.receipts.models import Receipt
    from cuakhau.trips.choices import TripStatus
    from cuakhau.trips.models import Trip

    now = timezone.now()
    # Two days of demo traffic give the demo's own enterprise login (at Ma Lù Thàng, a small
    # gate) hardly a trip: sign in as the declarant of the Vietnamese company with the most
    # trucks coming through the gate, paid ones first.
    coming_here = Q(trips__gate__code=GATE, trips__expected_arrival__gte=now)
    organisation = (
        Organisation.objects.filter(country="VN", members__user__isnull=False)
        .annotate(paid=Count("trips", filter=coming_here & Q(trips__status=TripStatus.PAID)))
        .order_by("-paid", "pk")
        .first()
    )
    enterprise = organisation and organisation.members.order_by("pk").first().user
    if enterprise is None:
        sys.exit("The demo data has no enterprise with trips at the gate.")
    for user in get_user_model().objects.filter(pk=enterprise.pk) | get_user_model().objects.filter(
        username__in=[OPERATOR, BOARD]
    ):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])

    coming = Trip.objects.filter(
        organisation=organisation, gate__code=GATE, expected_arrival__gte=now
    ).order_by("expected_arrival", "pk")
    paid = coming.filter(status=TripStatus.PAID, receipts__isnull=False).first()
    unpaid = coming.filter(status=TripStatus.SUBMITTED).first()
    booked = coming.filter(bookings__isnull=False).first() or paid
    receipt = Receipt.objects.filter(trip=paid).order_by("-pk").first() if paid else None
    # A truck the operator is about to let in: paid, at this gate, expected in the next hours.
    arriving = (
        Trip.objects.filter(gate__code=GATE, status=TripStatus.PAID, expected_arrival__gte=now)
        .order_by("expected_arrival", "pk")
        .first()
    )
    cast = {
        "enterprise": enterprise.username,
        "paid": paid and paid.reference,
        "unpaid": unpaid and unpaid.reference,
        "booked": booked and booked.reference,
        "receipt": receipt and receipt.number,
        "arriving": arriving and arriving.reference,
    }
    missing = [name for name, value in cast.items() if not value]
    if missing:
        sys.exit(f"The demo data has no trip for: {', '.join(missing)}")
    say(f"Shown: {cast}")
    return cast


@contextlib.contextmanager
def serving(port: int):
    log = open(Path(os.environ["CUAKHAU_DATA_DIR"]) / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [BIN / "cuakhau", "serve", "--port", str(port), "--workers", "2", "--no-task-worker"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"The server did not start; see {log.name}")
            time.sleep(0.5)
        yield
    finally:
        server.terminate()  # gunicorn's arbiter stops its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def shoot(base: str, cast: dict, out: Path) -> None:
    # Playwright's sync API runs an event loop in this thread; the ORM is done with by now.
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        # One browser per language, set up in that language (its date inputs too), like the
        # phone of a person who reads it.
        for language in LANGUAGES:
            browser = launch(p, language)
            try:
                phone_tour(browser, base, cast, language, out)
                if language == "vi":
                    tablet_and_wall(browser, base, cast, out)
            finally:
                browser.close()


def launch(p, language: str):
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--lang={BROWSER_LOCALE[language]}"],
        headless=True,
    )


def phone_tour(browser, base: str, cast: dict, language: str, out: Path) -> None:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale=BROWSER_LOCALE[language],
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    name = SUFFIX[language]
    try:
        # The public wait times, before signing in: the browser's language speaks on a first
        # visit; a choice in the page's menu would go into a cookie.
        page.goto(f"{base}/slots/wait-times/")
        choose_language(page, language)
        snap(page, out / f"wait-times-{name}.png")

        page.goto(f"{base}/login/")
        page.fill("#id_username", cast["enterprise"])
        snap(page, out / f"sign-in-{name}.png")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        # Signed in, the profile's language speaks (vi for this account): choose in the menu,
        # as a person would, and the profile remembers it.
        choose_language(page, language)

        page.goto(f"{base}/trips/")
        snap(page, out / f"trips-{name}.png")

        page.goto(f"{base}/trips/new/")
        snap(page, out / f"declare-{name}.png")

        page.goto(f"{base}/trips/{cast['unpaid']}/")
        scroll_to(page, "#fees")
        snap(page, out / f"pay-{name}.png")

        page.goto(f"{base}/trips/{cast['paid']}/")
        snap(page, out / f"trip-{name}.png")

        page.goto(f"{base}/receipts/{cast['receipt']}/")
        snap(page, out / f"receipt-{name}.png")

        page.goto(f"{base}/slots/trips/{cast['booked']}/")
        snap(page, out / f"slot-{name}.png")
    finally:
        context.close()


def tablet_and_wall(browser, base: str, cast: dict, out: Path) -> None:
    context = browser.new_context(
        viewport=TABLET, device_scale_factor=1, has_touch=True, locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )  # fmt: skip
    page = context.new_page()
    try:
        sign_in(page, base, OPERATOR)
        choose_language(page, "vi")
        page.goto(f"{base}/gate/{GATE}/console/")
        # The operator scans the QR of a truck at the barrier: the console answers with its card.
        page.fill("#id_scan", cast["arriving"])
        page.click("#lookup")
        page.wait_for_function("document.querySelector('#card').textContent.trim().length > 0")
        snap(page, out / "console-vi.png")
    finally:
        context.close()

    context = browser.new_context(
        viewport=WALL, device_scale_factor=1, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    try:
        sign_in(page, base, BOARD)
        choose_language(page, "vi")
        page.goto(f"{base}/gate/{GATE}/board/")
        snap(page, out / "board-vi.png")
    finally:
        context.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def choose_language(page, language: str) -> None:
    """The header's language menu, as a person uses it (it submits on change)."""
    select = page.locator("header form.lang select")
    if select.input_value() == language:
        return
    with page.expect_navigation():
        select.select_option(language)
    page.wait_for_load_state("networkidle")


def scroll_to(page, selector: str) -> None:
    page.locator(selector).evaluate("element => element.scrollIntoView({block: 'start'})")


def snap(page, path: Path) -> None:
    """The visible screen, as a 256-colour PNG (text and flat colours lose nothing visible)."""
    from PIL import Image

    page.wait_for_load_state("networkidle")
    page.screenshot(path=path, animations="disabled", caret="hide")
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    say(f"{path.relative_to(CHECKOUT) if path.is_relative_to(CHECKOUT) else path}: "
        f"{path.stat().st_size // 1024} KB")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=CHECKOUT)


def say(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    main()
