"""The generator's channel export (issue 38): a ZIP of `Title - VIDEOID.txt` files, each a
`Video Title:` … `Format:` header, a rule of `=`, then the summary in Markdown or plain
text. `import_video FILE.zip` and the admin's upload take it whole."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kb.importers.summary import parse_summary
from kb.models import Lesson, Video
from tests.helpers import import_video as run
from tests.pages import STANDARD_SUMMARY, generator_page

pytestmark = pytest.mark.django_db


def exported(title, video_id, summary=STANDARD_SUMMARY, fmt="markdown", channel="Reliability Hour"):
    if fmt == "plain":
        # As the export strips Markdown: headings bare, every list item a `• `.
        summary = re.sub(r"^#{1,6}\s*", "", summary, flags=re.M)
        summary = re.sub(r"^\s*[-*+]\s*", "• ", summary, flags=re.M)
    return (
        f"Video Title: {title}\nVideo ID: {video_id}\n"
        f"Video URL: https://www.youtube.com/watch?v={video_id}\n"
        f"Export Date: 2026-11-30 09:15:00\nChannel: {channel}\nFormat: {fmt}\n"
        + "=" * 80
        + "\n\n"
        + summary
    )


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "First Year On Call - OnCall00001.txt", exported("First Year On Call", "OnCall00001")
        )
        archive.writestr(
            "Runbooks That Work - Runbook0002.txt",
            exported("Runbooks That Work", "Runbook0002", fmt="plain"),
        )
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["markdown", "plain"])
def test_an_exported_summary_reads_like_the_page(fmt):
    page = parse_summary(exported("First Year On Call", "OnCall00001", fmt=fmt))
    assert (page.title, page.channel, page.youtube_id) == (
        "First Year On Call", "Reliability Hour", "OnCall00001"
    )  # fmt: skip
    assert [s.title for s in page.sections] == [
        "On Asking for Help", "On Runbooks", "Actionable Strategies",
        "Specific Details & Examples", "Warnings & Common Mistakes",
    ]  # fmt: skip
    assert page.sections[0].takeaways == [
        "Page a teammate after twenty minutes stuck.", "Say what you already tried."
    ]  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        (("Video ID: OnCall00001\n", "Video ID: not an id\n"), "is not a YouTube video id"),
        (("=" * 80, "-" * 80), "then a rule of '='"),
    ],
)
def test_a_broken_export_header_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        parse_summary(exported("First Year On Call", "OnCall00001").replace(*change))


def test_import_video_takes_the_export_zip(tmp_path):
    path = tmp_path / "Reliability_Hour_AI_Summaries.zip"
    path.write_bytes(export_zip())
    code, out, err = run(path)
    assert code == 0, err
    assert sorted(Video.objects.values_list("youtube_id", "title")) == [
        ("OnCall00001", "First Year On Call"), ("Runbook0002", "Runbooks That Work")
    ]  # fmt: skip
    assert Lesson.objects.filter(video__youtube_id="Runbook0002").count() == 5
    code, out, err = run(path)
    assert code == 0 and out.count("unchanged") == 2


def test_a_summary_page_of_an_exported_video_lands_on_it_by_its_id(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(export_zip())
    run(path)
    again = tmp_path / "page.txt"
    again.write_text(generator_page(title="First Year On Call"), encoding="utf-8")
    code, out, err = run(again, "--youtube", "OnCall00001", "--update")
    assert code == 0, err
    video = Video.objects.get(youtube_id="OnCall00001")
    assert video.transcript_exact and video.duration_seconds == 300
    assert Video.objects.count() == 2


def test_a_broken_zip_is_one_error_line(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    code, out, err = run(path)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: {path}: not a zip file")


def test_the_admin_upload_takes_the_export_zip(client, editor):
    response = client.post(
        "/admin/kb/video/import/",
        {"file": SimpleUploadedFile("Reliability_Hour_AI_Summaries.zip", export_zip())},
    )
    body = response.content.decode()
    assert "2 documents: 2 to import, 0 refused" in body
    assert not Video.objects.exists()
    client.post("/admin/kb/video/import/", {"upload": response.context["job"].pk, "confirm": "1"})
    assert Video.objects.count() == 2
