"""How advice is said, and what is never advice: the cue words and phrases, the intro,
the outro, sponsor reads and the host's turns."""

import re

from kb.importers.documents import Segment
from kb.importers.drafts.talk import Sentence, Talk

# A takeaway: its sentence (or two) between these, in words.
TAKEAWAY_MIN_WORDS = 6
TAKEAWAY_MAX_WORDS = 55
# A word this long is not speech (a pasted hash, a 100,000-letter "word").
LONG_WORD = 30
MIN_TAKEAWAYS = 2
MAX_TAKEAWAYS = 5
# A sentence is a takeaway from this score (cues, centrality) on.
TAKEAWAY_SCORE = 1.0
CENTRALITY_WEIGHT = 1.5
# Two takeaways this close in meaning are one said twice: the second is left out.
SAME_MEANING = 0.9
# A quote: the key sentence and what follows it in the same turn, up to this many words.
QUOTE_WORDS = 60
TITLE_WORDS = (3, 9)
# How far into a talk the host's welcome may come (the intro is what precedes it), and
# from how far on an outro may start (a share of the talk).
INTRO_SECONDS = 600.0
OUTRO_FROM = 0.5
# A sponsor read runs from its opening words to its last call to action within this.
SPONSOR_SECONDS = 120.0


def _words(*phrases: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# Advice, by how it is said. Strong: a piece of advice is being given.
STRONG_CUES = _words(
    r"you (?:really |just |always |absolutely |also |still |definitely )?(?:should|shouldn'?t|"
    r"need|have to|must|gotta|got to|ought to|want to make sure|don'?t want to|can'?t)",
    r"i want you to", r"you want to (?:be|make|have|find|get|do|think|go|start|ask|build)",
    r"(?:is|are) to (?:start|ask|find|be|build|make|do|get|go|focus|think|write|learn|take)",
    r"(?:the )?number one (?:thing|is|reason|mistake)",
    r"my (?:biggest |best |main |one )?(?:advice|recommendation|suggestion|tip)",
    r"the (?:key|trick|secret|lesson|answer) (?:is|here is|there is)",
    r"make sure", r"what i(?:'d| would) (?:tell|say to|recommend|suggest|encourage)",
    r"i(?:'d| would) (?:recommend|suggest|encourage|advise|tell)",
    r"i (?:always |often )?(?:recommend|suggest|encourage|advise|tell people|tell folks)",
    r"the (?:best|most important|biggest|first|one|main|key) (?:thing|way|lesson|advice|"
    r"mistake|one|piece)",
    r"(?:it'?s|it is) (?:really |so |super )?(?:important|critical|essential|crucial|key) to",
    r"don'?t (?:be|let|wait|try|just|ever|assume|forget|underestimate|worry|take)",
    r"(?:step|rule|principle) (?:one|two|three|four|five|number \w+|\d)",
    r"if you (?:want|wanna|are trying|'re trying|hope) to",
    r"the way (?:to|you) (?:do|get|think|build|grow|handle|approach)",
)  # fmt: skip
# Weaker: talk about what the listener can do, or what the speaker learned.
WEAK_CUES = _words(
    r"you can", r"you'll", r"you will", r"you'?re going to", r"if you", r"your (?:manager|boss|"
    r"career|team|job|company|goal|work|skills?|peers|network|role)",
    r"try to", r"focus on", r"think about", r"remember", r"never", r"always",
    r"i learned", r"i realized", r"what i (?:learned|found)", r"the lesson",
    r"the reason", r"what matters", r"people who", r"the people", r"most people",
    r"great (?:managers|leaders|engineers|people)", r"instead of", r"rather than",
    r"what i do is", r"i try to", r"the way i", r"how i (?:think|approach)",
    r"people (?:don'?t|should|need|tend to|often|forget)", r"it might (?:actually )?mean",
    r"(?:it'?s|that'?s) (?:a|the) (?:great|good|best|better|right|wrong) way",
    r"(?:is|are) (?:really )?(?:important|critical|essential|crucial|key)",
)  # fmt: skip
# A sentence that starts with one of these (after "so", "and"…) is an imperative.
IMPERATIVE = re.compile(
    r"^(?:(?:so|and|but|then|now|just|really|also|first|second|third|finally|instead)[,]?\s+)*"
    r"(?:ask|be|build|do|don'?t|find|focus|get|give|go|keep|know|learn|let(?! me\b|'s\b| us\b)|"
    r"look|make|never|always|pick|put|remember|spend|start|stop|take|talk|tell|think|try|use|write|show|"
    r"treat|avoid|choose|figure|work|stay|set|seek|create|practice|practise|prepare|read|"
    r"reach|share|surround|invest|own|embrace|accept|assume|understand|hire|say|send|"
    r"follow|lean|aim|optimize|prioritize|protect|document|measure|negotiate|call|"
    r"celebrate|admit|apologize|listen|notice|plan|schedule|volunteer|offer|help|bring|"
    r"define|decide|drop|earn|expect|explain|frame|imagine|join|meet|push|raise|review|"
    r"simplify|test|trust|check|come)\b",
    re.IGNORECASE,
)
# "Step two is ask your boss…", "the first one is you have to…": advice in a list.
LISTED = re.compile(
    r"\b(?:step|rule|thing|one|part) (?:\w+ )?is (?:to |that )?(?:you (?:have to|need to|"
    r"should) )?\w+", re.IGNORECASE
)  # fmt: skip
# A procedure told to the listener ("then you go back to your manager and say…"), or the
# speaker's own habit ("I work backwards from…"): advice in the present tense.
PROCEDURE = re.compile(
    r"^(?:(?:so|and|then|now|but|first|next|after that)[,]?\s+)*"
    r"(?:you\s+(?:always\s+|usually\s+|just\s+|then\s+)?|"
    r"i\s+(?:always|usually|typically|often|try to)\s+)"
    r"(?:go|ask|say|tell|take|write|find|start|make|build|send|pick|set|put|sit|call|reach|"
    r"work|try|look|read|spend|share|create|get|bring|pull|list|think|focus|practice|"
    r"practise|prepare|follow|keep|give|show)\b",
    re.IGNORECASE,
)
PROCEDURE_WEIGHT = 0.5
# Telling a story rather than advising: the speaker's own past.
STORY = _words(
    r"i was", r"we were", r"i went", r"we went", r"he said", r"she said", r"they said",
    r"i remember", r"i had", r"we had", r"i got", r"i joined", r"i started", r"i didn'?t",
    r"back then", r"at the time", r"years ago",
)  # fmt: skip
# Not advice whoever says it.
SMALL_TALK = re.compile(
    r"^(?:\W*(?:yeah|yes|yep|no|right|exactly|totally|absolutely|definitely|sure|okay|ok|"
    r"great|awesome|amazing|wow|cool|nice|interesting|thank you|thanks|good question|"
    r"great question|i love that|that'?s (?:great|funny|awesome|amazing|interesting|true|"
    r"right|fair)|oh)\b)+\W*$|\bthank(?:s| you)\b.{0,40}\b(?:having me|for coming|for joining|"
    r"for being here|so much)\b|\b(?:great|good|fun|interesting) question\b",
    re.IGNORECASE,
)
SPONSOR_START = _words(
    r"brought to you by",
    r"(?:is|are) sponsored by",
    r"today'?s sponsor",
    r"our sponsors?",
    r"a (?:short |quick )?word from",
    r"let me tell you about",
    r"this episode is",
    r"thanks to (?:our|today'?s)",
    r"support(?:s|ed)? (?:the|this) (?:show|podcast)",
)
SPONSOR = re.compile(
    r"\b(?:promo code|use (?:the )?code|discount code|% off|percent off|free trial|"
    r"sign up (?:at|today|now)|get started (?:at|today|for free)|visit \S+\.\w{2,}|"
    r"go to \S+\.\w{2,}|\w+\.(?:com|io|ai|co|org)/\w+|head (?:over )?to \S+\.\w{2,}|"
    r"(?:is|are) sponsored by|brought to you by)",
    re.IGNORECASE,
)
# The host welcoming the guest: what comes before it is the intro (a teaser of the guest's
# best lines, the host's introduction, sponsors).
WELCOME = _words(
    r"welcome (?:to|back to) (?:the|my|our) (?:show|podcast|episode|program)",
    r"thank you (?:so much )?for (?:being here|coming|joining|doing this|making the time)",
    r"thanks (?:so much )?for (?:being here|coming|joining|doing this)",
    r"my guest (?:today )?is", r"today'?s guest", r"today my guest",
)  # fmt: skip
OUTRO = _words(
    r"lightning round", r"where can (?:folks|people|listeners|they|we|our listeners) "
    r"(?:find|follow|reach)", r"how can (?:listeners|folks|people) be (?:useful|helpful)",
    r"before we (?:go|wrap|end)", r"that'?s (?:all|it) for (?:today|this episode)",
    r"thanks (?:so much )?for listening", r"thank you (?:so much )?for listening",
)  # fmt: skip
# Fillers taken out of a takeaway; words a title may not end on.
LEADING = re.compile(
    r"^(?:(?:so|and|but|yeah|yes|well|okay|ok|right|look|now|like|basically|honestly|"
    r"um+|uh+|oh|i mean|you know|and so|so yeah|anyway|actually|again|plus|also)\b[,.]?\s+)+",
    re.IGNORECASE,
)
FILLER = re.compile(r",?\s*\b(?:you know|i mean|um+|uh+|erm|uh-huh)\b,?(?=\s|[.?!]|$)", re.I)
HEDGE = re.compile(
    r"(^|[,;:]\s*|\b(?:and|but|so|that|because)\s+)"
    r"(?:i (?:do |really )?(?:think|guess|feel like|believe)|i(?:'d| would) (?:say|argue))"
    r"(?: that)?,?\s+",
    re.IGNORECASE,
)
KIND_OF = re.compile(r"(\b\w+\b\s+)(?:kind|sort) of\s+(?=\w)", re.IGNORECASE)
KIND_OF_NOUN = {"what", "this", "that", "the", "a", "any", "some", "which", "every", "one",
                "same", "different", "these", "those", "other", "all", "right", "new"}  # fmt: skip
REPEATED = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.IGNORECASE)
ENDS_WEAK = {
    "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with",
    "by", "from", "as", "that", "which", "who", "is", "are", "was", "be", "your", "my", "their",
    "our", "his", "her", "its", "this", "these", "those", "if", "when", "than", "then", "it",
    "you", "i", "we", "they", "just", "really", "very", "not", "do", "can", "will", "would",
    "about", "into", "like", "get", "have", "has", "had", "what", "how", "because",
    "say", "tell", "make", "know", "think", "go", "want", "need", "more", "some", "any",
    "maybe", "actually", "kind", "sort", "lot",
}  # fmt: skip
# Openers a title does without: "you should X" is "X".
TITLE_OPENER = re.compile(
    r"^(?:(?:the )?(?:\w+ )?(?:step|thing|one|rule|part) (?:\w+ )?is (?:to |that )?|"
    r"you (?:really |just |always |also )?(?:should|need to|have to|must|gotta|ought to|"
    r"want to)\s+|(?:it'?s|it is) (?:really |so )?(?:important|critical|key|essential) "
    r"(?:to|that you)\s+|the key is (?:to )?|my advice (?:is|would be) (?:to )?|"
    r"i(?:'d| would) (?:recommend|suggest|encourage|tell|say)(?: (?:people|folks|you))?"
    r"(?: to)?\s+|(?:really|just|actually|definitely|probably|basically)\s+|"
    r"i (?:really )?want you to\s+|i (?:always )?(?:tell|ask) (?:people|folks|them) "
    r"(?:to\s+)?|(?:one of the|the) (?:things|tactics|ideas)(?: that)? i (?:tell people |"
    r"like to share )?is (?:that )?|what i ask (?:people|you) to do is\s+|"
    r"you(?:'ve| have)? got to\s+|you gotta\s+|make sure (?:that )?you\s+)+",
    re.IGNORECASE,
)
# A title's first word that leans on what came before, or tells rather than advises.
LEANS_ON = {
    "if", "when", "then", "and", "but", "so", "because", "we", "i", "he", "she", "they", "it",
    "that", "this", "there", "to", "at", "in", "on", "for", "of", "which", "who", "what",
    "where", "let's", "or", "as", "once", "while", "until", "those", "these", "his", "her",
    "my", "our", "their", "i'm", "we're", "they're", "he's", "she's", "it's", "that's", "i've",
    "we've", "said", "like", "even", "also", "just", "maybe", "now", "here", "how", "why",
    "is", "are", "was", "were", "let", "called", "you'll", "you're", "you've", "do", "does",
}  # fmt: skip
# A title is drawn from the passage's best sentences: at most this many.
TITLE_SENTENCES = 8
CLAUSE = re.compile(r"\s*(?:,(?!\d)|[;:—–]|\s-\s|\.\.\.|…|\.|\?|!)\s*|\s+(?=(?:because|but|so that|"
                    r"which|whereas|although|though|and then|and so|unless|until|where)\b)",
                    re.IGNORECASE)  # fmt: skip
