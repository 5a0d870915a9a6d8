"""What every importer shares: the error a bad document raises, and reading text safely.

Plain Python, no Django: parsers are tested on strings.
"""

import codecs
import hashlib
import json
import math
import re
from dataclasses import dataclass

from kb.text import clean, clean_tree


class DocumentError(ValueError):
    """A document that cannot be imported. `line` is 1-based, None when no line is to blame."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def located(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.message}"


# Byte-order marks of the encodings other than UTF-8 that editors' tools save text in
# (Windows' Notepad's "Unicode" is UTF-16).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """The document's text, refusing empty, binary and undecodable files with the line to
    blame, without control characters. UTF-8 (with or without a BOM) and UTF-16/32 with
    their BOM are read."""
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), "utf-8-sig")
    if encoding != "utf-8-sig":
        try:
            data = data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"not {encoding.upper()} text, though it starts like it: {exc.reason}"
            ) from None
    if not data.strip():
        raise DocumentError("the file is empty")
    if b"\x00" in data:
        if _looks_like_utf16(data):
            raise DocumentError(
                "this looks like UTF-16 text without a byte-order mark: save it as UTF-8"
            )
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
    # Control characters (caption tools leave them) are taken out here, where every
    # document's text comes in (kb.text).
    return clean(text.replace("\r\n", "\n").replace("\r", "\n"))


# A number in a document or a backup is a time, a count, an id or a score: none has more
# digits than this. Python refuses ints past 4,300 digits with a ValueError of its own.
JSON_NUMBER_DIGITS = 20


def strict_json(text: str, error: type[ValueError], takes: str):
    """JSON that a document or a backup may be, or `error(message, line)` saying what is
    wrong with it: not JSON; nested deeper than Python's reader follows; a whole number of
    absurd length, a number past a float (`1e999`), NaN or Infinity. `takes` names the
    reader in the message ("an import", "a restore"). Used by import_video's JSON
    documents (read_json) and by import_kb (kb.exchange.loads)."""

    def refuse(token: str, why: str):
        # The reader does not say where a value is: the first place it stands as one.
        found = re.search(rf"[:\[,]\s*{re.escape(token)}\s*[,\]}}]", text)
        line = text.count("\n", 0, found.end()) + 1 if found else None
        raise error(f"not JSON {takes} takes: {why}", line)

    def whole(token: str) -> int:
        digits = len(token.lstrip("-"))
        if digits > JSON_NUMBER_DIGITS:
            refuse(token, f"a number of {digits} digits")
        return int(token)

    def real(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            shown = token if len(token) <= 20 else token[:20] + "…"
            refuse(token, f"a number too large to store ({shown})")
        return value

    def constant(token: str):
        refuse(token, f"{token} is not a number JSON allows")

    try:
        return json.loads(text, parse_int=whole, parse_float=real, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise error(f"not JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        # Python's reader gives up past about a thousand levels (a document nests a few).
        raise error(f"not JSON {takes} takes: nested too deeply") from None


def read_json(text: str):
    """A document's JSON (strict_json), its strings cleaned (kb.text); DocumentError,
    with the line to blame where there is one, for anything else."""
    return clean_tree(strict_json(text, DocumentError, "an import"))


def _looks_like_utf16(data: bytes) -> bool:
    """Text in UTF-16 has a zero in every other byte (for Latin script)."""
    sample = data[:4000]
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return zeros > 0.4 * len(sample) / 2


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
    speaker: str = ""  # who says it, when the transcript names them


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
