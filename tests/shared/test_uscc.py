"""统一社会信用代码: published codes validate, each kind of mistake is named, generated codes round-trip."""

import pytest

from services.shared.uscc import (
    AUTHORITIES,
    SERIAL_LIMIT,
    UsccError,
    check_character,
    make_uscc,
    org_check_character,
    validate_uscc,
)

# Printed on the business licences of well-known companies (Huawei, Tencent, Alibaba): both check
# characters of each were worked out independently of this code.
PUBLISHED = ["914403001922038216", "9144030071526726XG", "91330100716105852F"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


def test_check_character_uses_the_standard_weights() -> None:
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91370102MA3C12345"
    total = sum(alphabet.index(char) * weight for char, weight in zip(first17, weights, strict=True))
    assert check_character(first17) == alphabet[(31 - total % 31) % 31]


def test_organisation_code_check_digit_per_gb_11714() -> None:
    # 19220382: 1·3 + 9·7 + 2·9 + 2·10 + 0·5 + 3·8 + 8·4 + 2·2 = 164; 11 − 164 mod 11 = 1.
    assert org_check_character("19220382") == "1"
    assert org_check_character("71526726") == "X"  # 11 − 199 mod 11 = 10 → X


def test_input_is_normalised() -> None:
    assert validate_uscc("  9144030071526726xg\n") == "9144030071526726XG"
    # Full-width digits, as a Chinese input method types them.
    assert validate_uscc("９１４４０３００１９２２０３８２１６") == "914403001922038216"


@pytest.mark.parametrize("code", ["", "91440300192203821", "9144030019220382166"])
def test_wrong_length(code: str) -> None:
    expected = f"应为 18 位，实际为 {len(code)} 位.*has 18 characters, got {len(code)}"
    with pytest.raises(UsccError, match=expected):
        validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "position", "char"),
    [
        ("914403001I22038216", 10, "I"),
        ("91440300192203821O", 18, "O"),
        ("9144030019220-8216", 14, "-"),
        ("S14403001922038216", 1, "S"),
    ],
)
def test_bad_character_names_its_position(code: str, position: int, char: str) -> None:
    with pytest.raises(UsccError) as caught:
        validate_uscc(code)
    assert caught.value.position == position
    assert f"第 {position} 位字符“{char}”无效" in str(caught.value)
    assert f"character '{char}' at position {position}" in str(caught.value)


def test_unknown_registration_authority() -> None:
    code = make_uscc("9", "1", "370102", 1)
    with pytest.raises(UsccError, match="第 1 位登记管理部门代码“B”无效") as caught:
        validate_uscc("B" + code[1:])
    assert caught.value.position == 1


@pytest.mark.parametrize(("authority", "kind"), [("9", "4"), ("9", "9"), ("Y", "2"), ("5", "4")])
def test_entity_type_must_fit_the_authority(authority: str, kind: str) -> None:
    code = make_uscc("9", "1", "370102", 1)
    with pytest.raises(UsccError, match=f"机构类别代码“{kind}”不适用于登记管理部门“{authority}") as caught:
        validate_uscc(authority + kind + code[2:])
    assert caught.value.position == 2
    assert "entity type code" in caught.value.message_en


def test_division_must_be_digits() -> None:
    first17 = "9137A102MA3C12345"
    with pytest.raises(UsccError, match="行政区划代码“37A102”应为 6 位数字"):
        validate_uscc(first17 + check_character(first17))


def test_check_character_mismatch_says_what_was_expected() -> None:
    code = make_uscc("9", "2", "370202", 4242)
    wrong = "0" if code[-1] != "0" else "1"
    with pytest.raises(UsccError) as caught:
        validate_uscc(code[:-1] + wrong)
    assert caught.value.position == 18
    assert f"应为“{code[-1]}”，实际为“{wrong}”" in caught.value.message_zh
    assert f"expected {code[-1]}, got {wrong}" in caught.value.message_en


def test_a_typo_inside_is_caught_by_the_check_character() -> None:
    code = "914403001922038216"
    typo = code[:5] + "4" + code[6:]
    with pytest.raises(UsccError, match="第 18 位校验码错误"):
        validate_uscc(typo)


def test_organisation_code_mismatch_with_a_consistent_check_character() -> None:
    # Position 17 is wrong for the organisation code, but position 18 was computed over it.
    first17 = "91370102MA3C1234" + ("0" if org_check_character("MA3C1234") != "0" else "1")
    with pytest.raises(UsccError) as caught:
        validate_uscc(first17 + check_character(first17))
    assert caught.value.position == 17
    assert f"应为“{org_check_character('MA3C1234')}”" in caught.value.message_zh


def test_make_uscc_round_trips_for_every_authority_and_kind() -> None:
    for authority, (_name, kinds) in AUTHORITIES.items():
        for kind in kinds:
            for serial in (0, 1, 30, 31, 961, 123_456, SERIAL_LIMIT - 1):
                code = make_uscc(authority, kind, "370102", serial)
                assert validate_uscc(code) == code
                assert code.startswith(authority + kind + "370102")


def test_distinct_serials_give_distinct_codes() -> None:
    codes = {make_uscc("9", "1", "371702", serial) for serial in range(2000)}
    assert len(codes) == 2000


def test_make_uscc_refuses_bad_parts() -> None:
    with pytest.raises(UsccError):
        make_uscc("9", "5", "370102", 1)
    with pytest.raises(UsccError):
        make_uscc("9", "1", "3701", 1)
    with pytest.raises(ValueError, match="serial"):
        make_uscc("9", "1", "370102", SERIAL_LIMIT)
    with pytest.raises(ValueError, match="serial"):
        make_uscc("9", "1", "370102", -1)