GENERIC_CHAPTER = re.compile(
    r"^\W*(?:(?:part|chapter|section|segment|episode|clip|video)\s*\d*|\d+|untitled|"
    r"no title)\W*$",
    re.IGNORECASE,
)


def _role(sentence: Sentence, talk: Talk) -> str:
    if sentence.speaker in talk.hosts:
        return "host"
    if sentence.speaker in talk.guests:
        return "guest"
    return ""


def mark_not_advice(sentences: list[Sentence], talk: Talk) -> None:
    """Mark what is never advice: the host's turns (where speakers are known), sponsor
    reads, the intro before the host's welcome, the outro from a lightning round or a
    "where can folks find you" on."""
    known = any(s.speaker for s in sentences)
    end = sentences[-1].end
    # The intro: up to the host's last welcome in the first minutes (in a transcript that
    # names nobody, anyone's, in a shorter stretch).
    reach = INTRO_SECONDS if known else INTRO_SECONDS / 2
    intro_end = -1
    for n, s in enumerate(sentences):
        if s.start > reach:
            break
        if WELCOME.search(s.text) and (not known or _role(s, talk) != "guest"):
            intro_end = n
    if intro_end >= 0:
        # The welcome's own turn, to its end.
        turn = sentences[intro_end].turn
        while intro_end + 1 < len(sentences) and sentences[intro_end + 1].turn == turn:
            intro_end += 1
        for s in sentences[: intro_end + 1]:
            s.excluded = "intro"
    for n, s in enumerate(sentences):
        if s.start >= end * OUTRO_FROM and OUTRO.search(s.text) and _role(s, talk) != "guest":
            for later in sentences[n:]:
                later.excluded = "outro"
            break
    _mark_sponsors(sentences, talk)
    if known:
        for s in sentences:
            s.host = _role(s, talk) == "host"
            if s.host and not s.excluded:
                s.excluded = "host"


