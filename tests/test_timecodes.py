import pytest

from kb.timecodes import format_timecode, parse_timecode


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("00:00", 0),
        ("52:45", 3165),
        ("1:12:02", 4322),
        ("01:12:02", 4322),
        ("117:16", 7036),
        ("0:05", 5),
        (" 9:34 ", 574),
        ("10:00:00", 36000),
    ],
)
def test_parses_the_times_people_write(text, seconds):
    assert parse_timecode(text) == seconds


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("49:7x", "'7x' is not a number"),
        ("", "expected mm:ss"),
        ("52", "expected mm:ss"),
        ("1:2:3:4", "expected mm:ss"),
        ("12:60", "seconds must be two digits"),
        ("12:5", "seconds must be two digits"),
        ("1:60:00", "minutes must be two digits"),
        ("-1:00", "'-1' is not a number"),
        ("١:٢٣", "is not a number"),
    ],
)
def test_rejects_bad_times_saying_what_is_wrong(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_timecode(text)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0:00"),
        (5, "0:05"),
        (3165, "52:45"),
        (3165.9, "52:45"),
        (4322, "1:12:02"),
        (7036, "1:57:16"),
    ],
)
def test_formats_seconds_as_people_read_them(seconds, text):
    assert format_timecode(seconds) == text


def test_formatting_round_trips_through_parsing():
    for seconds in range(0, 4 * 3600, 397):
        assert parse_timecode(format_timecode(seconds)) == seconds


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        format_timecode(-1)
