"""What a reader typed, as words, "exact phrases" and -exclusions. Plain Python.

Everything else is taken literally: operators of the search engines (AND, OR, NOT, NEAR,
`*`, `:`, `^`, parentheses) are just words or separators here, so no input can change
the query's structure or raise an error. Each backend turns a `ParsedQuery` into its own
syntax from these clean tokens only.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# Words so common that requiring them only costs time ("how to ask for help"), and the
# words a question is asked with ("how do I…", "should I…"), which say nothing of what
# is asked.
STOP_WORDS = frozenset(
    """a am an and are as at be been but by can could did do does for from has have he her
    his how i if in into is it its me my no not of on or our she should so than that the
    their them then there these they this to was we were what when where which who why
    will with would you your""".split()
)
TOKEN = re.compile(r"\w+")
# "can't", "I'm", "they’re": one word of a question, not a request for two words together.
CONTRACTION = re.compile(r"\w+['’]\w+")
PIECE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)  # each required, matched as a prefix
    phrases: list[list[str]] = field(default_factory=list)  # each required, in order
    excluded: list[list[str]] = field(default_factory=list)  # none may match
    any_word: bool = False  # one of the words is enough (see `loosened`)

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases)

    @property
    def all_tokens(self) -> list[str]:
        return [*self.words, *(t for phrase in self.phrases for t in phrase)]

    def loosened(self) -> "ParsedQuery":
        """Any one of the words, phrases taken apart: inside a chapter that says them all,
        this finds the lines that say some when no line says every one (a phrase split
        between two captions, words a sentence apart)."""
        content = [t for t in self.all_tokens if t not in STOP_WORDS] or self.all_tokens
        return ParsedQuery(
            words=_unique(content)[:MAX_TERMS], excluded=self.excluded, any_word=True
        )


def tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN.findall(text.replace("_", " "))]


def repeated_words(text: str, longest: int) -> list[tuple[str, int]]:
    """(word, how often) of each content word a line says more than once."""
    counts = Counter(t for t in tokens(text) if t not in STOP_WORDS and 2 < len(t) <= longest)
    return sorted((word, n) for word, n in counts.items() if n > 1)


def parse_query(text: str) -> ParsedQuery:
    text = (text or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
    words, phrases, excluded, contractions = [], [], [], []
    for match in PIECE.finditer(text):
        quoted_minus, quoted, minus, bare = match.groups()
        if quoted is not None:
            found, negative, exact = tokens(quoted), bool(quoted_minus), True
        else:
            found, negative, exact = tokens(bare), bool(minus) and bare != "-", False
        if not found:
            continue
        if negative:
            excluded.append(found)
        elif not exact and CONTRACTION.fullmatch(bare):
            # Said as often as a stop word, and as little of what is asked: required only
            # when the query holds nothing else ("don't" alone is still searched for).
            contractions.append(found)
        elif exact or len(found) > 1:
            # "foo:bar" or "a*b" is what the text says literally: those words together.
            phrases.append(found)
        else:
            words.append(found[0])
    content = [w for w in words if w not in STOP_WORDS]
    if content or phrases:
        words = content
    elif contractions:
        words, phrases = [], contractions
    return ParsedQuery(
        words=_unique(words)[:MAX_TERMS],
        phrases=phrases[:MAX_TERMS],
        excluded=excluded[:MAX_TERMS],
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
