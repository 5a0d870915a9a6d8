"""Times as people write them: `52:45`, `1:12:02`, `01:12:02`, and `117:16` for a
duration (minutes may run past 59 when there is no hour part)."""


def parse_timecode(text: str) -> int:
    """Seconds in `mm:ss` or `h:mm:ss`; raise ValueError saying what is wrong."""
    value = text.strip() if isinstance(text, str) else ""
    parts = value.split(":")
    if not value or len(parts) not in (2, 3):
        raise ValueError(f"{text!r} is not a time: expected mm:ss or h:mm:ss")
    for part in parts:
        if not (part.isascii() and part.isdigit()):
            raise ValueError(f"{text!r} is not a time: {part!r} is not a number")
    numbers = [int(part) for part in parts]
    if len(parts[-1]) != 2 or numbers[-1] > 59:
        raise ValueError(f"{text!r} is not a time: seconds must be two digits, 00 to 59")
    if len(numbers) == 3:
        hours, minutes, seconds = numbers
        if len(parts[1]) != 2 or minutes > 59:
            raise ValueError(f"{text!r} is not a time: minutes must be two digits, 00 to 59")
        return hours * 3600 + minutes * 60 + seconds
    minutes, seconds = numbers
    return minutes * 60 + seconds


def format_timecode(seconds: float) -> str:
    """`52:45` under an hour, `1:12:02` from an hour on (whole seconds, rounded down)."""
    if seconds is None or seconds < 0:
        raise ValueError(f"{seconds!r} is not a time: seconds must be zero or more")
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
