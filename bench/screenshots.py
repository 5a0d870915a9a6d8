"""Screenshots of each page type, at desktop and phone size, for reviewing the design.

    make screenshots      (writes screenshots/*.png; the folder is ignored by git)
    make docs-images      (docs/images/editing-*.png: the editors' first import, step by
                           step, for docs/editing.md; and the admin lists' widths)

Serves the sample documents from a scratch database with `runserver`, and photographs
every public page type with Debian's Chromium through Playwright.
"""

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"
PORT = 8099
PAGES = {
    "home": "/",
    "themes": "/themes/",
    "theme": "/themes/shipping-fast/",
    "lessons": "/lessons/",
    "lesson": "/lessons/feature-flags-from-the-first-commit/",
    "quotes": "/quotes/",
    "videos": "/videos/",
    "people": "/people/",
    "person": "/people/priya-nair/",
    "incidents-theme": "/themes/incidents-on-call/",
    "insights": "/insights/",
    "insight": "/insights/name-an-incident-lead-in-the-first-minutes/",
    "insight-differ": "/insights/sometimes-the-big-rewrite-is-right/",
    "video": "/videos/from-support-desk-to-engineering-manager-a-career-switch-story/",
    # The transcript as its index, and as a reader arrives from a lesson's moment link.
    "transcript-index": "/videos/shipping-small-lessons-from-a-decade-of-startups/transcript/",
    "transcript": "/videos/shipping-small-lessons-from-a-decade-of-startups/transcript/"
    "?from=feature-flags-from-the-first-commit#t-60",
    "search": "/search/?q=feature+flag",
    "unknown-theme": "/lessons/?tag=no-such-theme",
    "search-meaning": "/search/?q=keeping+calm+when+production+breaks",
    "api-docs": "/api/v1/docs",
    "quote": "/quotes/1/",
    "daily": "/daily/",
}
# Share cards, saved as the PNGs the pages point at (og:image).
CARDS = {
    "card-quote": "/quotes/1/card.png",
    "card-lesson": "/lessons/feature-flags-from-the-first-commit/card.png",
    "card-insight": "/insights/name-an-incident-lead-in-the-first-minutes/card.png",
}
# Signed in as an editor (create_editor): the curation pages.
ADMIN_PAGES = {
    "admin-start": "/admin/",
    "admin-lessons": "/admin/kb/lesson/",
    "admin-quotes": "/admin/kb/quote/",
    "admin-videos": "/admin/kb/video/",
    "admin-proposal": "/admin/kb/insightproposal/1/change/",
    "admin-lesson": "/admin/kb/lesson/1/change/",
    "admin-video": "/admin/kb/video/1/change/",
    "admin-import": "/admin/kb/video/import/",
    "admin-themes": "/admin/kb/theme/",
    "admin-proposals": "/admin/kb/insightproposal/",
    "admin-insight": "/admin/kb/insight/1/change/",
    "admin-transcript": "/admin/kb/video/1/transcript/",
}
YT_DLP = sorted((ROOT / "samples" / "yt-dlp").iterdir())
# As an editor would: accept three of the samples' proposals, write a summary, publish.
PUBLISH_INSIGHTS = """
from kb.curation import accept_proposal
from kb.models import Insight, InsightProposal
for title in ["Name an Incident Lead", "Sometimes the Big Rewrite", "Burnout Is a Rotation"]:
    accept_proposal(InsightProposal.objects.get(title__startswith=title))
Insight.objects.update(status="published", summary="Guests from different talks agree on "
    "this, each in their own words; follow each voice to its moment.")
Insight.objects.filter(evidence__stance="contrasts").update(summary="Two guests, two "
    "answers: when a rewrite pays, and when it stops shipping. Hear each out.")
# ... and confirm the best passage of a few lessons as their quotes, said by the guest.
from kb.curation import accept_suggestion
from kb.models import Lesson
first = Lesson.objects.get(slug="feature-flags-from-the-first-commit")
for lesson in [first, *Lesson.objects.exclude(pk=first.pk).order_by("pk")[:8]]:
    suggestion = lesson.suggestions.filter(status="open").order_by("rank").first()
    if suggestion:
        quote = accept_suggestion(suggestion)
        guest = lesson.video.credits.filter(role="guest").first()
        quote.speaker = guest.person if guest else None
        quote.status = "published"
        quote.save()
"""
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def find_chromium() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    return chromium


