"""What every importer shares: the error a bad document raises, and reading text safely.

Plain Python, no Django: parsers are tested on strings.
"""

import hashlib
from dataclasses import dataclass


class DocumentError(ValueError):
    """A document that cannot be imported. `line` is 1-based, None when no line is to blame."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def located(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.message}"


def decode_text(data: bytes) -> str:
    """The document's text, refusing empty, binary and non-UTF-8 files with the line to blame."""
    if not data.strip():
        raise DocumentError("the file is empty")
    if b"\x00" in data:
        raise DocumentError(
            "this is a binary file, not a text document",
            data[: data.index(b"\x00")].count(b"\n") + 1,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at character {exc.start})", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_hash(data: bytes) -> str:
    """Identifies a file's exact content, so a re-import of the same file changes nothing."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Segment:
    """About one caption line of transcript. `chapter` is an index into the video's chapters."""

    chapter: int | None
    start_seconds: float
    end_seconds: float
    text: str
    exact: bool


def header_identity(title: str, channel: str, published_on, duration_seconds: int) -> str:
    """A video's import identity when its YouTube id is not known: what its page's header
    says of the video itself (title, channel, date, length), never of the summary.

    Case and spacing are ignored, so a re-generated summary of the same video finds it
    again; two talks that share a title but not a channel, a date or a length do not.
    """
    parts = [
        " ".join(title.casefold().split()),
        " ".join(channel.casefold().split()),
        published_on.isoformat() if published_on else "",
        str(duration_seconds),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
