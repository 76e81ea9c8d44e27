"""Posts named in a sentence: a title ("Phó Giám đốc", "Trưởng ban") and the body after it, matched to the registry.

The body is the longest registry name the words after the title begin with ("Chủ tịch UBND TP.HCM Nguyễn …": UBND
TP.HCM). A title without a body ("làm Phó trưởng ban") belongs to the body the document is about: the one it names
that has such a post, the latest named first. Two posts of one title in one body are told apart by portfolio.
"""

import dataclasses
import functools
import re

from registry.intake import lexicon
from registry.intake.catalogue import Catalogue, canon
from registry.intake.segments import Segment
from registry.models import Organization, Post
from registry.text import fold

TITLES = lexicon.TITLES
_TAIL_WORD = re.compile(r"[^\s,;:()\"“”]+")
_TAIL_STOP = re.compile(r"[,;:()\"“”]|\.(\s|$)")


@dataclasses.dataclass
class Mention:
    """A post named in a sentence: where its title and body stand, the body matched, and the post if one fits."""

    label: str
    start: int
    end: int
    organizations: list[Organization]
    organization_name: str
    post: Post | None = None


@functools.lru_cache(maxsize=32)
def _pattern(labels: frozenset[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _title_pattern(catalogue: Catalogue) -> re.Pattern:
    labels = {fold(post.label) for posts in catalogue.posts_by_label.values() for post in posts}
    return _pattern(frozenset({*TITLES, *labels}))


def _body_after(segment: Segment, at: int, label: str, catalogue: Catalogue, stop: int) -> tuple[list, str, int]:
    """The registry bodies the words at ``at`` name (longest first), the body's name as written, and where it ends."""
    words = []
    for word in _TAIL_WORD.finditer(segment.text, at, stop):
        gap = segment.text[words[-1].end() if words else at : word.start()]
        if _TAIL_STOP.search(gap) and not (words and gap == ", " and _enumerated(segment.text, word.start(), stop)):
            break
        words.append(word)
        if len(words) > catalogue.longest_body_name + 1:
            break
    prefixes = [""] + (["ban "] if label.split()[-1] == "ban" else [])
    for count in range(len(words), 0, -1):
        phrase = segment.text[words[0].start() : words[count - 1].end()].rstrip(".")
        for prefix in prefixes:
            bodies = catalogue.bodies_named(prefix + phrase)
            if bodies:
                return bodies, (prefix.title() + phrase), words[0].start() + len(phrase)
    written = []
    for index, word in enumerate(words):
        lower = not word.group()[:1].isupper()
        if lower and (not written or (word.group().lower() in lexicon.CONNECTORS and not _joins(words, index))):
            break
        if word.group() in "–-" and index + 1 < len(words) and words[index + 1].group().lower() in lexicon.NOT_NAME:
            break  # "Giám đốc Sở Y tế – Ủy viên": a role after a dash, not "Thi đua - Khen thưởng"
        written.append(word)
    if written and written[0].group()[:1].isupper():
        name = segment.text[written[0].start() : written[-1].end()].rstrip(".")
        return [], name, written[0].start() + len(name)
    return [], "", at


_ENUMERATED = re.compile(r"([^\W\d_]+)(?: [^\W\d_]+){0,3} và [A-ZĐ][^\W\d_]*(?: [^\W\d_]+){0,3}(?=[,;.)]|\s*$)")


def _enumerated(text: str, at: int, stop: int) -> bool:
    """Whether a comma at ``at`` runs on into one name that enumerates ("Sở Lao động, Thương binh và Xã hội")."""
    match = _ENUMERATED.match(text[:stop], at)
    return match is not None and match.group(1)[:1].isupper() and match.group(1).lower() not in lexicon.NOT_NAME


def _joins(words: list, index: int) -> bool:
    """Whether "và" at ``index`` joins two halves of one name ("Sở Văn hóa và Thể thao", "Khu chế xuất và công
    nghiệp TP.HCM"), not the body and what follows it ("… và ông A", "… và Phó Giám đốc …")."""
    if words[index].group().lower() != "và" or index + 1 >= len(words):
        return False
    following = words[index + 1].group()
    if following[:1].isupper():
        pair = " ".join(word.group().lower().rstrip(".") for word in words[index + 1 : index + 3])
        return following.lower() not in lexicon.NOT_NAME or pair in lexicon.JOINED_NOT_HEADS
    rest = []
    for word in words[index + 1 : index + 6]:
        if word.group().lower() in lexicon.CONNECTORS or word.group().lower() in lexicon.HONORIFICS:
            break
        rest.append(word.group())
    return bool(rest) and rest[-1].isupper() and len(rest[-1]) > 1


def _choose(candidates: list[Post], segment: Segment) -> Post:
    if len(candidates) > 1:
        sentence = canon(segment.text)
        covered = [post for post in candidates if post.portfolio and canon(post.portfolio.name) in sentence]
        if covered:
            return covered[0]
    return candidates[0]


def find(segment: Segment, catalogue: Catalogue, context: dict, names: list, founded=None) -> list[Mention]:
    """The posts ``segment`` names, each with its body and, when the registry holds it, its post.

    ``context`` maps the ids of the bodies the document names to where it last names them; ``names`` are the
    people of the sentence (a body's name stops where a name begins); ``founded`` is the body the document sets up
    (``founding.Founded``), whose bare roles ("làm Trưởng ban", "Chủ tịch Hội đồng") are its own.
    """
    mentions = []
    for match in _title_pattern(catalogue).finditer(segment.folded):
        label_key = canon(match.group())
        stop = min([name.start for name in names if name.start >= match.end()] + [len(segment.text)])
        bodies, written, end = _body_after(segment, match.end(), match.group(), catalogue, stop)
        label = segment.text[match.start() : match.end()]
        mention = Mention(label, match.start(), max(end, match.end()), bodies, written)
        posts = catalogue.posts_by_label.get(label_key, [])
        if not bodies and founded is not None and founded.takes(label_key, written):
            mention.organization_name, mention.organizations = founded.name, list(founded.bodies)
            fitting = [post for post in posts if post.organization in founded.bodies]
        elif bodies or written:
            fitting = [post for post in posts if post.organization in bodies]
        else:
            named = [post for post in posts if post.organization_id in context]
            latest = max((context[post.organization_id] for post in named), default=None)
            fitting = [post for post in named if context[post.organization_id] == latest]
        if fitting:
            mention.post = _choose(fitting, segment)
            mention.organizations = [mention.post.organization]
        mentions.append(mention)
    return mentions