def _mark_sponsors(sentences: list[Sentence], talk: Talk) -> None:
    """A sponsor read: from its opening words to its last call to action within
    SPONSOR_SECONDS; a host's turn that reads one, whole."""
    n = 0
    while n < len(sentences):
        s = sentences[n]
        if not (SPONSOR_START.search(s.text) or SPONSOR.search(s.text)):
            n += 1
            continue
        last = n
        for m in range(n + 1, len(sentences)):
            if sentences[m].start - s.start > SPONSOR_SECONDS:
                break
            if SPONSOR.search(sentences[m].text) or SPONSOR_START.search(sentences[m].text):
                last = m
        if _role(s, talk) == "host" or not s.speaker:
            first = n
            while first > 0 and s.speaker and sentences[first - 1].turn == s.turn:
                first -= 1
            while (
                last + 1 < len(sentences)
                and s.speaker
                and sentences[last + 1].turn == (sentences[last].turn)
            ):
                last += 1
        else:
            first = n
        for each in sentences[first : last + 1]:
            if each.excluded != "intro":
                each.excluded = "sponsor"
        n = last + 1


def advice_score(text: str) -> float:
    """How much a sentence sounds like advice: from its cues alone."""
    body = LEADING.sub("", text)
    score = 0.0
    strong = len(STRONG_CUES.findall(text))
    score += min(strong, 2) * 1.0
    if IMPERATIVE.match(body):
        score += 1.0
    elif PROCEDURE.match(body):
        score += PROCEDURE_WEIGHT
    if LISTED.search(text):
        score += 0.5
    score += min(len(WEAK_CUES.findall(text)), 3) * 0.3
    score -= min(len(STORY.findall(text)), 3) * 0.3
    return score


