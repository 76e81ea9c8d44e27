"""Names of people in a sentence: a run of capitalised syllables that starts with a Vietnamese family name.

A family name anchors the run ("Chủ tịch UBND TP.HCM Nguyễn Văn Được" finds "Nguyễn Văn Được"), and words that
begin a title or a body end it. The registry's own family names are added, so a name it holds is always found.
"""

import dataclasses
import re

from registry.choices import Honorific
from registry.text import fold

#: The commonest Vietnamese family names (họ), as written.
FAMILY_NAMES = frozenset(
    [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đào",
        "Đoàn",
        "Vương",
        "Trịnh",
        "Trương",
        "Lâm",
        "Phùng",
        "Mai",
        "Tô",
        "Hà",
        "Tạ",
        "Cao",
        "Lương",
        "Quách",
        "Thái",
        "Châu",
        "Chu",
        "Đinh",
        "Lưu",
        "Từ",
        "Kiều",
        "Hứa",
        "Mạc",
        "Nghiêm",
        "Tăng",
        "Thân",
        "Triệu",
        "Lại",
        "Khúc",
        "Giang",
        "La",
        "Âu",
        "Doãn",
        "Đàm",
        "Kim",
        "Quan",
        "Tôn",
        "Viên",
        "Ninh",
        "Lục",
        "Hàn",
        "Phí",
        "Bạch",
        "Tiêu",
        "Thạch",
        "Nông",
        "Diệp",
        "Lữ",
        "Lò",
        "Hầu",
        "Khổng",
        "Cù",
        "Trình",
        "Mẫn",
        "Chung",
        "Bế",
        "Hoa",
        "Đường",
        "Yên",
        "Sầm",
        "Lạc",
        "Mã",
        "Thiều",
        "Ưng",
        "Nhan",
        "Tống",
        "Đậu",
        "Giáp",
        "Lã",
        "Đổng",
    ]
)
#: Capitalised words that begin a title or a body: never a syllable of a name, so a run stops before them.
_NOT_NAME = frozenset(
    fold(word)
    for word in [
        "Chủ",
        "Phó",
        "Giám",
        "Trưởng",
        "Bộ",
        "Sở",
        "Ủy",
        "Uỷ",
        "Ban",
        "Thứ",
        "Thủ",
        "Bí",
        "Tổ",
        "Chánh",
        "Viện",
        "Đảng",
        "UBND",
        "HĐND",
        "TP",
        "Tỉnh",
        "Quận",
        "Huyện",
        "Phường",
        "Xã",
        "Ông",
        "Bà",
        "Đồng",
        "Thành",
        "Hội",
        "Trung",
        "Cục",
        "Chi",
        "Văn",
        "Phòng",
        "Kế",
        "Tổng",
        "Đại",
        "Thường",
        "Quyết",
        "Điều",
        "Nghị",
        "Cơ",
        "Ảnh",
        "Sáng",
        "Chiều",
        "Tối",
    ]
)
#: Syllables that may follow the family name even though they begin titles elsewhere ("Nguyễn Văn", "Lê Thành").
_MIDDLE_OK = frozenset({"van", "thanh", "trung", "hoi", "thuong", "dai", "to", "chi", "tong", "dong", "pho"})
#: Capitalised phrases that look like names and are places.
_PLACES = frozenset({"ho chi minh", "hoang sa", "truong sa", "ha noi", "phan thiet", "vu tau", "ba ria"})
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HONORIFIC = re.compile(r"\b(ông|bà|đồng chí|đ/c)\s*$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Name:
    """A person named in a sentence: the name as written, where it stands, and ông/bà if the text says so."""

    text: str
    start: int
    end: int
    honorific: str = ""


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper() or len(word) <= 2)


def find(sentence: str, family_names: frozenset[str] | set[str] = frozenset()) -> list[Name]:
    """Every name in ``sentence``, in order."""
    families = FAMILY_NAMES | family_names
    words = list(_WORD.finditer(sentence))
    names, index = [], 0
    while index < len(words):
        word = words[index]
        if word.group() not in families or not _capitalised(word.group()):
            index += 1
            continue
        run = [word]
        for following in words[index + 1 : index + 5]:
            gap = sentence[run[-1].end() : following.start()]
            text = following.group()
            stop = fold(text) in _NOT_NAME and not (len(run) < 3 and fold(text) in _MIDDLE_OK)
            if gap != " " or not _capitalised(text) or stop:
                break
            run.append(following)
        start, end = run[0].start(), run[-1].end()
        text = sentence[start:end]
        if len(run) >= 2 and fold(text) not in _PLACES and not sentence[end : end + 1].isdigit():
            before = _HONORIFIC.search(sentence[max(0, start - 12) : start])
            honorific = ""
            if before and fold(before.group(1)) in ("ong", "ba"):
                honorific = Honorific.ONG if fold(before.group(1)) == "ong" else Honorific.BA
            names.append(Name(text, start, end, honorific))
        index += len(run)
    return names
