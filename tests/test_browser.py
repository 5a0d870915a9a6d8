"""The reader's and the editor's journeys in a real browser (headless Chromium).

Runs when Debian's Chromium is installed (`.ci/run` installs it); skipped otherwise.
Playwright drives it through `executable_path`: no browser is downloaded.
"""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from kb.models import Lesson, Quote, Status, TranscriptSegment, Video

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]
# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page that records console errors and failed requests, to be asserted empty."""

    def __init__(self, page, base_url):
        self.page, self.base = page, base_url
        self.problems = []
        page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self.failed)
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.url.startswith(base_url)
                and self.problems.append(f"{r.status}: {r.url}")
            ),
        )

    def failed(self, request):
        # A request the next navigation cancels (a favicon, say) is not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def open(self, path):
        self.page.goto(self.base + path)
        return self.page


@pytest.fixture
def reader(browser, live_server):
    context = browser.new_context()
    watched = Watched(context.new_page(), live_server.url)
    yield watched
    context.close()
    assert watched.problems == []


@pytest.fixture
def published_samples(samples_loaded):
    video = Video.objects.get(slug="from-support-desk-to-engineering-manager-a-career-switch-story")
    video.youtube_id = "dQw4w9WgXcQ"
    video.save()
    return video


def test_reader_goes_from_a_theme_to_the_moment_and_back(reader, published_samples):
    page = reader.open("/")
    page.get_by_role("link", name="incidents & on-call").first.click()
    assert page.locator("h1").inner_text() == "incidents & on-call"
    # Shown twice: as Priya Nair's best on the theme ("What each guest says"), and in the list.
    page.get_by_role(
        "link", name="On-Call & Incidents: Staying Calm When < 5 Minutes Matter"
    ).last.click()
    lesson = Lesson.objects.get(title__startswith="On-Call & Incidents")
    assert page.url.endswith(lesson.get_absolute_url())

    watch = page.locator("p.watch a.moment")
    assert (
        watch.get_attribute("href")
        == f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t={int(lesson.start_seconds)}s"
    )

    # The same lesson's marker on the video's timeline leads back to it.
    page.goto(reader.base + lesson.video.get_absolute_url())
    page.locator(f'svg a[href="{lesson.get_absolute_url()}"]').click()
    assert page.url.endswith(lesson.get_absolute_url())


def test_a_transcript_moment_scrolls_into_view_highlighted(reader, published_samples):
    lesson = Lesson.objects.filter(video__youtube_id="").order_by("position").last()
    page = reader.open(lesson.get_absolute_url())
    href = page.locator("p.watch a.moment").get_attribute("href")
    transcript = f"{lesson.video.get_absolute_url()}transcript/"
    assert href == f"{transcript}?from={lesson.slug}#t-{int(lesson.start_seconds)}"
    page.locator("p.watch a.moment").click()
    target = page.locator(f"#t-{int(lesson.start_seconds)}")
    assert target.is_visible() or target.locator("xpath=..").is_visible()
    highlighted = page.evaluate(
        "() => { const t = document.querySelector(':target');"
        " const row = t.closest('.seg, .seg-chapter') || t;"
        " const box = row.getBoundingClientRect();"
        " return [getComputedStyle(row).backgroundColor, box.top >= 0 && box.top < innerHeight]; }"
    )
    assert highlighted[0] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert highlighted[1] is True


def test_search_for_a_phrase_and_open_the_transcript_moment(reader, published_samples):
    page = reader.open("/")
    page.get_by_role("searchbox", name="Search").fill('"feature flag"')
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    moment = page.locator("section[aria-labelledby=r-moments] a.moment").first
    href = moment.get_attribute("href")
    assert "/transcript/#t-" in href
    moment.click()
    # The transcript page loads after the click returns: wait for the line it lands on.
    playwright_api.expect(page.locator(":target")).to_have_count(1)
    # The line that says the phrase, or (in a chapter whose title says it) its words.
    said = page.locator(":target").evaluate(
        "t => (t.closest('.seg, .seg-chapter') || t).textContent"
    )
    assert "feature flag" in said or ("feature" in said and "flag" in said)


