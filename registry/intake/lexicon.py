"""The word lists the rules read by: family names, words that begin a title or a body, titles, connectors.

Kept apart from the rules so that a list can grow without a rule changing; each is written as Vietnamese texts print
it (or folded, where it is compared folded).
"""

from registry.text import fold

#: The commonest Vietnamese family names (họ), as written.
_FAMILY = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Lâm Phùng Mai "
    "Tô Hà Tạ Cao Lương Quách Thái Châu Chu Đinh Lưu Từ Kiều Hứa Mạc Nghiêm Tăng Thân Triệu Lại Khúc Giang La Âu Doãn "
    "Đàm Kim Quan Tôn Viên Ninh Lục Hàn Phí Bạch Tiêu Thạch Nông Diệp Lữ Lò Hầu Khổng Cù Trình Mẫn Chung Bế Hoa Đường "
    "Yên Sầm Lạc Mã Thiều Ưng Nhan Tống Đậu Giáp Lã Đổng"
)
FAMILY_NAMES = frozenset(_FAMILY.split())
#: Capitalised words that begin a title, a body or a clause, lower-cased with their accents: never a syllable of a
#: name, so a run stops before them. Accents count: "Thứ" (trưởng) stops a name, "Thu" (a given name) does not.
_NOT_NAME = (
    "Chủ Phó Giám Trưởng Bộ Sở Ủy Uỷ Ban Thứ Thủ Bí Tổ Chánh Viện Vụ Đảng UBND HĐND TP Tỉnh Quận Huyện Phường Xã "
    "Ông Bà Đồng Thành Hội Trung Cục Chi Văn Phòng Kế Tổng Đại Thường Quyết Điều Nghị Cơ Ảnh Sáng Chiều Tối Tại "
    "Theo Cùng Sau Trước Ngày"
)
NOT_NAME = frozenset(word.lower() for word in _NOT_NAME.split())
#: Syllables that may follow the family name even though they begin titles elsewhere ("Nguyễn Văn", "Lê Thành").
MIDDLE_OK = frozenset({"van", "thanh", "trung", "hoi", "thuong", "dai", "to", "chi", "tong", "dong", "pho"})
#: Capitalised phrases that look like names and are places.
PLACES = frozenset({"ho chi minh", "hoang sa", "truong sa", "ha noi", "phan thiet", "vu tau", "ba ria"})

#: Titles of Vietnamese administration and the party, folded; the registry's own post labels are added.
_TITLES = (
    "Chủ tịch, Phó Chủ tịch, Phó Chủ tịch Thường trực, Trưởng ban, Phó Trưởng ban, Phó Trưởng ban Thường trực, "
    "Giám đốc, Phó Giám đốc, Tổng Giám đốc, Phó Tổng Giám đốc, Bí thư, Phó Bí thư, Phó Bí thư Thường trực, "
    "Thủ tướng, Phó Thủ tướng, Bộ trưởng, Thứ trưởng, Ủy viên, Ủy viên Thường vụ, Ủy viên Ban Thường vụ, "
    "Thành viên, Tổ trưởng, Tổ phó, Chánh Văn phòng, Phó Chánh Văn phòng, Chánh Thanh tra, Phó Chánh Thanh tra, "
    "Viện trưởng, Phó Viện trưởng, Vụ trưởng, Phó Vụ trưởng, Cục trưởng, Phó Cục trưởng, Trưởng phòng, "
    "Phó Trưởng phòng, Chủ nhiệm, Phó Chủ nhiệm, Tổng Thư ký, Thư ký, Hiệu trưởng, Phó Hiệu trưởng"
)
TITLES = tuple(fold(title) for title in _TITLES.split(", "))
#: Lower-case words that end a body's name as written ("Sở Y tế kể từ …", "Sở Xây dựng sau khi …"); accents count:
#: "tại" ends it, "vận tải" does not.
_CONNECTORS = (
    "làm giữ là phụ kể từ thay đối nhiệm và được cho phát để tham trao cùng cũng tại với nghỉ thôi thời theo kiêm sau "
    "trước do nhằm gồm như đến"
)
CONNECTORS = frozenset(_CONNECTORS.split())
#: Honorifics that stand before a name.
HONORIFICS = ("ông", "bà", "đồng chí", "đ/c")
#: Words after "và" that begin like a body's head word and are not one ("và Xã hội": society, not a commune).
JOINED_NOT_HEADS = frozenset({"xã hội"})
