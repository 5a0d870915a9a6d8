"""The editors' workflows, driven through the admin's own views as an editor would."""

import io
import re
import zipfile

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kb.models import (
    Chapter,
    Lesson,
    PendingImport,
    Quote,
    Status,
    Suggestion,
    Theme,
    ThemeRedirect,
    Video,
)
from tests.factories import (
    ChapterFactory,
    InsightFactory,
    LessonFactory,
    QuoteFactory,
    ThemeFactory,
    TranscriptSegmentFactory,
    VideoFactory,
)
from tests.forms import form_data, lesson_form
from tests.pages import info_json, page, timed_vtt

pytestmark = pytest.mark.django_db


def upload(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)


def test_import_previews_then_creates_on_confirm(client, editor):
    response = client.post(
        "/admin/kb/video/import/", {"file": upload("talk.txt", page()), "format": "auto"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "would import growing-fast-a-story: 3 chapters, 3 lessons, 5 takeaways" in body
    assert "Gardening &amp; the &lt;Promo&gt; Packet" in body  # the lessons, escaped
    assert not Video.objects.exists()  # a preview stores nothing

    upload_id = response.context["job"].pk
    response = client.post("/admin/kb/video/import/", {"upload": upload_id, "confirm": "1"})
    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/kb/video/{video.pk}/change/"
    assert video.lessons.count() == 3
    assert LogEntry.objects.filter(action_flag=ADDITION, object_id=str(video.pk)).exists()


@pytest.mark.parametrize("forged", [None, "", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_forged_or_missing_confirmation_imports_nothing(client, editor, forged):
    client.post("/admin/kb/video/import/", {"file": upload("talk.txt", page())})
    response = client.post(
        "/admin/kb/video/import/",
        {"confirm": "1"} if forged is None else {"upload": forged, "confirm": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "That preview has expired" in response.content.decode()
    assert not Video.objects.exists()


def test_another_editors_preview_cannot_be_confirmed(client, editor):
    response = client.post("/admin/kb/video/import/", {"file": upload("talk.txt", page())})
    upload_id = response.context["job"].pk
    other = User.objects.create_superuser("other", password="x")
    client.force_login(other)
    client.post("/admin/kb/video/import/", {"upload": upload_id, "confirm": "1"})
    assert not Video.objects.exists()
    assert client.get(f"/admin/kb/video/import/{upload_id}/").status_code == 404
    # The editor who previewed it still sees it and can confirm it.
    client.force_login(editor)
    assert client.get(f"/admin/kb/video/import/{upload_id}/").status_code == 200
    client.post("/admin/kb/video/import/", {"upload": upload_id, "confirm": "1"})
    assert Video.objects.count() == 1


def test_a_confirmed_preview_imports_once(client, editor):
    response = client.post("/admin/kb/video/import/", {"file": upload("talk.txt", page())})
    upload_id = response.context["job"].pk
    client.post("/admin/kb/video/import/", {"upload": upload_id, "confirm": "1"})
    again = client.post(
        "/admin/kb/video/import/", {"upload": upload_id, "confirm": "1"}, follow=True
    )
    assert "That preview has expired" in again.content.decode()
    assert Video.objects.count() == 1 and PendingImport.objects.count() == 0


def test_a_bad_file_shows_its_error_with_the_line_and_creates_nothing(client, editor):
    response = client.post(
        "/admin/kb/video/import/", {"file": upload("talk.txt", page(promo_start="49:7x"))}
    )
    body = response.content.decode()
    assert "talk.txt:60: chapter &#x27;Promo packets&#x27;: &#x27;49:7x&#x27; is not a time" in body
    assert not response.context.get("job")
    assert not PendingImport.objects.exists()
    assert not Video.objects.exists()


YT = "Growing Fast - A Story [GrowFast123]"


def yt_dlp_folder() -> dict[str, str]:
    return {
        f"{YT}.info.json": info_json(), f"{YT}.en.vtt": timed_vtt(), f"{YT}.txt": page(),
        f"{YT}.webp": "a thumbnail",
    }  # fmt: skip


def test_several_files_are_previewed_together_then_imported_each_on_its_own(client, editor):
    files = [upload(name, text) for name, text in yt_dlp_folder().items()]
    files.append(upload("broken.srt", "1\nnot a timing line\n"))
    response = client.post("/admin/kb/video/import/", {"file": files})
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "3 documents: 2 to import, 1 refused; 1 other file skipped" in body
    # The page lands on the video its info.json makes just before, in the same preview.
    assert "would import growing-fast-a-story: 3 chapters" in body
    assert "would update growing-fast-a-story: 3 chapters, 3 lessons" in body
    assert "error: broken.srt" in body
    assert not Video.objects.exists() and not Lesson.objects.exists()

    response = client.post(
        "/admin/kb/video/import/", {"upload": response.context["job"].pk, "confirm": "1"},
        follow=True,
    )  # fmt: skip
    video = Video.objects.get()
    assert (video.youtube_id, video.transcript_exact, video.lessons.count()) == (
        "GrowFast123", True, 3,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == "/admin/kb/video/"
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("imported growing-fast-a-story") for m in shown)
    assert any(m.startswith("error: broken.srt") for m in shown)
    assert LogEntry.objects.filter(object_id=str(video.pk), action_flag=CHANGE).count() == 2


def test_a_zip_of_a_yt_dlp_folder_is_imported_like_the_folder(client, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in yt_dlp_folder().items():
            archive.writestr(f"talks/{name}", text)
        archive.writestr("__MACOSX/talks/._x", "resource fork")
    response = client.post(
        "/admin/kb/video/import/", {"file": upload("talks.zip", buffer.getvalue())}
    )
    assert "2 documents: 2 to import, 0 refused" in response.content.decode()
    client.post("/admin/kb/video/import/", {"upload": response.context["job"].pk, "confirm": "1"})
    assert Video.objects.get().lessons.count() == 3


@pytest.mark.parametrize(
    "content, message",
    [(b"PK\x03\x04 not really a zip", "not a zip file that can be read")],
)
def test_a_broken_zip_is_refused_and_nothing_is_kept(client, editor, content, message):
    response = client.post("/admin/kb/video/import/", {"file": upload("talks.zip", content)})
    assert message in response.content.decode()
    assert not PendingImport.objects.exists() and not Video.objects.exists()


def test_one_info_json_is_previewed_with_its_chapters(client, editor):
    response = client.post(
        "/admin/kb/video/import/", {"file": upload(f"{YT}.info.json", info_json())}
    )
    body = response.content.decode()
    assert "Preview: yt-dlp info.json" in body and "1:10 Asking for help" in body
    assert "no captions beside it" in body


def test_a_timed_transcript_is_attached_to_the_chosen_video(client, editor):
    call_command("import_video", "samples/shipping-small.txt", stdout=io.StringIO())
    video = Video.objects.get()
    with open("samples/shipping-small-lessons-from-a-decade-of-startups.vtt", "rb") as vtt:
        response = client.post(
            "/admin/kb/video/import/", {"file": upload("talk.vtt", vtt.read()), "video": video.pk}
        )
    assert "would attach" in response.content.decode()
    client.post("/admin/kb/video/import/", {"upload": response.context["job"].pk, "confirm": "1"})
    video.refresh_from_db()
    assert video.transcript_exact


def test_bulk_publish_and_unpublish_are_logged(client, editor):
    lessons = [LessonFactory(status=Status.DRAFT) for _ in range(3)]
    response = client.post(
        "/admin/kb/lesson/",
        {"action": "publish", "_selected_action": [lessons[0].pk, lessons[1].pk]},
    )
    assert response.status_code == 302
    assert sorted(Lesson.objects.published().values_list("pk", flat=True)) == sorted(
        [lessons[0].pk, lessons[1].pk]
    )
    assert (
        LogEntry.objects.filter(action_flag=CHANGE, change_message__contains="Published").count()
        == 2
    )
    client.post("/admin/kb/lesson/", {"action": "unpublish", "_selected_action": [lessons[0].pk]})
    assert Lesson.objects.published().count() == 1


def test_a_quote_is_cut_from_consecutive_transcript_lines(client, editor):
    video = VideoFactory()
    chapter = ChapterFactory(video=video, start_seconds=0)
    lines = [
        TranscriptSegmentFactory(
            video=video, chapter=chapter, text=t, start_seconds=s, end_seconds=s + 2
        )
        for t, s in (
            ("ask for help", 10.0),
            ("as soon as you", 12.0),
            ("are stuck", 14.0),
            ("ok", 16.0),
        )
    ]
    url = f"/admin/kb/video/{video.pk}/transcript/"
    assert "ask for help" in client.get(url).content.decode()
    response = client.post(
        url, {"segment": [lines[0].pk, lines[1].pk, lines[2].pk], "speaker": "Evan"}
    )
    quote = Quote.objects.get()
    assert response["Location"] == f"/admin/kb/quote/{quote.pk}/change/"
    assert (quote.text, quote.start_seconds, quote.end_seconds) == (
        "ask for help as soon as you are stuck",
        10.0,
        16.0,
    )
    assert (quote.chapter, quote.said_by, quote.status) == (chapter, "Evan", Status.DRAFT)

    client.post(url, {"segment": [lines[0].pk, lines[2].pk]})  # a gap: refused
    client.post(url, {"segment": []})  # nothing selected: refused
    assert Quote.objects.count() == 1


def test_a_lesson_is_cut_from_transcript_lines_with_its_moment_evidence_and_themes(client, editor):
    video = VideoFactory()
    ChapterFactory(video=video, start_seconds=0, title="Intro")
    chapter = ChapterFactory(video=video, start_seconds=60, title="Getting promoted")
    lines = [
        TranscriptSegmentFactory(
            video=video, chapter=chapter, text=t, start_seconds=s, end_seconds=s + 3
        )
        for t, s in (
            ("my promotion packet was", 61.0),
            ("all about the impact", 64.0),
            ("I wrote down every week", 67.0),
        )
    ]
    url = f"/admin/kb/video/{video.pk}/transcript/"
    response = client.post(
        url,
        {"segment": [lines[1].pk, lines[2].pk], "title": "  Write your  packet all year ",
         "first_words": "impact", "lesson": "1"},
    )  # fmt: skip
    lesson = Lesson.objects.get(video=video)
    assert response["Location"] == f"/admin/kb/lesson/{lesson.pk}/change/"
    assert (lesson.title, lesson.status, lesson.chapter) == (
        "Write your packet all year", Status.DRAFT, chapter,
    )  # fmt: skip
    assert lesson.start_seconds == pytest.approx(64.0 + 3 * 3 / 4)
    suggestion = lesson.suggestions.get()
    assert suggestion.text == "impact I wrote down every week"
    assert (suggestion.start_seconds, suggestion.end_seconds) == (lesson.start_seconds, 70.0)
    assert suggestion.status == Suggestion.OPEN
    assert not lesson.tags.exists(), "themes are offered, not applied"
    assert "promotion" in lesson.theme_suggestions.values_list("theme__name", flat=True)
    assert not Quote.objects.exists()
    assert LogEntry.objects.filter(object_id=str(lesson.pk), action_flag=ADDITION).exists()

    client.post(url, {"segment": [lines[0].pk], "title": "   ", "lesson": "1"})  # no title
    client.post(url, {"segment": [lines[0].pk, lines[2].pk], "title": "Gap", "lesson": "1"})
    assert Lesson.objects.count() == 1


def test_merging_themes_moves_everything_and_redirects_the_old_address(client, editor):
    keep = ThemeFactory(name="leading teams", slug="leading-teams")
    old = ThemeFactory(name="team leadership", slug="team-leadership")
    both = LessonFactory(tags=[keep, old])
    only_old = LessonFactory(tags=[old])
    quote = QuoteFactory(tags=[old])
    response = client.post(
        "/admin/kb/theme/",
        {"action": "merge", "_selected_action": [keep.pk, old.pk], "target": keep.pk, "apply": "1"},
    )
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=old.pk).exists()
    assert list(both.tags.names()) == ["leading teams"]
    assert list(only_old.tags.names()) == ["leading teams"]
    assert list(quote.tags.names()) == ["leading teams"]
    redirect = client.get("/themes/team-leadership/?page=2")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/themes/leading-teams/?page=2"
    assert LogEntry.objects.filter(
        object_id=str(keep.pk), change_message__contains="Merged"
    ).exists()


def test_renaming_a_theme_keeps_its_old_address(client, editor):
    theme = ThemeFactory(name="negotiating", slug="negotiating")
    client.post(
        f"/admin/kb/theme/{theme.pk}/change/",
        {"name": "negotiation", "slug": "negotiation", "description": "", "cues": "[]"},
    )
    assert ThemeRedirect.objects.get(old_slug="negotiating").theme == theme
    assert client.get("/themes/negotiating/")["Location"] == "/themes/negotiation/"


def test_unused_themes_can_be_removed_in_bulk(client, editor):
    used, unused = ThemeFactory(name="used one"), ThemeFactory(name="unused one")
    LessonFactory(tags=[used])
    client.post(
        "/admin/kb/theme/", {"action": "remove_unused", "_selected_action": [used.pk, unused.pk]}
    )
    assert Theme.objects.filter(pk=used.pk).exists()
    assert not Theme.objects.filter(pk=unused.pk).exists()


def test_a_theme_is_added_to_and_removed_from_selected_lessons(client, editor):
    theme = ThemeFactory(name="negotiation")
    lessons = [LessonFactory() for _ in range(2)]
    ids = [lesson.pk for lesson in lessons]
    client.post(
        "/admin/kb/lesson/",
        {"action": "add_theme", "_selected_action": ids, "theme": theme.pk, "apply": "1"},
    )
    assert all("negotiation" in lesson.tags.names() for lesson in lessons)
    client.post(
        "/admin/kb/lesson/",
        {"action": "remove_theme", "_selected_action": ids, "theme": theme.pk, "apply": "1"},
    )
    assert not any("negotiation" in lesson.tags.names() for lesson in lessons)


def test_the_chapter_filter_offers_the_chosen_videos_chapters_only(client, editor):
    one, other = VideoFactory(title="One talk"), VideoFactory(title="Other talk")
    intro = ChapterFactory(video=one, title="Intro bit", start_seconds=0)
    ChapterFactory(video=one, title="Later bit", start_seconds=300)
    ChapterFactory(video=other, title="Elsewhere bit", start_seconds=0)
    LessonFactory(video=one, chapter=intro, title="Found in the intro")
    LessonFactory(video=one, chapter=None, title="In no chapter")

    # Chapters without lessons show only in the filter.
    everything = client.get("/admin/kb/lesson/").content.decode()
    assert "Later bit" not in everything and "Elsewhere bit" not in everything

    narrowed = client.get(f"/admin/kb/lesson/?video__id__exact={one.pk}").content.decode()
    assert "Later bit" in narrowed and "Elsewhere bit" not in narrowed

    response = client.get(
        f"/admin/kb/lesson/?video__id__exact={one.pk}&chapter__id__exact={intro.pk}"
    )
    assert [lesson.title for lesson in response.context["cl"].result_list] == ["Found in the intro"]
    # A forged value is refused by the admin, not a server error.
    forged = client.get("/admin/kb/lesson/?chapter__id__exact=x%27")
    assert forged.status_code in (200, 302)


def test_a_lesson_moment_is_typed_and_shown_as_minutes_and_seconds(client, editor):
    lesson = LessonFactory(video=VideoFactory(duration_seconds=7036))
    response = client.post(f"/admin/kb/lesson/{lesson.pk}/change/", lesson_form(lesson))
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.start_seconds == 3165
    assert 'value="52:45"' in client.get(f"/admin/kb/lesson/{lesson.pk}/change/").content.decode()


def test_a_videos_length_chapters_and_resources_are_edited_like_everything_else(client, editor):
    video = VideoFactory(duration_seconds=7036, resources=["A book: Staff Engineer"])
    ChapterFactory(video=video, start_seconds=3165, title="Promo")
    url = f"/admin/kb/video/{video.pk}/change/"
    data = form_data(client.get(url).content.decode(), "video_form")
    assert data["duration_seconds"] == "1:57:16"
    assert data["chapters-0-start_seconds"] == "52:45"
    assert data["resources"] == "A book: Staff Engineer"
    data["chapters-0-start_seconds"] = "53:10"
    data["resources"] = "A book: Staff Engineer\n\nA talk: Glue work\n"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    video.refresh_from_db()
    assert video.resources == ["A book: Staff Engineer", "A talk: Glue work"]
    assert Chapter.objects.get(video=video).start_seconds == 3190

    data["chapters-0-start_seconds"] = "2:10:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "past the end of the video" in response.content.decode()
    assert Chapter.objects.get(video=video).start_seconds == 3190


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"start_seconds": "2:00:00"}, "start_seconds", "past the end of the video"),
        ({"start_seconds": "49:7x"}, "start_seconds", "is not a number"),
        ({"chapter": "OTHER"}, "chapter", "Select a valid choice"),
    ],
)
def test_bad_lesson_edits_are_refused_on_the_field(client, editor, changes, field, message):
    lesson = LessonFactory(video=VideoFactory(duration_seconds=3600), title="Unchanged")
    if changes.get("chapter") == "OTHER":
        changes = {"chapter": ChapterFactory().pk}  # a chapter of another video
    response = client.post(
        f"/admin/kb/lesson/{lesson.pk}/change/", lesson_form(lesson, title="Changed", **changes)
    )
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors[field])
    lesson.refresh_from_db()
    assert lesson.title == "Unchanged"


def test_an_empty_quote_and_a_theme_differing_only_in_case_are_refused(client, editor):
    quote = QuoteFactory(text="Keep me.")
    response = client.post(
        f"/admin/kb/quote/{quote.pk}/change/",
        {
            "video": quote.video_id,
            "text": "   ",
            "start_seconds": "5:00",
            "end_seconds": "5:10",
            "status": "draft",
            "tags": "",
        },
    )
    assert "A quote needs its words." in str(response.context["adminform"].form.errors["text"])
    quote.refresh_from_db()
    assert quote.text == "Keep me."
    ThemeFactory(name="Negotiation")
    response = client.post(
        "/admin/kb/theme/add/", {"name": "NEGOTIATION", "slug": "negotiation-2", "cues": "[]"}
    )
    assert "already a theme" in str(response.context["adminform"].form.errors["name"])
    assert Theme.objects.filter(name__iexact="negotiation").count() == 1


def test_editors_cannot_manage_users_and_others_cannot_reach_admin(client, editor):
    assert client.get("/admin/kb/lesson/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    client.logout()
    client.force_login(User.objects.create_user("reader", password="Correct-Horse-42"))
    response = client.get("/admin/kb/lesson/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    staff_without_group = User.objects.create_user(
        "intern", password="Correct-Horse-42", is_staff=True
    )
    client.force_login(staff_without_group)
    assert client.get("/admin/kb/lesson/").status_code == 403
    assert client.post("/admin/kb/video/import/", {}).status_code == 403


# Every list an editor works in: the queries each page makes, the same whatever the data
# size. Each starts with the same four: the session, the user and the user's permissions
# (two: the user's own, the groups'). Django's changelist counts twice (the filtered rows,
# then all rows for "N of M").
ADMIN_LISTS = {
    # + the count twice (lessons joined, for the lesson-count column), the page of videos,
    #   the date hierarchy's first and last date, its days, the channel filter's choices
    "video": 10,
    # + the themes filter's choices, the video filter's choices, the count twice, the page
    #   of lessons (video and chapter joined), their themes (one prefetch)
    "lesson": 10,
    # + the themes filter's choices, the video filter's choices, the count twice, the page
    #   of quotes (video, lesson and speaker joined)
    "quote": 9,
    # + the count twice, the page of themes with their published-lesson counts
    "theme": 7,
    # + the count twice, the page of takeaways (their lessons joined)
    "takeaway": 7,
    # + the video filter's choices, the count twice, the page of chapters (video joined)
    "chapter": 8,
    # + the video filter's choices, the count twice, the page of lines (video and chapter
    #   joined)
    "transcriptsegment": 8,
    # + the count twice, the page of suggestions (lesson and video joined)
    "quotesuggestion": 7,
}


@pytest.mark.parametrize("model, queries", ADMIN_LISTS.items())
def test_admin_lists_run_the_same_queries_whatever_the_data_size(
    model, queries, client, editor, django_assert_num_queries
):
    def grow():
        theme = ThemeFactory()
        video = VideoFactory()
        chapter = ChapterFactory(video=video)
        for _ in range(3):
            lesson = LessonFactory(video=video, chapter=chapter, tags=[theme])
            QuoteFactory(video=video, lesson=lesson, tags=[theme])
            TranscriptSegmentFactory(video=video, chapter=chapter)

    grow()
    client.get(f"/admin/kb/{model}/")  # warm the session and content types
    with django_assert_num_queries(queries):
        assert client.get(f"/admin/kb/{model}/").status_code == 200
    for _ in range(4):
        grow()
    with django_assert_num_queries(queries):
        assert client.get(f"/admin/kb/{model}/").status_code == 200


def test_the_preview_shows_what_was_read_and_every_doubt(client, editor):
    doubtful = page().replace("Asking for Help Early", "Ask for help early.")
    body = client.post("/admin/kb/video/import/", {"file": upload("talk.txt", doubtful)})
    text = body.content.decode()
    assert "Read 3 lessons, 5 takeaways, an intro of 1 paragraph" in text
    assert "talk.txt:18: read &#x27;Ask for help early.&#x27; as a section title" in text
    assert "Left out as boilerplate: “Have questions? Drop a comment below!”" in text


def themes_widget(html: str) -> str:
    """The themes field of an admin form: its select, with the + that adds a theme."""
    found = re.search(r'<select name="(?:tags|themes)"[^>]*>', html)
    assert found, "no themes picker on the page"
    return re.sub(r'(name|id|data-model-name|data-field-name)="[^"]*"', "", found.group(0))


def test_themes_are_picked_with_one_widget_on_lessons_quotes_and_insights(client, editor):
    """Issue 39: lessons and quotes had a typed list of names, insights a picker."""
    lesson = LessonFactory(video=VideoFactory(duration_seconds=7036))
    quote = QuoteFactory(video=lesson.video, start_seconds=10, end_seconds=20)
    insight = InsightFactory()
    pages = [
        f"/admin/kb/lesson/{lesson.pk}/change/",
        f"/admin/kb/quote/{quote.pk}/change/",
        f"/admin/kb/insight/{insight.pk}/change/",
    ]
    widgets = set()
    for url in pages:
        html = client.get(url).content.decode()
        widgets.add(themes_widget(html))
        assert 'href="/admin/kb/theme/add/?_to_field=id&amp;_popup=1"' in html  # the +
    assert len(widgets) == 1
    assert "admin-autocomplete" in widgets.pop()


def test_a_lessons_and_a_quotes_themes_are_found_as_you_type_and_saved(client, editor):
    help_, mentoring = ThemeFactory(name="asking for help"), ThemeFactory(name="mentoring")
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "kb", "model_name": "lesson", "field_name": "tags", "term": "asking f"},
    ).json()
    assert [theme["text"] for theme in found["results"]] == ["asking for help"]

    themes = Theme.objects.count()
    lesson = LessonFactory(video=VideoFactory(duration_seconds=7036))
    response = client.post(
        f"/admin/kb/lesson/{lesson.pk}/change/",
        lesson_form(lesson, tags=[help_.pk, mentoring.pk]),
    )
    assert response.status_code == 302
    assert sorted(lesson.tags.names()) == ["asking for help", "mentoring"]
    # What the form shows is read back as the same themes: saving it unchanged keeps them.
    shown = form_data(
        client.get(f"/admin/kb/lesson/{lesson.pk}/change/").content.decode(), "lesson_form"
    )
    assert client.post(f"/admin/kb/lesson/{lesson.pk}/change/", shown).status_code == 302
    assert sorted(lesson.tags.names()) == ["asking for help", "mentoring"]
    assert Theme.objects.count() == themes  # none made on the way

    quote = QuoteFactory(video=lesson.video, start_seconds=10, end_seconds=20)
    shown = form_data(
        client.get(f"/admin/kb/quote/{quote.pk}/change/").content.decode(), "quote_form"
    )
    shown["tags"] = [help_.pk]
    assert client.post(f"/admin/kb/quote/{quote.pk}/change/", shown).status_code == 302
    assert sorted(quote.tags.names()) == ["asking for help"]


