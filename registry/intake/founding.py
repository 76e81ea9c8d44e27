"""The bodies a text sets up: "Thành lập Ban Chỉ đạo …", "Kiện toàn Tổ công tác …", "Thành phần Hội đồng … gồm".

A decision that founds or reshapes a committee names it once, then gives its members their roles bare ("làm Trưởng
ban", "Tổ phó", "Chủ tịch Hội đồng"): those roles are the committee's. Its name runs from the head word (Ban, Tổ,
Hội đồng …) to what ends a name in such a sentence (", gồm", " như sau", ":", "(", the sentence's end); the comma of
"phòng, chống" is part of it.
"""

import dataclasses
import re

from registry.intake.catalogue import Catalogue, canon
from registry.intake.segments import fold_chars

_FOUNDS = re.compile(
    r"\b(?:thanh lap|kien toan|cung co|thanh phan|bo sung thanh vien|dieu chinh thanh vien)\s+(?:cua\s+)?"
    r"(?=(tieu ban|ban|to|hoi dong|doan)\s)"
)
_END = re.compile(r",?\s+gom\b|\s+nhu sau\b|[:;(]|\.(?:\s|$)|,(?!\s+chong\b)")
#: What ends the name in the text itself: a line's end, and words matched with their accents ("tại", not "thiên
#: tai"; "để", not "Đề án").
_END_WORDS = re.compile(r"\n|\s+(?:theo|để|tại|do|trên|với)\s")
#: Which bare titles belong to a body of each head word (folded).
ROLES = {
    "ban": {"truong ban", "pho truong ban", "pho truong ban thuong truc", "uy vien", "thanh vien", "thu ky"},
    "tieu ban": {"truong tieu ban", "pho truong tieu ban", "uy vien", "thanh vien", "thu ky"},
    "to": {"to truong", "to pho", "thanh vien", "thu ky"},
    "hoi dong": {"chu tich", "pho chu tich", "pho chu tich thuong truc", "uy vien", "thanh vien", "thu ky"},
    "doan": {"truong doan", "pho truong doan", "thanh vien", "thu ky"},
}


@dataclasses.dataclass(frozen=True)
class Founded:
    """A body the text sets up: its name as written, where it is named, its head word, and the registry's match."""

    name: str
    at: int
    head: str
    bodies: tuple = ()

    def takes(self, title: str, written: str) -> bool:
        """Whether a title (folded, canonical) with ``written`` after it ("", or the bare head) is this body's."""
        bare = not written or canon(written) in (self.head, canon(self.name))
        return bare and title in ROLES[self.head]


def founded(text: str, catalogue: Catalogue) -> list[Founded]:
    """The bodies ``text`` sets up, in the order it names them."""
    folded = fold_chars(text)
    found = []
    for match in _FOUNDS.finditer(folded):
        start = match.end()
        if not text[start : start + 1].isupper():
            continue
        ends = [end.start() for end in (_END.search(folded, start), _END_WORDS.search(text, start)) if end]
        name = text[start : min(ends, default=len(text))].strip().rstrip(".")
        if len(name.split()) >= 2:
            found.append(Founded(name, start, match.group(1), tuple(catalogue.bodies_named(name))))
    return found


def at(bodies: list[Founded], position: int) -> Founded | None:
    """The body set up last before ``position`` (the first one, for the lines before any)."""
    before = [body for body in bodies if body.at <= position]
    return before[-1] if before else (bodies[0] if bodies else None)