PAGE_TYPES = [
    "/",
    "/themes/",
    "/themes/shipping-fast/",
    "/lessons/",
    "/lessons/feature-flags-from-the-first-commit/",
    "/quotes/",
    "/videos/",
    "/videos/shipping-small-lessons-from-a-decade-of-startups/",
    "/videos/shipping-small-lessons-from-a-decade-of-startups/transcript/",
    "/videos/shipping-small-lessons-from-a-decade-of-startups/transcript/"
    "?from=feature-flags-from-the-first-commit#t-60",
    "/search/?q=feature+flag",
    "/daily/",
    "/no-such-page/",
]


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, published_samples):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    for path in PAGE_TYPES:
        page.goto(live_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        font = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 16, (path, font)
    # The search page's own box is wide enough to read a query in (the theme filter wraps).
    page.goto(live_server.url + "/search/?q=feature+flag")
    assert page.locator("#q").bounding_box()["width"] >= 0.8 * (PHONE["width"] - 32)
    # The navigation stays usable: its links are on screen and lead somewhere.
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Themes").click()
    assert page.url.endswith("/themes/")
    context.close()


def test_public_pages_have_no_serious_accessibility_violations(
    browser, live_server, published_samples
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context()
    page = context.new_page()
    found = {}
    for path in PAGE_TYPES:
        page.goto(live_server.url + path)
        results = axe.run(page)
        assert results.response["passes"], path  # axe did check the page
        serious = [
            v["id"]
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
    context.close()
    assert found == {}


def test_no_console_errors_or_failed_requests_and_no_player_until_asked(reader, published_samples):
    for path in PAGE_TYPES[:-1]:
        reader.open(path)
    page = reader.open("/videos/from-support-desk-to-engineering-manager-a-career-switch-story/")
    assert page.locator("iframe").count() == 0
    assert page.locator("[data-player] .player-start").is_visible()


SHIPPING_SMALL = "/videos/shipping-small-lessons-from-a-decade-of-startups/transcript/"


def test_the_transcript_index_opens_the_chapter_a_reader_picks(reader, published_samples):
    page = reader.open(SHIPPING_SMALL)
    chapters = page.locator("details.chapter")
    assert chapters.count() > 1
    assert page.locator("details[open]").count() == 0  # the index first, not a wall
    entry = page.get_by_role("navigation", name="Chapters").get_by_role("link").nth(1)
    title = entry.inner_text().split(" ", 1)[1]
    entry.click()
    chapter = page.locator("details.chapter[open]")
    # The page's script opens it on the jump, a moment after the click returns.
    playwright_api.expect(chapter).to_have_count(1)
    assert title in chapter.locator("> summary").inner_text()
    assert chapter.locator("details.part").first.locator(".seg").first.is_visible()
    # Its first part ends with the way on, which opens the next part where it starts.
    parts = chapter.locator("details.part")
    if parts.count() > 1:
        parts.first.get_by_role("link", name=re.compile("^Read on from")).click()
        playwright_api.expect(parts.nth(1).locator(".seg").first).to_be_visible()


def test_find_within_the_transcript_opens_each_hit_and_steps_through_them(
    reader, published_samples
):
    page = reader.open(SHIPPING_SMALL)
    said = page.locator(".seg").filter(has_text=re.compile("flag", re.I)).count()
    assert said > 1
    page.get_by_role("searchbox", name="Find in this transcript").fill("flag")
    page.get_by_role("button", name="Find", exact=True).click()
    status = page.locator(".find-status")
    assert re.fullmatch(r"1 of \d+", status.inner_text())
    total = int(status.inner_text().split()[-1])
    assert total >= said
    current = page.locator("mark.hit.current")
    assert current.is_visible() and current.inner_text().lower() == "flag"
    first = current.bounding_box()
    page.get_by_role("button", name="Next match").click()
    assert status.inner_text() == f"2 of {total}"
    assert page.locator("mark.hit.current").is_visible()
    assert page.locator("mark.hit.current").bounding_box() != first
    page.get_by_role("button", name="Previous match").click()
    assert status.inner_text() == f"1 of {total}"
    # The index says which chapters say it.
    assert page.locator(".toc .found").count() >= 1
    # Words it does not hold: it says so and offers the site's search.
    page.get_by_role("searchbox", name="Find in this transcript").fill("zebra crossing")
    page.get_by_role("button", name="Find", exact=True).click()
    assert "Not found in this transcript" in status.inner_text()
    assert "video=shipping-small" in status.get_by_role("link").get_attribute("href")


def test_a_reader_reads_the_moment_in_the_transcript_and_returns_to_the_lesson(
    reader, published_samples
):
    lesson = Lesson.objects.get(slug="feature-flags-from-the-first-commit")
    page = reader.open(lesson.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Read it in the transcript at")).click()
    target = page.locator(":target")
    assert target.count() == 1 and target.is_visible()
    back = page.get_by_role("link", name=re.compile("Back to the lesson"))
    assert back.is_visible()  # still on screen at the moment, far below the top
    back.click()
    assert page.url.endswith(lesson.get_absolute_url())


def landed(page):
    """[the moment's line is on screen, it is highlighted]."""
    return page.evaluate(
        "() => { const t = document.querySelector(':target');"
        " const row = t.closest('.seg, .seg-chapter') || t;"
        " const box = row.getBoundingClientRect();"
        " return [box.height > 0 && box.top >= 0 && box.bottom <= innerHeight,"
        " !['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(row).backgroundColor)]; }"
    )


# The seed talk's chapters (a two-hour interview), for a transcript as long as a real one.
TWO_HOUR_CHAPTERS = [0, 88, 574, 945, 1320, 1513, 1743, 2128, 3165, 4322, 4396, 4606, 4769]
TWO_HOUR_CHAPTERS += [5206, 5785, 6026, 6267, 6542, 6714]


def test_a_two_hour_transcript_fits_a_phone_on_arrival_with_every_line_in_reach(
    browser, live_server
):
    video = Video.objects.create(
        title="Two hours", slug="two-hours", channel="Channel", duration_seconds=7036,
        status=Status.PUBLISHED,
    )  # fmt: skip
    for number, start in enumerate(TWO_HOUR_CHAPTERS, 1):
        video.chapters.create(title=f"Chapter number {number} of the talk", start_seconds=start)
    line = "what I really learned there was simply"  # seven words: speech at its usual pace
    seconds = [round(n * 1.878, 2) for n in range(3746)]
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(video=video, start_seconds=s, end_seconds=s + 1.8, text=line)
        for s in seconds
    )
    lesson = Lesson.objects.create(
        video=video, title="Deep in the longest chapter", slug="deep", body="", position=1,
        status=Status.PUBLISHED, start_seconds=4200.4,
    )  # fmt: skip
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Read it in the transcript at")).click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollHeight") < 5000
    assert landed(page) == [True, True]
    # Every line is on the page, each first line of a second is an anchor that lands.
    assert page.locator(".seg").count() == len(seconds)
    for second in (1, 3165, 7033):
        page.goto("about:blank")  # each an arrival, not a jump within the page
        page.goto(f"{live_server.url}/videos/two-hours/transcript/#t-{second}")
        assert landed(page) == [True, True], second
        assert page.evaluate("document.documentElement.scrollHeight") < 5000
    context.close()


@pytest.fixture
def editor_page(browser, live_server):
    call_command("create_editor", "ed", "--password", "Correct-Horse-42", stdout=io.StringIO())
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "ed")
    page.fill("#id_password", "Correct-Horse-42")
    page.click("input[type=submit]")
    yield page
    context.close()


def test_editor_imports_publishes_cuts_a_quote_and_readers_see_it(
    editor_page, live_server, browser, tmp_path
):
    page = editor_page
    sample = ROOT / "samples" / "shipping-small.txt"

    page.goto(live_server.url + "/admin/kb/video/")
    page.get_by_role("link", name="Import a video or transcript").click()
    page.set_input_files("#id_file", str(sample))
    page.get_by_role("button", name="Preview").click()
    assert "would import shipping-small-lessons-from-a-decade-of-startups" in page.content()
    assert not Video.objects.exists()
    page.get_by_role("button", name="Confirm import").click()
    video = Video.objects.get()
    assert Lesson.objects.filter(status=Status.DRAFT).count() == 4

    # Publish the video and two of its lessons with the bulk actions.
    page.goto(live_server.url + "/admin/kb/video/")
    page.check(f'input[name=_selected_action][value="{video.pk}"]')
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.goto(live_server.url + "/admin/kb/lesson/")
    chosen = list(Lesson.objects.order_by("position")[:2])
    for lesson in chosen:
        page.check(f'input[name=_selected_action][value="{lesson.pk}"]')
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    published = set(Lesson.objects.published().values_list("pk", flat=True))
    assert published == {lesson.pk for lesson in chosen}

    # Cut a quote from two consecutive lines of the transcript, then publish it.
    page.goto(live_server.url + f"/admin/kb/video/{video.pk}/change/")
    page.get_by_role("link", name="Cut a quote or a lesson from the transcript").click()
    boxes = page.locator("input[name=segment]")
    boxes.nth(3).check()
    boxes.nth(4).check()
    page.fill("#speaker", "The host")
    page.get_by_role("button", name="Create quote from the selected lines").click()
    quote = Quote.objects.get()
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    quote.refresh_from_db()
    assert quote.status == Status.PUBLISHED

    # A reader, not signed in, sees both lessons and the quote.
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + video.get_absolute_url())
    text = reader.content()
    assert all(lesson.title.replace("&", "&amp;") in text for lesson in chosen)
    assert quote.text[:30] in reader.locator(f"#quote-{quote.pk}").inner_text()
    reader.context.close()

    # A broken upload shows its error and creates nothing.
    broken = tmp_path / "broken.txt"
    broken.write_text(
        sample.read_text(encoding="utf-8").replace("[00:58]", "[00:5x]"), encoding="utf-8"
    )
    page.goto(live_server.url + "/admin/kb/video/import/")
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="Preview").click()
    assert "broken.txt:" in page.locator(".errornote").inner_text()
    assert "is not a time" in page.locator(".errornote").inner_text()
    assert Video.objects.count() == 1


