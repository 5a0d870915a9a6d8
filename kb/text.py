"""Text from outside (documents, restores, editors' forms), made safe to keep and to send.

Caption tools leave control characters in titles and captions: a vertical tab between
words, a stray `\\x01`, a terminal's colour codes (`\\x1b[31m`). XML 1.0 has no way to
write them, so one in a title took every feed down, and nobody can see or mean them. They
are taken out where text comes in (`kb.importers.documents.decode_text`, the JSON a
document or a restore holds, and every save of a model: `clean_model_text`), so what is
stored is what a reader can read. Tab, newline and carriage return stay.

Plain Python, no Django.
"""

import re

# A terminal's escape sequences, whole (so "[31m" is not left behind): CSI (`ESC [ … m`),
# OSC (`ESC ] … BEL` or `ESC ] … ESC \\`), and any other two-character escape.
ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
)
# Vertical tab and form feed stand between words: a space keeps the words apart.
SPACES = re.compile(r"[\x0b\x0c]")
# What XML 1.0 cannot carry and no reader means: C0 and C1 controls but tab, newline and
# carriage return; DEL; lone surrogates (a restore's JSON can spell them); U+FFFE, U+FFFF.
UNWANTED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
ANY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# Characters no XML 1.0 document may hold: C0 controls but tab, newline and carriage
# return; lone surrogates; U+FFFE and U+FFFF (C1 controls are allowed). Django's XML writer
# refuses them with an error (a 500), and a feed reader would refuse the whole feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """`value` without the characters XML forbids: a string, or the strings in a list. For
    what goes out as XML (the feeds), whatever was stored before text was cleaned."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_text(each) for each in value)
    return value


def clean(text: str) -> str:
    """`text` without control characters (escape sequences go whole; a vertical tab or
    form feed becomes a space). Text that has none comes back as it is."""
    if not ANY.search(text):
        return text
    text = ESCAPE_SEQUENCE.sub("", text)
    return UNWANTED.sub("", SPACES.sub(" ", text))


def mark(text: str) -> str:
    """`text` with each control character (or escape sequence) shown as U+FFFD, where
    taking it out would make two unique values one."""
    text = ESCAPE_SEQUENCE.sub("\ufffd", text)
    return UNWANTED.sub("\ufffd", SPACES.sub(" ", text))


def clean_tree(value):
    """Every string in decoded JSON (keys too) cleaned in place; returns `value`. Walked
    with a stack, not recursion, so JSON nested as deep as its parser allows is fine."""
    if isinstance(value, str):
        return clean(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = clean(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(node, dict):
            for key in list(node):
                item = node[key]
                if isinstance(item, str):
                    node[key] = item = clean(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
                if isinstance(key, str) and (kept := clean(key)) != key:
                    del node[key]
                    node[kept] = item
    return value


TEXT_FIELDS = ("CharField", "TextField", "SlugField")
CLEANED_APPS = ("kb",)


def clean_model_text(sender, instance, raw=False, **kwargs):
    """A `pre_save` receiver: every text field of the knowledge base's models (themes
    included) cleaned before it is written, whoever writes it: the admin, an import, a
    restore, a command. Bulk writes do not send it: what they write comes from
    documents and restores cleaned on reading."""
    if raw or sender._meta.app_label not in CLEANED_APPS:
        return
    for field in sender._meta.concrete_fields:
        if field.get_internal_type() in TEXT_FIELDS:
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, clean(value))


SENTENCE_END = re.compile(r"[.?!…][\"”’)]*(?=\s|$)")
# A text (a caption, a word) that closes its sentence: its stop, then any closing marks.
CLOSES_SENTENCE = re.compile(r"[.?!…][\"'”’)]*$")
SENTENCE_START = re.compile(r"([.?!][\"”’)]*\s+)([a-z])")
LONE_I = re.compile(r"(?<![\w'’])i(?=(?:['’](?:m|ve|d|ll))?(?![\w]))")
# A cut keeps at least this share of the passage: a sentence end too near its far side
# would leave a stub.
KEEP_AT_LEAST = 0.6


def as_passage(text: str) -> str:
    """A passage the machine cut from a transcript, as a reader should see it: started and
    ended at sentence bounds where the words have them (else an ellipsis where it was
    cut), its first letter and a lone "i" in capitals (auto-captions are lower case).
    The words themselves are not changed."""
    text = " ".join(text.split())
    if not text:
        return text
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    if text[0].islower():
        # Starts mid-sentence: from the next sentence, if that leaves most of it.
        later = [end for end in ends if end <= len(text) * (1 - KEEP_AT_LEAST)]
        text = text[later[0] :].lstrip() if later else "… " + text
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        # Ends mid-sentence: at the last sentence end, if that keeps most of it.
        kept = [end for end in ends if end >= len(text) * KEEP_AT_LEAST]
        text = text[: kept[-1]] if kept else text + " …"
    text = LONE_I.sub("I", text)
    # Each sentence starts with a capital, the first one too (after any ellipsis).
    text = SENTENCE_START.sub(lambda m: m[1] + m[2].upper(), text)
    start = 2 if text.startswith("… ") else 0
    return text[:start] + text[start : start + 1].upper() + text[start + 1 :]


def counted(n: int, word: str) -> str:
    """ "1 lesson", "2 lessons": a count and its noun, plural unless one."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def voices_line(voices: int, videos: int, different: int = 0) -> str:
    """Who says an insight ("N voices from M videos · K different views", singular where
    one): the same line on its list item, its page, its feed entry and its share card."""
    line = f"{counted(voices, 'voice')} from {counted(videos, 'video')}"
    if different:
        line += f" · {counted(different, 'different view')}"
    return line
