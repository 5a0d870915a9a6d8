"""Uploads and zips in the admin (issue 36; docs/hardening.md, "Uploads and zips"): a zip
that lies about its size, or holds too many files, is refused with the limit named and
nothing kept; a big yt-dlp folder is ordered with every caption file beside its info.json."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from bench.zips import pairs, write_liar_zip
from kb.importers import batch
from kb.models import PendingImport, Video
from tests.helpers import follow_until
from tests.pages import info_json

pytestmark = pytest.mark.django_db


def upload(name, data):
    return SimpleUploadedFile(name, data)


def liar(inflated: int, declared: int = 10) -> bytes:
    out = io.BytesIO()
    write_liar_zip(out, "talk [abcdefghijk].en.vtt", inflated, declared)
    return out.getvalue()


def post(client, *files):
    return client.post("/admin/kb/video/import/", {"file": list(files)})


@override_settings(IMPORT_MAX_MB=1)
def test_a_zip_whose_header_hides_what_it_unpacks_to_is_refused_at_the_limit(client, editor):
    bomb = liar(4 * 1024 * 1024)  # its headers say 10 bytes
    assert len(bomb) < 10_000
    body = post(client, upload("talks.zip", bomb)).content.decode()
    assert "the zip unpacks to more than 1 MB, the most it may" in body
    assert not PendingImport.objects.exists() and not Video.objects.exists()


def test_a_zip_holding_more_than_its_header_says_is_refused_as_forged(client, editor):
    body = post(client, upload("talks.zip", liar(100_000))).content.decode()
    assert "the zip is damaged or forged" in body
    assert "holds 100000 bytes, its header says 10" in body
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize(
    "where, value, message",
    [
        ((6, 8), b"\x01\x00", "the zip is encrypted: zip the files without a password"),
        ((8, 10), b"\x63\x00", "the zip cannot be unpacked here"),  # method 99: AES
    ],
)
def test_an_encrypted_or_strangely_compressed_zip_is_refused_with_why(
    client, editor, where, value, message
):
    data = bytearray(batch.pack_zip({"talk.vtt": b"WEBVTT\n"}))
    local, central = where  # the flags or the method, in both headers
    listed = data.find(b"PK\x01\x02")
    data[local : local + 2] = value
    data[listed + central : listed + central + 2] = value
    body = post(client, upload("talks.zip", bytes(data))).content.decode()
    assert message in body
    assert not PendingImport.objects.exists()


@override_settings(IMPORT_MAX_FILES=3)
def test_a_zip_of_more_files_than_the_limit_is_refused_naming_it(client, editor):
    files = {f"talk-{n}.vtt": b"WEBVTT\n" for n in range(4)}
    body = post(client, upload("talks.zip", batch.pack_zip(files))).content.decode()
    assert "the zip holds more than 3 files, the most an import takes" in body
    assert not PendingImport.objects.exists()


@override_settings(IMPORT_MAX_FILES=2)
def test_more_uploaded_files_than_the_limit_are_refused(client, editor):
    files = [upload(f"talk-{n}.vtt", b"WEBVTT\n") for n in range(3)]
    body = post(client, *files).content.decode()
    assert "those are more than 2 files, the most an import takes" in body
    assert not PendingImport.objects.exists()


def test_a_long_preview_lists_the_refused_files_first_then_counts_the_rest(
    client, editor, monkeypatch
):
    monkeypatch.setattr("kb.admin.importing.PREVIEW_ROWS", 2)
    files = {
        f"Talk {n} [Talk{n:07d}].info.json": info_json(id=f"Talk{n:07d}", title=f"Talk {n}")
        for n in range(3)
    }
    files["broken.srt"] = "1\nnot a timing line\n"
    body = post(client, upload("talks.zip", batch.pack_zip(files))).content.decode()
    assert "4 documents: 3 to import, 1 refused" in body
    assert "error: broken.srt" in body
    assert "…and 2 more files, not listed" in body
    assert body.count("would import talk-") == 1


@pytest.mark.django_db(transaction=True)
def test_an_upload_of_many_small_files_is_previewed_outside_the_request(
    client, migration_data, editor, monkeypatch, task_worker
):
    monkeypatch.setattr("kb.admin.importing.BACKGROUND_FILES", 2)
    task_worker()
    files = {
        f"Talk {n} [Talk{n:07d}].info.json": info_json(id=f"Talk{n:07d}", title=f"Talk {n}")
        for n in range(3)
    }
    response = post(client, upload("talks.zip", batch.pack_zip(files)))  # 3 KB, but 3 documents
    assert response.status_code == 302
    pages = follow_until(client, response["Location"], lambda r: r.context.get("preview"))
    assert "3 documents: 3 to import, 0 refused" in pages[-1].content.decode()


def test_two_thousand_yt_dlp_pairs_are_ordered_with_their_own_captions():
    names = pairs(2000) + ["notes.pdf", "other/Talk 5 [00000000005].en.vtt"]
    random.Random(36).shuffle(names)
    planned, skipped = batch.plan(names)
    assert skipped == ["notes.pdf"]
    infos = [p for p in planned if p.name.endswith(".info.json")]
    assert planned[: len(infos)] == infos and len(infos) == 2000  # info.json files first
    for item in infos:
        assert item.beside == (item.name.removesuffix(".info.json") + ".en.vtt",)
    # Captions in another folder are not that info.json's: they come after, on their own.
    assert [p.name for p in planned[2000:]] == ["other/Talk 5 [00000000005].en.vtt"]


def test_captions_two_info_json_names_could_own_go_to_the_first_listed():
    names = ["A.B.en.vtt", "A.B.info.json", "A.info.json"]
    planned, _ = batch.plan(names)
    assert {p.name: p.beside for p in planned} == {
        "A.B.info.json": ("A.B.en.vtt",),
        "A.info.json": (),
    }


def test_a_zip_not_named_as_one_is_refused_saying_so(tmp_path, capsys):
    path = tmp_path / "talks.bin"
    path.write_bytes(batch.pack_zip({"talk.vtt": b"WEBVTT\n"}))
    with pytest.raises(SystemExit) as exit:
        call_command("import_video", str(path))
    assert exit.value.code == 1
    assert "this is a zip: give it a name ending in .zip" in capsys.readouterr().err
