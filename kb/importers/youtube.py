"""YouTube ids from the URLs people paste."""

import re
from urllib.parse import parse_qs, urlparse

from kb.importers.documents import DocumentError

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
PATH_PREFIXES = ("embed", "shorts", "live", "v", "e")


def parse_youtube_id(value: str) -> str:
    """The 11-character id in a watch?v=, youtu.be/, embed/, shorts/ or live/ URL, or a bare id."""
    text = value.strip()
    if VIDEO_ID.match(text):
        return text
    url = urlparse(text if "://" in text else f"https://{text}")
    host = (url.hostname or "").removeprefix("www.")
    candidate = ""
    if host == "youtu.be":
        candidate = url.path.strip("/").split("/")[0]
    elif host in HOSTS:
        parts = [p for p in url.path.split("/") if p]
        if parts == ["watch"]:
            candidate = parse_qs(url.query).get("v", [""])[0]
        elif len(parts) >= 2 and parts[0] in PATH_PREFIXES:
            candidate = parts[1]
    if VIDEO_ID.match(candidate):
        return candidate
    raise DocumentError(
        f"--youtube {value!r} is not a YouTube video URL or an 11-character video id"
    )