def test_curation_pages_fit_a_1280_pixel_window(editor_page, live_server, published_samples):
    page = editor_page
    page.set_viewport_size({"width": 1280, "height": 900})
    lesson = Lesson.objects.filter(takeaways__isnull=False, suggestions__isnull=False).first()
    video = lesson.video
    for path in (
        f"/admin/kb/lesson/{lesson.pk}/change/",
        f"/admin/kb/video/{video.pk}/change/",
        "/admin/kb/video/import/",
        "/admin/kb/theme/",
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1280, (path, width)


def test_the_editors_forms_fit_a_phone(editor_page, live_server, published_samples):
    # The import page's video select lists long titles; the transcript page's title box
    # is wide: neither may push the page sideways on a phone.
    page = editor_page
    page.set_viewport_size(PHONE)
    video = Video.objects.filter(segments__isnull=False).first()
    for path in ("/admin/kb/video/import/", f"/admin/kb/video/{video.pk}/transcript/"):
        page.goto(live_server.url + path)
        assert page.locator("#content form").first.is_visible(), path
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)


EDITORS_LISTS = ["lesson", "quote", "video", "insightproposal", "person", "insight", "theme"]


def test_the_lists_editors_work_in_fit_a_1280_pixel_screen(
    editor_page, live_server, published_samples
):
    """Issue 39: at 1280 px the lessons list was 1,126 px wide in a 631 px box (the admin's
    menu on the left, the filters on the right): status and themes were off screen."""
    long = "A Lesson Title Long Enough to Wrap Over Several Lines of the Lessons List " * 2
    lesson = Lesson.objects.first()
    lesson.title = long[:300]
    lesson.save()
    lesson.tags.add(*["career advice", "first team", "impact", "influence", "leadership"])
    from kb.curation import accept_proposal, accept_suggestion
    from kb.models import InsightProposal, QuoteSuggestion

    proposal = InsightProposal.objects.first()
    insight = accept_proposal(proposal)  # an insight in its list
    accept_suggestion(QuoteSuggestion.objects.first())  # and a quote in its
    page = editor_page
    page.set_viewport_size({"width": 1280, "height": 800})
    widths = {}
    for model in EDITORS_LISTS:
        page.goto(f"{live_server.url}/admin/kb/{model}/")
        widths[model] = page.evaluate(
            "() => [document.querySelector('#result_list').scrollWidth,"
            " document.querySelector('#changelist-form .results').clientWidth]"
        )
    assert {model: w for model, w in widths.items() if w[0] > w[1]} == {}
    # An insight's evidence rows, and a proposal's lessons side by side, fit too.
    for path in (f"insight/{insight.pk}/change/", f"insightproposal/{proposal.pk}/change/"):
        page.goto(f"{live_server.url}/admin/kb/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
    # The whole title and every theme are there on hover.
    page.goto(f"{live_server.url}/admin/kb/lesson/?q=Wrap+Over")
    row = page.locator("#result_list tbody tr").first
    assert row.locator(f'[title="{lesson.title}"]').count() == 1
    assert row.inner_text().rstrip().endswith("career advice, first team, impact, +3")
    assert row.locator('[title*="leadership"]').count() == 1


def test_the_editors_start_page_leads_to_the_work_and_to_the_import(
    editor_page, live_server, published_samples
):
    from axe_playwright_python.sync_playwright import Axe

    page = editor_page
    page.set_viewport_size({"width": 1280, "height": 800})
    axe = Axe()

    def serious():
        found = axe.run(page).response["violations"]
        return [v["id"] for v in found if v["impact"] in ("serious", "critical")]

    page.goto(live_server.url + "/admin/")
    assert serious() == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.get_by_role("link", name="insight proposals", exact=True).click()
    assert page.url.endswith("/admin/kb/insightproposal/?status__exact=open")
    first = page.locator("#result_list tbody tr th a").first
    first.wait_for()
    first.click()
    page.locator(".voice-card").first.wait_for()
    assert serious() == []
    page.get_by_role("button", name="Dismiss (never proposed again)").click()
    assert page.url.endswith("/admin/kb/insightproposal/?status__exact=open")
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Import a video or transcript").click()
    assert page.url.endswith("/admin/kb/video/import/")


def test_api_docs_work_offline_under_our_content_security_policy(reader, published_samples):
    """Swagger UI from our own static files: no CDN request, no CSP violation (each would
    be a console error), and the operations listed and callable."""
    outside = []
    reader.page.on("request", lambda r: r.url.startswith(reader.base) or outside.append(r.url))
    page = reader.open("/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/lessons").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/lessons", "/api/v1/search", "/api/v1/people/{slug}"} <= set(paths)
    assert outside == []


def test_a_quote_plays_its_clip_in_place_and_copies_its_link(browser, live_server):
    from tests.factories import QuoteFactory, VideoFactory

    video = VideoFactory(youtube_id="abcdefghijk")
    quote = QuoteFactory(video=video, start_seconds=3165.4, end_seconds=3181.2)
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())
    page.goto(live_server.url + quote.get_absolute_url())
    assert page.locator("iframe").count() == 0
    page.get_by_role("link", name="▶ Play the clip (52:45–53:01)").click()
    src = page.locator(".player iframe").get_attribute("src")
    assert (
        src == "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&start=3165&end=3182"
    )
    page.get_by_role("link", name="Copy link").click()
    page.get_by_text("Link copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == live_server.url + quote.get_absolute_url()
    context.close()