@contextlib.contextmanager
def scratch_site(*setup: list[str], production: bool = False):
    """A site on PORT over a scratch SQLite database: migrated, `setup` run (each a
    manage.py command line), an editor "shots" made. Removed afterwards. `production`:
    DEBUG off, as readers meet it (its own error pages, collected static files; plain
    HTTP, so no redirect to HTTPS and no signing in)."""
    scratch = Path(tempfile.mkdtemp(prefix="kb-shots-"))
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}"}
    if production:
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_STATIC_ROOT=str(scratch / "static"),
        )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if production:
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
    for command in setup:
        subprocess.run(
            [*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    subprocess.run(
        [*manage, "create_editor", "shots", "--password", "Screen-Shots-42"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    if sys.argv[1:] == ["--editing"]:
        return editing_walkthrough()
    chromium = find_chromium()
    with scratch_site(["load_samples"], ["shell", "-c", PUBLISH_INSIGHTS]):
        OUT.mkdir(exist_ok=True)
        for name, path in CARDS.items():
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as card:
                (OUT / f"{name}.png").write_bytes(card.read())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--no-first-run",
                ],
            )
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, is_mobile=size == "phone")
                page = context.new_page()
                for name, path in PAGES.items():
                    shoot(page, name, path, size)
                sign_in(page)
                for name, path in ADMIN_PAGES.items():
                    shoot(page, name, path, size)
                # The preview of several files at once (a yt-dlp folder's).
                page.goto(f"http://127.0.0.1:{PORT}/admin/kb/video/import/")
                page.set_input_files("input[name=file]", [str(p) for p in YT_DLP])
                # (At phone width the admin's aligned fieldset overlaps its button.)
                page.eval_on_selector("input[value=Preview]", "b => b.form.requestSubmit(b)")
                page.wait_for_load_state()
                page.screenshot(path=str(OUT / f"admin-import-several-{size}.png"), full_page=True)
                context.close()
            browser.close()
    # What a reader meets at a dead address: the site's own page, which only a server
    # with DEBUG off shows (with it on, Django's technical page).
    with scratch_site(production=True), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, is_mobile=size == "phone")
            shoot(context.new_page(), "not-found", "/no-such-page/", size)
            context.close()
        browser.close()
    shots = (len(PAGES) + len(ADMIN_PAGES) + 2) * len(SIZES) + len(CARDS)
    print(f"{shots} screenshots in {OUT}")


# The editors' first import, for docs/editing.md: the curated samples (ours, not any real
# person's words) but one talk, which the editor then imports in the browser.
DOCS_IMAGES = ROOT / "docs" / "images"
WALKTHROUGH = ROOT / "samples" / "rewrites-and-yes.txt"
LEAVE_OUT = """
from kb.models import Video
Video.objects.filter(title__startswith="When the Rewrite Is Right").delete()
"""
EDITORS_LISTS = ["lesson", "quote", "video", "insightproposal", "person", "insight", "theme"]
DESKTOP = {"width": 1280, "height": 800}


def editing_walkthrough() -> None:
    """docs/images/editing-*.png at 1280x800 (the window only), small enough for the docs
    (256 colours); then how wide each admin list's table is in its box."""
    chromium = find_chromium()
    DOCS_IMAGES.mkdir(exist_ok=True)
    base = f"http://127.0.0.1:{PORT}"
    with scratch_site(["load_samples", "--curated"], ["shell", "-c", LEAVE_OUT]):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            page = browser.new_context(viewport=DESKTOP).new_page()
            sign_in(page)
            # 1. Import a page: from the start page, preview, confirm.
            page.get_by_role("link", name="Import a video or transcript").click()
            page.set_input_files("#id_file", str(WALKTHROUGH))
            page.get_by_role("button", name="Preview").click()
            page.wait_for_load_state()
            snap(page, "editing-1-preview")
            page.get_by_role("button", name="Confirm import").click()
            page.wait_for_load_state()
            # 2. Check the lessons: the video's page lists what the import made.
            page.evaluate("document.querySelector('#lessons-group').scrollIntoView()")
            page.evaluate("window.scrollBy(0, -140)")
            snap(page, "editing-2-lessons")
            # 3. Accept themes and quotes on a lesson's page.
            page.locator("#lessons-group a[href*='/kb/lesson/']").first.click()
            page.wait_for_load_state()
            page.evaluate("document.querySelector('#suggestions-group').scrollIntoView()")
            snap(page, "editing-3-suggestions")
            page.locator("button[name=_decide_suggestion][value^=accept]").first.click()
            page.wait_for_load_state()
            # 4. Decide proposals: the start page says what is waiting.
            page.goto(base + "/admin/")
            snap(page, "editing-4-start")
            page.get_by_role("link", name="insight proposals", exact=True).click()
            page.locator("#result_list tbody th a").first.click()
            page.wait_for_load_state()
            snap(page, "editing-5-proposal")
            # 5. Publish the video with its lessons and quotes.
            page.goto(base + "/admin/kb/video/?status__exact=draft")
            page.locator("input[name=_selected_action]").first.check()
            page.select_option("select[name=action]", "publish_with_contents")
            snap(page, "editing-6-publish")
            for model in EDITORS_LISTS:
                page.goto(f"{base}/admin/kb/{model}/")
                table, box = page.evaluate(
                    "() => [document.querySelector('#result_list').scrollWidth,"
                    " document.querySelector('#changelist-form .results').clientWidth]"
                )
                print(f"{model} list at 1280 px: table {table} px in a {box} px box")
            browser.close()
    print(f"editing walkthrough in {DOCS_IMAGES}")


def snap(page, name: str) -> None:
    """The window as it is, in 256 colours: an admin page is flat colour, and a third the
    size reads the same."""
    path = DOCS_IMAGES / f"{name}.png"
    page.screenshot(path=path)
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def shoot(page, name: str, path: str, size: str) -> None:
    page.goto(f"http://127.0.0.1:{PORT}{path}")
    if path.startswith("/api/v1/docs"):
        page.wait_for_selector(".opblock")  # Swagger UI draws after it reads the document
    page.screenshot(path=OUT / f"{name}-{size}.png", full_page=size == "desktop")
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > page.viewport_size["width"]:
        print(f"{name} at {size} size is {wide} px wide, wider than its window")


def sign_in(page) -> None:
    page.goto(f"http://127.0.0.1:{PORT}/admin/login/")
    page.fill("#id_username", "shots")
    page.fill("#id_password", "Screen-Shots-42")
    page.click("input[type=submit]")


if __name__ == "__main__":
    main()
