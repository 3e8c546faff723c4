"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): validation with reasons, and generation."""

from __future__ import annotations

import unicodedata
from typing import Final

LENGTH: Final = 18

# GB 32100 drops I, O, Z, S and V so that they cannot be misread as 1, 0, 2, 5 and U.
ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE: Final = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))

# GB 11714 (organisation code) values letters A..Z as 10..35, independent of the USCC alphabet.
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)

# Position 1 → (authority name, {position 2 → entity type}), GB 32100-2015 table A.1 with its amendment
# (2, 3, 4, 6, 7, 8, A and N were added later; real codes such as 31… for law firms use them).
AUTHORITIES: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# Since 2015 the registration authorities assign new organisation codes from these blocks.
_SERIAL_PREFIX: Final = {"1": "MB", "5": "MJ"}
_SERIAL_DIGITS: Final = 6
SERIAL_LIMIT: Final = len(ALPHABET) ** _SERIAL_DIGITS


class UsccError(ValueError):
    """An invalid 统一社会信用代码; the message says what is wrong, in Chinese then English."""

    def __init__(self, zh: str, en: str, position: int | None = None) -> None:
        super().__init__(f"{zh} / {en}")
        self.message_zh = zh
        self.message_en = en
        # 1-based position of the offending character, when there is one.
        self.position = position


def normalize(code: str) -> str:
    """Strip and upper-case; NFKC because Chinese input methods often type full-width ９１３７…."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def check_character(first17: str) -> str:
    """The USCC check character (position 18) for the first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """The GB 11714 organisation-code check character (USCC position 17) for positions 9–16."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def validate_uscc(code: str) -> str:
    """Return the normalised code, or raise `UsccError` naming the first thing wrong with it."""
    code = normalize(code)
    if len(code) != LENGTH:
        raise UsccError(
            f"统一社会信用代码应为 18 位，实际为 {len(code)} 位",
            f"a USCC has 18 characters, got {len(code)}",
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            raise UsccError(
                f"第 {position} 位字符“{char}”无效：只能是数字或除 I、O、Z、S、V 以外的大写字母",
                f"character '{char}' at position {position} is not allowed: "
                "use digits and capital letters other than I, O, Z, S, V",
                position,
            )
    _check_kind(code[0], code[1])
    division = code[2:8]
    if not division.isdigit():
        raise UsccError(
            f"第 3–8 位行政区划代码“{division}”应为 6 位数字",
            f"positions 3-8 (administrative division code) must be 6 digits, got '{division}'",
            3,
        )
    # Position 18 covers all 17 others, so it is checked first: a mistyped character anywhere
    # shows up here, and the organisation-code check below only catches codes made up wrongly.
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(
            f"第 18 位校验码错误：应为“{expected}”，实际为“{code[17]}”，请核对代码是否抄错",
            f"check character mismatch at position 18: expected {expected}, got {code[17]}; "
            "please check the code for typos",
            18,
        )
    expected = org_check_character(code[8:16])
    if code[16] != expected:
        raise UsccError(
            f"第 17 位组织机构代码校验码错误：应为“{expected}”，实际为“{code[16]}”",
            f"organisation code check digit mismatch at position 17: expected {expected}, got {code[16]}",
            17,
        )
    return code


def _check_kind(authority: str, kind: str) -> None:
    if authority not in AUTHORITIES:
        raise UsccError(
            f"第 1 位登记管理部门代码“{authority}”无效（可用：{'、'.join(AUTHORITIES)}）",
            f"position 1: unknown registration authority code '{authority}' (use {', '.join(AUTHORITIES)})",
            1,
        )
    name, kinds = AUTHORITIES[authority]
    if kind not in kinds:
        raise UsccError(
            f"第 2 位机构类别代码“{kind}”不适用于登记管理部门“{authority}（{name}）”（可用：{'、'.join(kinds)}）",
            f"position 2: entity type code '{kind}' is not valid for registration authority "
            f"'{authority}' (use {', '.join(kinds)})",
            2,
        )


def make_uscc(authority: str, kind: str, division: str, serial: int) -> str:
    """A valid code for (authority, kind) registered in `division`, numbered by `serial`.

    Distinct serials in [0, SERIAL_LIMIT) give distinct codes; the organisation code is laid out
    like those issued since 2015 (``MA`` + six characters), with both check characters computed.
    """
    authority, kind = normalize(authority), normalize(kind)
    _check_kind(authority, kind)
    if len(division) != 6 or not division.isdigit():
        raise UsccError(
            f"行政区划代码“{division}”应为 6 位数字",
            f"the administrative division code must be 6 digits, got '{division}'",
        )
    if not 0 <= serial < SERIAL_LIMIT:
        raise ValueError(f"serial must be in [0, {SERIAL_LIMIT}), got {serial}")
    digits = []
    for _ in range(_SERIAL_DIGITS):
        serial, digit = divmod(serial, len(ALPHABET))
        digits.append(ALPHABET[digit])
    body = _SERIAL_PREFIX.get(authority, "MA") + "".join(reversed(digits))
    first17 = authority + kind + division + body + org_check_character(body)
    return first17 + check_character(first17)
