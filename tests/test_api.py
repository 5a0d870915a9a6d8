"""The read API, /api/v1/ (issue 20): every endpoint and filter, drafts never shown,
walking the pages, conditional requests, the rate limit, JSON errors, the OpenAPI
document."""

import datetime
import re

import pytest
from django.utils.http import http_date
from openapi_spec_validator import validate

from kb.models import Status
from kb.search import search
from tests.factories import (
    ChapterFactory,
    CreditFactory,
    EvidenceFactory,
    InsightFactory,
    LessonFactory,
    PersonFactory,
    QuoteFactory,
    TakeawayFactory,
    ThemeFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def kb():
    """Two published talks with overlapping advice, one draft talk, and drafts inside
    the published ones."""
    promotion, incidents = ThemeFactory(name="promotion"), ThemeFactory(name="incidents")
    ana, ben = PersonFactory(name="Ana Lima"), PersonFactory(name="Ben Ode")
    first = VideoFactory(title="Growing to staff", youtube_id="abcdefghijk")
    second = VideoFactory(title="Calm on-call")
    hidden = VideoFactory(title="Unreleased talk", status=Status.DRAFT)
    CreditFactory(video=first, person=ana)
    CreditFactory(video=second, person=ben)
    CreditFactory(video=hidden, person=PersonFactory(name="Nobody Yet"))
    chapter = ChapterFactory(video=first, title="Promotions", start_seconds=100)
    brag = LessonFactory(
        video=first,
        chapter=chapter,
        title="Keep a brag document",
        slug="keep-a-brag-document",
        start_seconds=3165.0,
        tags=[promotion],
    )
    TakeawayFactory(
        lesson=brag, text="Write down every win the week it happens", start_seconds=3170
    )
    both = LessonFactory(
        video=second, title="Promotions after incidents", slug="promotions-after-incidents",
        tags=[promotion, incidents],
    )  # fmt: skip
    LessonFactory(video=second, title="Page the lead", slug="page-the-lead", tags=[incidents])
    LessonFactory(video=first, title="Draft promotion advice", slug="draft-lesson",
                  status=Status.DRAFT, tags=[promotion])  # fmt: skip
    LessonFactory(video=hidden, title="Hidden promotion advice", slug="hidden-lesson",
                  tags=[promotion])  # fmt: skip
    quote = QuoteFactory(
        video=first, lesson=brag, chapter=chapter, speaker=ana, text="Promotion is a <b>case</b>",
        start_seconds=3166.0, end_seconds=3180.0, tags=[promotion],
    )  # fmt: skip
    QuoteFactory(video=first, speaker=ana, text="A draft promotion quote", status=Status.DRAFT,
                 tags=[promotion])  # fmt: skip
    QuoteFactory(video=hidden, text="Hidden promotion quote", tags=[promotion])
    insight = InsightFactory(title="Write your wins down", slug="write-wins", themes=[promotion])
    EvidenceFactory(insight=insight, lesson=brag, note="keeps a doc")
    EvidenceFactory(insight=insight, lesson=both, note="after incidents")
    InsightFactory(title="A draft insight", slug="draft-insight", status=Status.DRAFT)
    return dict(brag=brag, both=both, quote=quote, ana=ana, ben=ben, first=first,
                second=second, promotion=promotion, insight=insight)  # fmt: skip


def get(client, path, **headers):
    response = client.get(API + path, **headers)
    if response.status_code == 304:
        return response
    assert response["Content-Type"].startswith("application/json"), (path, response.content[:200])
    return response


def slugs(response):
    return [item["slug"] for item in response.json()["items"]]


def test_lessons_carry_their_page_moment_takeaways_themes_and_people(client, kb):
    body = get(client, "/lessons").json()
    brag = next(item for item in body["items"] if item["slug"] == "keep-a-brag-document")
    assert brag["url"] == "http://testserver/lessons/keep-a-brag-document/"
    assert brag["start_seconds"] == 3165.0 and brag["time"] == "52:45"
    assert brag["moment_url"] == "https://www.youtube.com/watch?v=abcdefghijk&t=3165s"
    assert brag["moment_url"] == kb["first"].moment_url(3165.0)  # the site's own link
    assert brag["chapter"] == "Promotions"
    assert [t["slug"] for t in brag["themes"]] == ["promotion"]
    assert [p["name"] for p in brag["people"]] == ["Ana Lima"]
    assert brag["takeaways"][0]["moment_url"].endswith("&t=3170s")
    assert brag["video"]["url"] == "http://testserver" + kb["first"].get_absolute_url()


def test_a_moment_without_youtube_id_goes_to_the_transcript(client, kb):
    both = get(client, "/lessons/promotions-after-incidents").json()
    second = kb["second"]
    assert both["moment_url"] == f"http://testserver/videos/{second.slug}/transcript/#t-120"


def test_lesson_filters_as_on_the_site(client, kb):
    assert set(slugs(get(client, "/lessons?theme=promotion"))) == {
        "keep-a-brag-document", "promotions-after-incidents"
    }  # fmt: skip
    assert slugs(get(client, "/lessons?theme=promotion&theme=incidents")) == [
        "promotions-after-incidents"
    ]
    assert slugs(get(client, "/lessons?person=ana-lima")) == ["keep-a-brag-document"]
    assert set(slugs(get(client, f"/lessons?video={kb['second'].slug}"))) == {
        "promotions-after-incidents", "page-the-lead"
    }  # fmt: skip


def test_quote_filters_and_the_span_to_play(client, kb):
    items = get(client, "/quotes?theme=promotion").json()["items"]
    assert [q["text"] for q in items] == ["Promotion is a <b>case</b>"]  # data, not markup
    quote = items[0]
    assert (quote["start_seconds"], quote["end_seconds"]) == (3166.0, 3180.0)
    assert (
        quote["speaker"]["slug"] == "ana-lima" and quote["lesson"]["slug"] == "keep-a-brag-document"
    )
    assert get(client, "/quotes?person=ben-ode").json()["items"] == []
    assert get(client, f"/quotes/{kb['quote'].pk}").json()["text"] == quote["text"]


def test_videos_with_chapters_and_lessons(client, kb):
    assert {v["title"] for v in get(client, "/videos").json()["items"]} == {
        "Growing to staff", "Calm on-call"
    }  # fmt: skip
    video = get(client, f"/videos/{kb['first'].slug}").json()
    assert [c["title"] for c in video["chapters"]] == ["Promotions"]
    assert video["chapters"][0]["moment_url"].endswith("&t=100s")
    assert [lesson["slug"] for lesson in video["lessons"]] == ["keep-a-brag-document"]
    assert video["people"] == [
        {"person": {"slug": "ana-lima", "name": "Ana Lima",
                    "url": "http://testserver/people/ana-lima/"}, "role": "guest"}
    ]  # fmt: skip


def test_themes_people_and_insights(client, kb):
    themes = {t["slug"]: t for t in get(client, "/themes").json()["items"]}
    assert themes["promotion"]["lesson_count"] == 2 and themes["promotion"]["quote_count"] == 1
    assert get(client, "/themes/promotion").json()["name"] == "promotion"
    people = {p["slug"]: p for p in get(client, "/people").json()["items"]}
    assert set(people) == {"ana-lima", "ben-ode"}
    ana = get(client, "/people/ana-lima").json()
    assert [lesson["slug"] for lesson in ana["lessons"]] == ["keep-a-brag-document"]
    assert [q["text"] for q in ana["quotes"]] == ["Promotion is a <b>case</b>"]
    assert ana["themes"] == [
        {"slug": "promotion", "name": "promotion", "url": "http://testserver/themes/promotion/",
         "lessons": 1}
    ]  # fmt: skip
    assert ana["lessons_url"] == "http://testserver/api/v1/lessons?person=ana-lima"
    assert [i["slug"] for i in ana["insights"]] == ["write-wins"]
    insights = get(client, "/insights").json()["items"]
    assert [(i["slug"], i["video_count"]) for i in insights] == [("write-wins", 2)]
    evidence = get(client, "/insights/write-wins").json()["evidence"]
    assert [e["note"] for e in evidence] == ["keeps a doc", "after incidents"]
    assert evidence[0]["moment_url"].endswith("&t=3165s")
    assert evidence[0]["words"]["text"] == "Promotion is a <b>case</b>"


def test_what_each_guest_says_on_a_theme(client, kb):
    said = get(client, "/themes/promotion/guests").json()
    voices = {
        g["person"]["slug"]: [lesson["slug"] for lesson in g["lessons"]] for g in said["guests"]
    }
    assert voices == {
        "ana-lima": ["keep-a-brag-document"],
        "ben-ode": ["promotions-after-incidents"],
    }
    assert [i["slug"] for i in said["insights"]] == ["write-wins"]
    assert said["insights"][0]["evidence"][0]["moment_url"].endswith("&t=3165s")


def test_drafts_are_absent_everywhere(client, kb):
    everything = " ".join(
        get(client, path).content.decode()
        for path in ["/lessons?limit=100", "/quotes?limit=100", "/videos", "/themes", "/people",
                     "/insights", "/lessons?theme=promotion", "/search?q=promotion",
                     "/people/ana-lima", f"/videos/{kb['first'].slug}", "/themes/promotion",
                     "/themes/promotion/guests"]
    )  # fmt: skip
    for secret in ["Draft promotion", "Hidden promotion", "Unreleased", "draft-insight",
                   "A draft promotion quote", "Nobody Yet"]:  # fmt: skip
        assert secret not in everything
    # Their published neighbours, on the same pages: the pages list things at all.
    for shown in ["Keep a brag document", "Promotions after incidents", "Growing to staff",
                  "Calm on-call", "write-wins", "Promotion is a", "Ana Lima"]:  # fmt: skip
        assert shown in everything, shown
    hidden = kb["first"].__class__.objects.get(title="Unreleased talk")
    for path in ["/lessons/draft-lesson", "/lessons/hidden-lesson", f"/videos/{hidden.slug}",
                 "/insights/draft-insight", "/people/nobody-yet"]:  # fmt: skip
        assert get(client, path).status_code == 404, path
    # The same routes answer for what is published: the 404s are the drafts', not the paths'.
    for path in ["/lessons/keep-a-brag-document", f"/videos/{kb['first'].slug}",
                 "/insights/write-wins", "/people/ana-lima"]:  # fmt: skip
        assert get(client, path).status_code == 200, path


def test_drafts_are_hidden_from_staff_too(admin_client, kb):
    """The API has no preview: signed in or not, a draft is a 404."""
    assert get(admin_client, "/lessons/draft-lesson").status_code == 404
    # The same route, signed in the same way, answers for a published lesson.
    assert get(admin_client, "/lessons/keep-a-brag-document").status_code == 200


def test_search_gives_the_sites_results(client, kb):
    LessonFactory(title="Ask early", body="Ask for the promotion before the cycle starts.")
    body = get(client, "/search?q=promotion").json()
    site = search("promotion")
    assert [hit["lesson"]["slug"] for hit in body["lessons"]] == [
        hit.lesson.slug for hit in site.lessons[:10]
    ]
    assert body["lesson_count"] == len(site.lessons)
    assert [hit["quote"]["id"] for hit in body["quotes"]] == [hit.quote.pk for hit in site.quotes]
    marked = next(hit for hit in body["lessons"] if "<mark>" in hit["snippet_html"])
    assert "<mark>" not in marked["snippet"] and "promotion" in marked["snippet"].lower()
    narrowed = get(client, "/search?q=promotion&theme=incidents").json()
    assert [hit["lesson"]["slug"] for hit in narrowed["lessons"]] == ["promotions-after-incidents"]
    assert get(client, '/search?q="brag document"').json()["lessons"][0]["lesson"]["slug"] == (
        "keep-a-brag-document"
    )


def test_search_snippets_are_escaped(client, kb):
    LessonFactory(title="Escaping", body="promotion <script>alert(1)</script> advice")
    html = " ".join(
        hit["snippet_html"] for hit in get(client, "/search?q=promotion").json()["lessons"]
    )
    # Only our marks are markup (PostgreSQL's headline drops the tags, SQLite's escapes them).
    assert "alert(1)" in html and set(re.findall(r"</?\w+", html)) == {"<mark", "</mark"}


def test_search_pages_with_next_links(client):
    for n in range(25):
        LessonFactory(title=f"Negotiate offer number {n}", body="negotiate the offer")
    first = get(client, "/search?q=negotiate").json()
    assert len(first["lessons"]) == 10 and first["next"].endswith("page=2")
    second = get(client, first["next"].removeprefix("http://testserver" + API)).json()
    third = get(client, second["next"].removeprefix("http://testserver" + API)).json()
    seen = [h["lesson"]["slug"] for page in (first, second, third) for h in page["lessons"]]
    assert len(seen) == len(set(seen)) == 25 and third["next"] is None


def test_walking_every_page_misses_and_repeats_nothing(client):
    lessons = [LessonFactory(title=f"Lesson {n}") for n in range(23)]
    seen, url, pages = [], f"{API}/lessons?limit=5", 0
    while url:
        body = client.get(url).json()
        seen += [item["slug"] for item in body["items"]]
        if pages == 1:  # editors at work during the walk
            LessonFactory(title="Published mid-walk", slug="published-mid-walk")
            lessons[0].status = Status.DRAFT  # already walked past
            lessons[0].save()
        url, pages = body["next"], pages + 1
    assert seen == [lesson.slug for lesson in lessons] + ["published-mid-walk"]
    assert pages == 5


@pytest.mark.parametrize(
    "path, status",
    [
        ("/lessons/no-such-lesson", 404),
        ("/people/no-such-person", 404),
        ("/themes/no-such-theme", 404),
        ("/videos/no-such-video", 404),
        ("/quotes/999999", 404),
        ("/nothing-here", 404),
        ("/lessons?limit=-1", 422),
        ("/lessons?limit=0", 422),
        (f"/lessons?limit={10**9}", 422),
        ("/lessons?limit=many", 422),
        ("/lessons?theme=no-such-theme", 400),
        ("/quotes?person=no-such-person", 400),
        ("/lessons?video=no-such-video", 400),
        ("/lessons?cursor=not-a-cursor", 400),
        ("/lessons?cursor=YWZ0ZXI6LTE", 400),  # "after:-1": forged
        ("/search?q=" + "x" * 2000, 422),
        ("/search?q=", 422),
        ("/search", 422),
        ("/search?q=help&page=0", 422),
        ("/search?q=help&theme=nope", 400),
    ],
)
def test_bad_requests_get_json_errors(client, kb, path, status):
    response = get(client, path)
    assert response.status_code == status
    assert response.json()["detail"]
    assert "ETag" not in response
    assert "ETag" in get(client, "/lessons")  # an answer has one; an error has none


def test_old_slugs_redirect(client, kb):
    from kb.models import ThemeRedirect

    ThemeRedirect.objects.create(old_slug="promotions", theme=kb["promotion"])
    response = client.get(f"{API}/themes/promotions?x=1")
    assert response.status_code == 301 and response["Location"] == f"{API}/themes/promotion?x=1"
    assert slugs(get(client, "/lessons?theme=promotions")) == slugs(
        get(client, "/lessons?theme=promotion")
    )


def test_not_modified_while_nothing_changes(client, kb):
    first = get(client, "/lessons")
    assert (
        first["ETag"] and "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    )
    assert get(client, "/lessons", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = first["Last-Modified"]
    assert client.get(f"{API}/lessons", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    kb["brag"].title = "Keep a brag document, weekly"
    kb["brag"].save()
    again = get(client, "/lessons", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "weekly" in again.content.decode()


def test_if_modified_since_an_old_date_gets_the_content(client, kb):
    old = http_date(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC).timestamp())
    assert get(client, "/lessons", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_rate_limit_per_client_with_retry_after(client, kb, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    for _ in range(3):
        assert get(client, "/themes").status_code == 200
    limited = get(client, "/themes")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "at most 3 a minute" in limited.json()["detail"]
    # 304s count too, and another client is not held back.
    assert client.get(f"{API}/themes", HTTP_IF_NONE_MATCH='"v1"').status_code == 429
    assert get(client, "/themes", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_rate_limit_behind_a_proxy_counts_the_forwarded_client(client, kb, settings):
    settings.API_REQUESTS_PER_MINUTE = 2
    settings.NINJA_NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        assert (
            get(client, "/themes", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 200
        )
    assert get(client, "/themes", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    assert get(client, "/themes", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200


def test_cors_lets_any_origin_read(client, kb):
    response = get(client, "/lessons", HTTP_ORIGIN="https://notes.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        f"{API}/lessons",
        HTTP_ORIGIN="https://notes.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://x.example")


def test_no_write_methods(client, kb):
    assert client.post(f"{API}/lessons").status_code == 405
    assert client.delete(f"{API}/lessons/keep-a-brag-document").status_code == 405
    # Refused as a method, not missing: the same addresses answer a GET.
    assert get(client, "/lessons").status_code == 200
    assert get(client, "/lessons/keep-a-brag-document").status_code == 200


def test_openapi_document_validates(client):
    document = get(client, "/openapi.json").json()
    validate(document)
    assert {"/api/v1/lessons", "/api/v1/search", "/api/v1/people/{slug}"} <= set(document["paths"])


def test_docs_are_served_from_our_own_static_files(client):
    page = client.get(f"{API}/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert "Content-Security-Policy" in client.get(f"{API}/docs")
    # Laid out at a phone's width, not 980 px (issue 39).
    assert '<meta name="viewport" content="width=device-width' in page


# The queries each answer costs, whatever the data's size. Each starts with the content
# version (its ETag); themes are counted, and their speakers ranked, once per version
# (kb.models). One query per line:
QUERIES = {
    #   the published lessons of published videos, with video and chapter (a page)
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    "/lessons": 6,
    #   the published quotes, with video, chapter, lesson and speaker (a page)
    #   their themes (prefetched)
    "/quotes": 3,
    #   the published videos, with their counts (a page)
    #   their credits, with the people (prefetched)
    "/videos": 3,
    #   how many published lessons and quotes each theme has
    #   the themes that have some
    "/themes": 3,
    #   the people with anything published, with their counts (a page)
    "/people": 2,
    #   the published insights, with their counts of voices and videos (a page)
    #   their themes (prefetched)
    "/insights": 3,
    #   the theme "promotion", by slug
    #   the theme "incidents", by slug
    #   the published lessons under both, with video and chapter
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    "/lessons?theme=promotion&theme=incidents": 8,
    #   the person, by slug
    #   whether they have anything published
    #   their published lessons (credited or their own), with video and chapter
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    "/lessons?person=ana-lima": 8,
    #   the theme, by slug
    #   the published quotes under it, with video, chapter, lesson and speaker
    #   their themes (prefetched)
    "/quotes?theme=promotion": 4,
    #   the person, by slug
    #   whether they have anything published
    #   the published quotes they said, with video, chapter, lesson and speaker
    #   their themes (prefetched)
    "/quotes?person=ana-lima": 5,
    #   the person, by slug, if anything of theirs is published, with their counts
    #   their credits in published videos
    #   the themes of their published lessons
    #   their published lessons, with video and chapter
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   the published quotes they said, with video, chapter, lesson and speaker
    #   those quotes' themes (prefetched)
    #   the published insights their lessons or quotes support, with their counts
    #   those insights' themes (prefetched)
    "/people/ana-lima": 13,
    #   the published insight, by slug, with its counts of voices and videos
    #   its themes (prefetched)
    #   its published evidence, with lesson, quote, video, chapter and speaker
    #   the evidence lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the evidence lessons' published quotes (prefetched)
    "/insights/write-wins": 7,
    #   the published lesson, by slug, with video and chapter
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   its published quotes, with video, lesson, chapter and speaker
    #   those quotes' themes (prefetched)
    "/lessons/keep-a-brag-document": 8,
    #   how many published lessons and quotes each theme has
    #   the theme, by slug, among those that have some
    "/themes/promotion": 3,
    #   the theme, by slug
    #   its published lessons' videos and own people (ids: whose words they are)
    #   the guests of those lessons' videos (ids)
    #   those people
    #   the lessons shown, with video, chapter and their first published quote
    #   the lessons' themes (prefetched)
    #   the lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the lessons' takeaways (prefetched)
    #   the published insights under the theme, with their counts
    #   their themes (prefetched)
    #   their published evidence, with lesson, quote, video, chapter and speaker
    #   the evidence lessons' own people (prefetched)
    #   their videos' guests, with the people (prefetched)
    #   the evidence lessons' published quotes (prefetched)
    "/themes/promotion/guests": 16,
}


def grow(n: int) -> None:
    """n more of everything, tied together as the fixture's are."""
    promotion, incidents = ThemeFactory(name="promotion"), ThemeFactory(name="incidents")
    ana = PersonFactory(name="Ana Lima")
    for _ in range(n):
        video = VideoFactory()
        CreditFactory(video=video, person=ana)
        CreditFactory(video=video, person=PersonFactory())
        lesson = LessonFactory(
            video=video, tags=[promotion, incidents], chapter=ChapterFactory(video=video)
        )
        TakeawayFactory(lesson=lesson)
        TakeawayFactory(lesson=lesson)
        QuoteFactory(video=video, lesson=lesson, speaker=ana, tags=[promotion])
        insight = InsightFactory(themes=[promotion])
        EvidenceFactory(insight=insight, lesson=lesson)


@pytest.mark.parametrize("path, queries", QUERIES.items())
def test_endpoints_run_the_same_queries_at_any_size(
    client, django_assert_num_queries, kb, path, queries
):
    grow(3)
    with django_assert_num_queries(queries):
        assert get(client, path).status_code == 200
    grow(15)
    with django_assert_num_queries(queries):
        body = get(client, path).json()
    assert body.get("items", body)


def test_search_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, kb):
    grow(12)
    with django_assert_max_num_queries(31):  # the site's search page is bounded the same
        assert get(client, "/search?q=promotion").json()["lessons"]


def test_theme_counts_follow_every_change(client, kb):
    """Counted once per content version: a publish or an unpublish shows at once."""
    counts = lambda: get(client, "/themes/promotion").json()["lesson_count"]  # noqa: E731
    assert counts() == 2
    LessonFactory(video=kb["second"], title="More promotion advice", tags=[kb["promotion"]])
    assert counts() == 3
    kb["brag"].status = Status.DRAFT
    kb["brag"].save()
    assert counts() == 2
    kb["first"].status = Status.DRAFT  # its lessons go with it
    kb["first"].save()
    assert counts() == 2  # both left are in the second video
    kb["second"].status = Status.DRAFT
    kb["second"].save()
    assert get(client, "/themes/promotion").status_code == 404  # nothing left under it


def declared(document, path: str) -> set[int]:
    """The answers the OpenAPI document declares for the operation serving `path`."""
    import re

    bare = API + path.split("?")[0]
    for template, operations in document["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), bare):
            return {int(code) for code in operations["get"]["responses"]}
    raise AssertionError(f"no operation serves {path}")


def test_every_answer_the_api_gives_is_declared_in_its_document(client, kb, settings):
    """Issue 36: schemathesis found 400, 422, 304 and 429 answers the document didn't
    declare. Each answer is produced here, then looked up in the document."""
    from kb.models import ThemeRedirect

    document = get(client, "/openapi.json").json()
    ThemeRedirect.objects.create(old_slug="promotions", theme=kb["promotion"])
    answers = [
        (path, get(client, path).status_code)
        for path in [
            "/lessons", "/lessons?limit=many", "/lessons?theme=no-such-theme",
            "/lessons?cursor=not-a-cursor", "/quotes?person=nope", "/videos?limit=0",
            "/themes?cursor=x", "/people?limit=x", "/insights?cursor=x", "/search?q=",
            "/search?q=help&theme=nope", "/search?q=help&page=0", "/lessons/nope",
            "/themes/nope", "/people/nope", "/insights/nope", "/videos/nope", "/quotes/1",
            "/themes/nope/guests",
        ]
    ]  # fmt: skip
    answers.append(("/themes/promotions", client.get(f"{API}/themes/promotions").status_code))
    etag = get(client, "/themes")["ETag"]
    answers.append(("/themes", client.get(f"{API}/themes", HTTP_IF_NONE_MATCH=etag).status_code))
    settings.API_REQUESTS_PER_MINUTE = 1
    answers.append(("/videos", get(client, "/videos").status_code))
    assert {status for _, status in answers} >= {200, 301, 304, 400, 404, 422, 429}
    for path, status in answers:
        assert status in declared(document, path), (path, status)
