"""The editors' start page (the admin's index): what is waiting, how much, one click to the
list that shows it; their unfinished imports; and, after an import, the video's lessons."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import User

from kb.models import PendingImport, Status, Suggestion
from tests.factories import (
    InsightFactory,
    InsightProposalFactory,
    LessonFactory,
    MachineDraftFactory,
    PendingImportFactory,
    QuoteFactory,
    QuoteSuggestionFactory,
    ThemeFactory,
    ThemeSuggestionFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db


def waiting_rows(html: str) -> dict[str, tuple[int, str]]:
    """The start page's "Waiting" table as {what: (count, link or "")}."""
    table = html.split('class="module start-waiting"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        count = int(re.search(r'class="start-count">(\d+)<', row).group(1))
        link = re.search(r'<a href="([^"]+)">([^<]+)</a>', row)
        what = link.group(2) if link else re.search(r'scope="row">([^<]+)<', row).group(1)
        rows[what.strip()] = (count, unescape(link.group(1)) if link else "")
    return rows


def some_of_everything():
    """A little of each kind of work waiting for an editor, and some that is not."""
    theme = ThemeFactory(name="saying no")
    themed = LessonFactory(tags=[theme])  # published, themed, nothing waiting
    draft_video = VideoFactory(status=Status.DRAFT)
    drafts = [LessonFactory(video=draft_video, status=Status.DRAFT, tags=[theme]) for _ in range(2)]
    ThemeSuggestionFactory(lesson=drafts[0], theme=ThemeFactory(name="focus"))
    unchecked = LessonFactory(tags=[theme])
    QuoteSuggestionFactory(lesson=unchecked)
    QuoteSuggestionFactory(lesson=unchecked, rank=2)
    quoted = LessonFactory(tags=[theme])  # its suggestions are alternatives to its quote
    QuoteSuggestionFactory(lesson=quoted)
    QuoteFactory(video=quoted.video, lesson=quoted, status=Status.DRAFT)
    unthemed = LessonFactory()
    InsightProposalFactory(lessons=[themed, unthemed])
    InsightProposalFactory(lessons=[themed, quoted], status=Suggestion.DISMISSED)
    InsightFactory(status=Status.DRAFT)
    # Drafted from a transcript: waiting for its review only (its suggested quote and
    # its lack of a theme wait once it is accepted).
    machine = MachineDraftFactory(video=draft_video)
    QuoteSuggestionFactory(lesson=machine)
    return {"drafts": drafts, "unchecked": unchecked, "unthemed": unthemed, "machine": machine}


def test_the_start_page_says_what_is_waiting_and_links_to_exactly_that(client, editor):
    made = some_of_everything()
    response = client.get("/admin/")
    assert response.status_code == 200
    rows = waiting_rows(response.content.decode())
    assert rows == {
        "insight proposal": (1, "/admin/kb/insightproposal/?status__exact=open"),
        "draft video": (1, "/admin/kb/video/?status__exact=draft"),
        "machine draft to review": (1, "/admin/kb/lesson/?check=machine"),
        "draft lessons": (3, "/admin/kb/lesson/?status__exact=draft"),
        "lesson shows a machine-cut passage": (1, "/admin/kb/lesson/?check=quotes"),
        "lesson has suggested themes": (1, "/admin/kb/lesson/?check=themes"),
        "lesson fits no theme": (1, "/admin/kb/lesson/?check=unthemed"),
        "draft quote": (1, "/admin/kb/quote/?status__exact=draft"),
        "draft insight": (1, "/admin/kb/insight/?status__exact=draft"),
    }
    # Each link opens the list of just those things.
    expected = {
        "/admin/kb/lesson/?status__exact=draft": {*made["drafts"], made["machine"]},
        "/admin/kb/lesson/?check=machine": {made["machine"]},
        "/admin/kb/lesson/?check=quotes": {made["unchecked"]},
        "/admin/kb/lesson/?check=themes": {made["drafts"][0]},
        "/admin/kb/lesson/?check=unthemed": {made["unthemed"]},
    }
    for count, url in rows.values():
        listed = client.get(url).context["cl"].result_list
        assert len(listed) == count, url
        if url in expected:
            assert set(listed) == expected[url], url


def test_the_import_is_one_click_from_the_start_page(client, editor):
    html = client.get("/admin/").content.decode()
    assert '<a class="button default" href="/admin/kb/video/import/">' in html
    assert client.get("/admin/kb/video/import/").status_code == 200


def test_nothing_waiting_is_said_and_not_linked(client, editor):
    LessonFactory(tags=[ThemeFactory()])
    html = client.get("/admin/").content.decode()
    assert all(link == "" for _, link in waiting_rows(html).values())
    assert "Nothing is waiting" in html


def test_the_start_page_lists_my_unfinished_imports_and_counts_others(client, editor):
    State = PendingImport.State
    failed = PendingImportFactory(
        user=editor, name="<b>talk</b>.txt", state=State.FAILED, result="talk.txt:3: no title"
    )
    previewed = PendingImportFactory(user=editor, name="second.txt", state=State.PREVIEWED)
    PendingImportFactory(user=editor, name="finished.txt", state=State.DONE)
    other = User.objects.create_superuser("other", password="x")
    PendingImportFactory(user=other, name="theirs.txt", state=State.IMPORTING)
    PendingImportFactory(user=other, name="theirs-too.txt", state=State.PREVIEWED)

    html = client.get("/admin/").content.decode()
    section = html.split('class="module start-imports"', 1)[1].split("</div>", 1)[0]
    assert (
        f'<a href="/admin/kb/video/import/{failed.pk}/">&lt;b&gt;talk&lt;/b&gt;.txt</a>' in section
    )
    assert "<b>talk" not in html
    assert f'<a href="/admin/kb/video/import/{previewed.pk}/">second.txt</a>' in section
    assert "previewed: waiting for you to confirm" in section
    assert "finished.txt" not in section and "theirs" not in section
    assert "Other editors have 1 import at work." in section
    # The failed one's link says why it failed.
    assert (
        "talk.txt:3: no title"
        in client.get(f"/admin/kb/video/import/{failed.pk}/").content.decode()
    )


def test_the_start_page_runs_the_same_queries_whatever_the_data_size(
    client, editor, django_assert_num_queries
):
    some_of_everything()
    PendingImportFactory(user=editor, state=PendingImport.State.FAILED)
    client.get("/admin/")  # the session and the permissions, cached from here
    # The queries, however much is waiting:
    #   the session
    #   the user
    #   the user's own permissions
    #   their groups' permissions
    #   how many insight proposals are open
    #   how many videos are drafts
    #   the lessons' counts (drafts, and each check they wait for)
    #   how many quotes are drafts
    #   how many insights are drafts
    #   the imports of the last day not done
    #   the editor's recent actions
    with django_assert_num_queries(11):
        assert client.get("/admin/").status_code == 200
    for _ in range(3):
        some_of_everything()
        PendingImportFactory(user=editor, state=PendingImport.State.FAILED)
    with django_assert_num_queries(11):
        assert client.get("/admin/").status_code == 200


def test_a_video_page_lists_the_lessons_an_import_made_with_links(
    client, editor, django_assert_num_queries, django_assert_max_num_queries
):
    video = VideoFactory(status=Status.DRAFT)
    first = LessonFactory(
        video=video, title="Say <no> first", status=Status.DRAFT, start_seconds=3165, position=1
    )
    ThemeSuggestionFactory(lesson=first)
    LessonFactory(video=video, title="Then yes", position=2, tags=[ThemeFactory(name="focus")])
    LessonFactory(title="Another video's lesson")

    html = client.get(f"/admin/kb/video/{video.pk}/change/").content.decode()
    section = re.split(r'id="[a-z_]+-group"', html.split('id="lessons-group"', 1)[1])[0]
    assert f'<a href="/admin/kb/lesson/{first.pk}/change/">Say &lt;no&gt; first</a>' in section
    assert "52:45" in section and "suggested themes" in section
    # The lessons come first, before the people and the chapters.
    assert html.index('id="lessons-group"') < html.index('id="credits-group"')
    assert section.index("Say &lt;no&gt; first") < section.index("Then yes")
    assert "focus" in section and "Another video" not in section

    # The lessons cost two queries however many there are: the lessons with what they
    # wait for, and their themes.
    with django_assert_max_num_queries(30) as few:
        client.get(f"/admin/kb/video/{video.pk}/change/")
    for _ in range(5):
        ThemeSuggestionFactory(lesson=LessonFactory(video=video, tags=[ThemeFactory()]))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(f"/admin/kb/video/{video.pk}/change/")
