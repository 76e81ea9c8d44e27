"""Posts named in a sentence: a title ("Phó Giám đốc", "Trưởng ban") and the body after it, matched to the registry.

The body is the longest registry name the words after the title begin with ("Chủ tịch UBND TP.HCM Nguyễn …": UBND
TP.HCM). A title without a body ("làm Phó trưởng ban") belongs to the body the document is about: the one it names
that has such a post, the latest named first. Two posts of one title in one body are told apart by portfolio.
"""

import dataclasses
import functools
import re

from registry.intake.catalogue import Catalogue, canon
from registry.intake.segments import Segment
from registry.models import Organization, Post
from registry.text import fold

#: Titles of Vietnamese administration and the party, folded; the registry's own post labels are added.
TITLES = (
    "chu tich",
    "pho chu tich",
    "pho chu tich thuong truc",
    "truong ban",
    "pho truong ban",
    "pho truong ban thuong truc",
    "giam doc",
    "pho giam doc",
    "tong giam doc",
    "pho tong giam doc",
    "bi thu",
    "pho bi thu",
    "pho bi thu thuong truc",
    "thu tuong",
    "pho thu tuong",
    "bo truong",
    "thu truong",
    "uy vien",
    "uy vien thuong vu",
    "uy vien ban thuong vu",
    "thanh vien",
    "to truong",
    "to pho",
    "chanh van phong",
    "pho chanh van phong",
    "chanh thanh tra",
    "pho chanh thanh tra",
    "vien truong",
    "pho vien truong",
    "truong phong",
    "pho truong phong",
    "chu nhiem",
    "pho chu nhiem",
    "tong thu ky",
    "hieu truong",
    "pho hieu truong",
    "cuc truong",
    "pho cuc truong",
    "thu ky",
)
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
        if _TAIL_STOP.search(segment.text[words[-1].end() if words else at : word.start()]):
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
    for word in words:
        if not word.group()[:1].isupper() and not written:
            break
        if not word.group()[:1].isupper() and fold(word.group()) in _CONNECTORS:
            break
        written.append(word)
    if written and written[0].group()[:1].isupper():
        name = segment.text[written[0].start() : written[-1].end()].rstrip(".")
        return [], name, written[0].start() + len(name)
    return [], "", at


_CONNECTORS = frozenset(
    [
        "lam",
        "giu",
        "la",
        "phu",
        "ke",
        "tu",
        "thay",
        "doi",
        "nhiem",
        "va",
        "duoc",
        "cho",
        "phat",
        "de",
        "tham",
        "trao",
        "cung",
        "tai",
        "voi",
        "nghi",
        "thoi",
        "theo",
        "kiem",
    ]
)


def _choose(candidates: list[Post], segment: Segment) -> Post:
    if len(candidates) > 1:
        sentence = canon(segment.text)
        covered = [post for post in candidates if post.portfolio and canon(post.portfolio.name) in sentence]
        if covered:
            return covered[0]
    return candidates[0]


def find(segment: Segment, catalogue: Catalogue, context: dict, names: list) -> list[Mention]:
    """The posts ``segment`` names, each with its body and, when the registry holds it, its post.

    ``context`` maps the ids of the bodies the document names to where it last names them; ``names`` are the
    people of the sentence (a body's name stops where a name begins).
    """
    mentions = []
    for match in _title_pattern(catalogue).finditer(segment.folded):
        label_key = canon(match.group())
        stop = min([name.start for name in names if name.start >= match.end()] + [len(segment.text)])
        bodies, written, end = _body_after(segment, match.end(), match.group(), catalogue, stop)
        label = segment.text[match.start() : match.end()]
        mention = Mention(label, match.start(), max(end, match.end()), bodies, written)
        posts = catalogue.posts_by_label.get(label_key, [])
        if bodies:
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
