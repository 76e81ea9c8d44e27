"""The synthetic registry's vocabulary: sizes, Vietnamese bodies, topics, duties and names it draws from."""

import datetime

REASON = "generate_registry"
DEFAULT_SEED = 20251215
BATCH_SIZE = 5000
#: Successions run over these twenty years; a term still running at the end stays open (a current holder).
SPAN_START = datetime.date(2006, 1, 1)
SPAN_END = datetime.date(2025, 12, 31)
#: Every generated record was "written" from this moment on, one millisecond apart (fixed: same seed, same rows).
GENERATED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
SYNTHETIC_NOTE = "Synthetic benchmark record made by generate_registry; not a real body."
SYNTHETIC_DATE_NOTE = "Synthetic benchmark document made by generate_registry; not a real document."

#: At --scale 1.0: provinces, bodies in each province, and people in all.
PROVINCES = 34
BODIES_PER_PROVINCE = 150
PEOPLE = 100_000

DEPARTMENTS = (
    ("Sở Nội vụ", "Department of Home Affairs"),
    ("Sở Tài chính", "Department of Finance"),
    ("Sở Công Thương", "Department of Industry and Trade"),
    ("Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("Sở Xây dựng", "Department of Construction"),
    ("Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("Sở Y tế", "Department of Health"),
    ("Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("Sở Tư pháp", "Department of Justice"),
    ("Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("Sở Giao thông vận tải", "Department of Transport"),
    ("Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    ("Sở Thông tin và Truyền thông", "Department of Information and Communications"),
    ("Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"),
    ("Sở Du lịch", "Department of Tourism"),
    ("Sở Quy hoạch - Kiến trúc", "Department of Planning and Architecture"),
    ("Sở An toàn thực phẩm", "Department of Food Safety"),
    ("Thanh tra tỉnh", "Provincial Inspectorate"),
    ("Ban Quản lý các khu công nghiệp", "Industrial Zones Authority"),
)
TOPICS = (
    ("hội nhập quốc tế", "international integration"),
    ("chuyển đổi số", "digital transformation"),
    ("cải cách hành chính", "administrative reform"),
    ("phòng, chống thiên tai", "disaster prevention"),
    ("phát triển du lịch", "tourism development"),
    ("xây dựng nông thôn mới", "new rural development"),
    ("giảm nghèo bền vững", "sustainable poverty reduction"),
    ("phòng, chống tham nhũng", "anti-corruption"),
    ("an toàn giao thông", "traffic safety"),
    ("phòng, chống dịch bệnh", "epidemic prevention"),
    ("thu hút đầu tư nước ngoài", "foreign investment"),
    ("phát triển kinh tế biển", "marine economy"),
    ("bảo vệ môi trường", "environmental protection"),
    ("khoa học, công nghệ và đổi mới sáng tạo", "science, technology and innovation"),
    ("phát triển nguồn nhân lực", "human resources development"),
    ("chống buôn lậu và gian lận thương mại", "anti-smuggling and trade fraud"),
    ("quy hoạch tỉnh", "provincial planning"),
    ("thông tin đối ngoại", "external information"),
    ("kinh tế tập thể", "collective economy"),
    ("cải cách tư pháp", "judicial reform"),
)
PORTFOLIOS = (
    ("kinh-te", "Kinh tế", "Economy"),
    ("van-hoa-xa-hoi", "Văn hóa - xã hội", "Culture and society"),
    ("chinh-tri-quoc-phong-an-ninh", "Chính trị, quốc phòng và an ninh", "Politics, defence and security"),
    ("do-thi-xay-dung", "Đô thị và xây dựng", "Urban affairs and construction"),
    ("nong-nghiep-moi-truong", "Nông nghiệp và môi trường", "Agriculture and environment"),
    ("khoa-hoc-cong-nghe", "Khoa học và công nghệ", "Science and technology"),
    ("doi-ngoai", "Đối ngoại", "External relations"),
    ("noi-chinh", "Nội chính", "Internal affairs"),
)
DUTIES = (
    ("tham mưu cho Ủy ban nhân dân tỉnh về lĩnh vực được giao", "advise the people's committee in its field"),
    ("xây dựng và tổ chức thực hiện kế hoạch hằng năm", "draw up and carry out the yearly plan"),
    ("phối hợp với các sở, ngành liên quan", "coordinate with the departments concerned"),
    ("kiểm tra, đôn đốc và báo cáo kết quả thực hiện", "inspect, urge and report on implementation"),
    ("tổng hợp kiến nghị của địa phương và doanh nghiệp", "collect proposals of localities and businesses"),
)
FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 1),
    ("Đinh", 1),
    ("Lâm", 1),
    ("Tạ", 1),
)
MIDDLE_NAMES_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Hoàng", "Tấn", "Bá", "Tá Hoàng")
MIDDLE_NAMES_FEMALE = ("Thị", "Ngọc", "Thanh", "Thu", "Minh", "Kim", "Hồng", "Mai", "Thùy", "Phương")
GIVEN_NAMES_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Được",
    "Đạt",
    "Hà",
    "Hải",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Lâm",
    "Lộc",
    "Long",
    "Lực",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Phương",
    "Quang",
    "Quân",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thiện",
    "Toàn",
    "Trí",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
]
GIVEN_NAMES_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
]
END_REASONS = ("Hết nhiệm kỳ", "Nghỉ hưu", "Điều động công tác khác", "Được bổ nhiệm chức vụ khác", "Thôi giữ chức vụ")