# Words that open a sponsor read: a sponsor named, or the host turning to one.
SPONSOR_NAMED = re.compile(r"\b(?:brought to you by|(?:is|are) sponsored by)\b", re.IGNORECASE)
SPONSOR_OPENS = re.compile(
    r"\b(?:a (?:short |quick )?word from|today'?s sponsor|our sponsors?|let me tell you about "
    r"(?:a|our|another) (?:product|company|tool|app|service|sponsor))\b",
    re.IGNORECASE,
)


def sponsor_reads(segments: list[Segment]) -> set[int]:
    """The segments of a talk's sponsor reads: from words that name a sponsor ("brought
    to you by") or turn to one ("let me tell you about a product") to the last call to
    action or sponsor named ("promo code", "go to x.com") within SPONSOR_SECONDS of it; a
    turn to a sponsor with nothing of the kind after it is taken as talk. Read across
    segment bounds: a caption line can cut a phrase in two."""
    ads: set[int] = set()
    said = [f"{s.text} {segments[i + 1].text}" if i + 1 < len(segments) else s.text
            for i, s in enumerate(segments)]  # fmt: skip

    def begins(pattern: re.Pattern, n: int) -> bool:  # in segment n, not only the next one
        found = pattern.search(said[n])
        return found is not None and found.start() < len(segments[n].text)

    i = 0
    while i < len(segments):
        named = begins(SPONSOR_NAMED, i)
        if not (named or begins(SPONSOR_OPENS, i)):
            i += 1
            continue
        last = min(i + 1, len(segments) - 1) if named else None
        for j in range(i + 1, len(segments)):
            if segments[j].start_seconds - segments[i].start_seconds > SPONSOR_SECONDS:
                break
            if SPONSOR.search(said[j]):
                last = min(j + 1, len(segments) - 1)
        if last is None:
            i += 1
            continue
        ads.update(range(i, last + 1))
        i = last + 1
    return ads
