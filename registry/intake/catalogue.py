"""The registry's names, read once per call, and how a phrase of the text is matched to them.

Names are compared in a canonical form: folded (no accents, lower case), punctuation dropped, and the usual
abbreviations written one way: Ủy ban nhân dân = UBND, Hội đồng nhân dân = HĐND, TP.HCM = TPHCM = TP. Hồ Chí Minh =
Thành phố Hồ Chí Minh (and "Thành phố" alone: the registry is the city's, a decision's "UBND Thành phố" is its own).
"""

import dataclasses
import re
from collections import defaultdict

from registry.models import Organization, OtherName, Person, Post
from registry.text import fold

_ALIASES = [
    (re.compile(r"\buy ban nhan dan\b"), "ubnd"),
    (re.compile(r"\bhoi dong nhan dan\b"), "hdnd"),
    (re.compile(r"\bmat tran to quoc\b"), "mttq"),
    (re.compile(r"\b(?:thanh pho|t\.?p\.?)\s*(?:ho chi minh|hcm)\b|\btphcm\b"), " tphcm "),
    (re.compile(r"\bthanh pho\b|\btp\b"), " tphcm "),
]
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_CITY = " tphcm"


def canon(text: str) -> str:
    """The canonical form of a name: ``Ủy ban nhân dân TP. Hồ Chí Minh`` and ``UBND TPHCM`` are both ``ubnd tphcm``."""
    folded = fold(text)
    for pattern, replacement in _ALIASES:
        folded = pattern.sub(replacement, folded)
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", folded)).strip()


def _variants(name: str) -> set[str]:
    """The forms a body's name takes in texts: whole, without the city, and (for "Ban Chỉ đạo TP.HCM về …") the
    words before the city; "về" may be dropped ("Ban Chỉ đạo hội nhập quốc tế")."""
    whole = canon(name)
    forms = {whole, whole.replace(" ve ", " ")}
    if _CITY in f" {whole}":
        bare = _SPACES.sub(" ", f" {whole} ".replace(_CITY + " ", " ")).strip()
        before = f" {whole}".split(_CITY)[0].strip()
        forms |= {form for form in (bare, bare.replace(" ve ", " "), before) if len(form.split()) >= 2}
    return {form for form in forms if form}


@dataclasses.dataclass
class Catalogue:
    """What the registry calls its bodies, posts and people, indexed by canonical name."""

    organizations: dict[str, list[Organization]]
    posts_by_label: dict[str, list[Post]]
    people: dict[str, list[Person]]
    family_names: set[str]
    longest_body_name: int

    def bodies_named(self, phrase: str) -> list[Organization]:
        return self.organizations.get(canon(phrase), [])

    def person_named(self, name: str) -> Person | None:
        found = self.people.get(canon(name), [])
        return found[0] if len(found) == 1 else None

    def bodies_mentioned(self, text: str) -> dict[int, int]:
        """Each body the text names (any form), by id, with the position of its last mention in the canonical text."""
        whole = f" {canon(text)} "
        mentioned = {}
        for form, bodies in self.organizations.items():
            at = whole.rfind(f" {form} ")
            if at >= 0:
                for body in bodies:
                    mentioned[body.pk] = max(mentioned.get(body.pk, -1), at)
        return mentioned


def load() -> Catalogue:
    """Read the registry's names: four queries, whatever its size."""
    organizations = {body.pk: body for body in Organization.objects.all()}
    people = {person.pk: person for person in Person.objects.all()}
    names = defaultdict(list)
    for other in OtherName.objects.select_related("content_type").filter(content_type__app_label="registry"):
        names[(other.content_type.model, other.object_id)].append(other.name)

    by_form: dict[str, list[Organization]] = defaultdict(list)
    for body in organizations.values():
        for name in filter(None, [body.name, body.abbreviation, *names[("organization", body.pk)]]):
            for form in _variants(name):
                if body not in by_form[form]:
                    by_form[form].append(body)
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in people.values():
        for name in {canon(n) for n in [person.name, *names[("person", person.pk)]] if n}:
            by_name[name].append(person)
    posts: dict[str, list[Post]] = defaultdict(list)
    for post in Post.objects.select_related("portfolio").order_by("organization_id", "rank", "id"):
        post.organization = organizations[post.organization_id]
        posts[canon(post.label)].append(post)
    family = {person.name.split()[0] for person in people.values() if person.name.split()}
    return Catalogue(
        organizations=dict(by_form),
        posts_by_label=dict(posts),
        people=dict(by_name),
        family_names=family,
        longest_body_name=max((len(form.split()) for form in by_form), default=1),
    )