@pytest.mark.parametrize("forged", ["x", "999999", "asking for help"])
def test_a_theme_that_is_not_there_is_refused_on_the_field(client, editor, forged):
    lesson = LessonFactory(video=VideoFactory(duration_seconds=7036))
    response = client.post(
        f"/admin/kb/lesson/{lesson.pk}/change/", lesson_form(lesson, tags=forged)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tags"]
    assert not lesson.tags.exists()


@pytest.mark.parametrize("field, forged", [("video", "x'"), ("speaker", "Guest"), ("lesson", "-1")])
def test_a_forged_choice_in_an_admin_form_is_refused_on_the_field(client, editor, field, forged):
    quote = QuoteFactory(text="Keep me.")
    url = f"/admin/kb/quote/{quote.pk}/change/"
    data = form_data(client.get(url).content.decode(), "quote_form")
    data[field] = forged
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors[field])


def test_bulk_publishing_on_the_draft_filter_counts_what_was_selected(client, editor):
    """Issue 36: on the Draft filter the message said "Published 3 of 0 selected", and
    lessons of a draft video were published without a word while readers got 404."""
    shown, hidden = (
        VideoFactory(status=Status.PUBLISHED),
        VideoFactory(title="Still a draft", status=Status.DRAFT),
    )
    lessons = [LessonFactory(video=shown, status=Status.DRAFT) for _ in range(2)]
    lessons.append(LessonFactory(video=hidden, status=Status.DRAFT))
    response = client.post(
        "/admin/kb/lesson/?status__exact=draft",
        {"action": "publish", "_selected_action": [lesson.pk for lesson in lessons]},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert "Published 3 of 3 selected." in said
    assert any(
        "1 of them stay hidden from readers until their video is published: Still a draft" in m
        for m in said
    )
    assert client.get(lessons[0].get_absolute_url()).status_code == 200


def test_publishing_videos_with_their_contents_on_the_draft_filter(client, editor):
    video = VideoFactory(status=Status.DRAFT)
    lesson = LessonFactory(video=video, status=Status.DRAFT)
    response = client.post(
        "/admin/kb/video/?status__exact=draft",
        {"action": "publish_with_contents", "_selected_action": [video.pk]},
        follow=True,
    )
    assert "Published 1 videos, 1 lessons and 0 quotes." in [
        str(m) for m in response.context["messages"]
    ]
    assert client.get(lesson.get_absolute_url()).status_code == 200
