"""How tall and heavy a long talk's transcript page is, on arrival, on a phone and a desktop.

    .venv/bin/python bench/transcript_page.py [SUMMARY_PAGE]

Imports the summary page (by default the seed, a two-hour talk) into a scratch database,
serves it with `runserver` (page cache off, so every request renders), and opens its
transcript with Debian's Chromium through Playwright: plainly, and as a reader arriving
from a lesson's moment link (the moment in the longest chapter, the worst case). Prints a
Markdown table: page height in CSS pixels, the HTML's size, whether the moment's line is
on screen and highlighted, and the server's median time to render the page.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("/work/shared/seeds/deep-summary-staff-eng-at-meta.txt")
PORT = 8137
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
# The lesson whose moment lies deepest in the longest chapter, and its link as a reader
# finds it on the lesson's page.
FIND_MOMENT = """
from django.db.models import F
from kb.models import Lesson, Video
video = Video.objects.get()
chapters = list(video.chapters.order_by("start_seconds"))
ends = [c.start_seconds for c in chapters[1:]] + [video.duration_seconds]
longest = max(zip(chapters, ends), key=lambda pair: pair[1] - pair[0].start_seconds)
lesson = (Lesson.objects.filter(video=video, start_seconds__gte=longest[0].start_seconds,
          start_seconds__lt=longest[1]).order_by("-start_seconds").first())
print(video.get_absolute_url() + "transcript/")
print(lesson.get_absolute_url())
"""
ON_ARRIVAL = """() => {
  const target = document.querySelector(':target');
  let shown = false, marked = false;
  if (target) {
    const line = target.closest('.seg, .seg-chapter, .chapter-title') || target;
    const box = line.getBoundingClientRect();
    shown = box.height > 0 && box.top >= 0 && box.top < innerHeight;
    marked = !['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(line).backgroundColor);
  }
  return [document.documentElement.scrollHeight, shown, marked];
}"""


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SEED
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    scratch = Path(tempfile.mkdtemp(prefix="kb-transcript-"))
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_PAGE_CACHE_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
    }
    manage = [sys.executable, "manage.py"]
    run = dict(cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    subprocess.run([*manage, "migrate", "-v0"], **run)
    subprocess.run([*manage, "import_video", str(source), "--publish"], **run)
    found = subprocess.run([*manage, "shell", "-c", FIND_MOMENT], **run).stdout.split()
    transcript, lesson = found[-2:]  # (the shell may say what it imported first)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        timings, size = [], 0
        for _ in range(15):
            began = time.perf_counter()
            with urllib.request.urlopen(base + transcript, timeout=30) as response:
                size = len(response.read())
            timings.append(time.perf_counter() - began)
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for name, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, is_mobile=name == "phone")
                page = context.new_page()
                page.goto(base + transcript)
                plain = page.evaluate(ON_ARRIVAL)[0]
                page.goto(base + lesson)
                moment = page.locator("p.watch a.moment")
                href = moment.get_attribute("href")
                moment.click()
                page.wait_for_load_state()
                page.wait_for_timeout(300)  # the page opens the moment's part, then scrolls
                height, shown, marked = page.evaluate(ON_ARRIVAL)
                rows.append((name, plain, height, shown, marked, href))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"transcript: {transcript} ({size / 1024:.0f} KB of HTML)")
    best, median = min(timings) * 1000, statistics.median(timings) * 1000
    print(f"render: best {best:.0f} ms, median {median:.0f} ms over {len(timings)} GETs")
    print()
    print(
        "| size | height, plain arrival | height, from a moment link | line on screen | highlighted | link |"
    )
    print("|---|---|---|---|---|---|")
    for name, plain, height, shown, marked, href in rows:
        print(f"| {name} | {plain:,} px | {height:,} px | {shown} | {marked} | `{href}` |")


if __name__ == "__main__":
    main()
