import pytest

from bot.domain.identity import (
    IdentityType,
    format_thai_id,
    mask_identity,
    parse_foreign_document,
    parse_g_code,
    parse_identity,
    parse_thai_id,
    thai_id_check_digit,
)
from bot.errors import InvalidDocumentNumber, InvalidGCode, InvalidThaiId
from bot.geography import province_codes

# Type 0 (no registration status), computed by hand: S = 0·13 + 5·12 + 0·11 + 9·10 + 9·9
# + 0·8 + 0·7 + 1·6 + 2·5 + 3·4 + 4·3 + 5·2 = 281; 281 mod 11 = 6; (11 - 6) mod 10 = 5.
TYPE_0_ID = "0509900123455"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3100600445635", "3100600445635"),
        ("3-1006-00445-63-5", "3100600445635"),
        ("1 2345 45678 78 1", "1234545678781"),
        ("1.2345.45678.78.1", "1234545678781"),
        (" 1-2345 45678-78-1 ", "1234545678781"),
        ("๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕", "3100600445635"),
        ("\u200b3100600445635\u200b", "3100600445635"),
        (TYPE_0_ID, TYPE_0_ID),
        ("0-5099-00123-45-5", TYPE_0_ID),
    ],
)
def test_valid_thai_ids_are_returned_as_13_bare_digits(raw: str, expected: str) -> None:
    assert parse_thai_id(raw) == expected


def test_the_check_digit_follows_the_worked_example() -> None:
    assert thai_id_check_digit("310060044563") == 5
    assert thai_id_check_digit("123454567878") == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1-2345-45678-78-9", "checksum"),
        ("3100600445636", "checksum"),
        ("0509900123454", "checksum"),
        ("310060044563", "length"),
        ("31006004456350", "length"),
        ("", "length"),
        ("31006004456a5", "length"),
        ("ID 3100600445635", "length"),
        ("3/1006/00445/63/5", "length"),
        ("9110001234563", "first-digit"),
    ],
)
def test_bad_thai_ids_say_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(InvalidThaiId) as caught:
        parse_thai_id(raw)
    assert caught.value.reason == reason
    assert caught.value.key == f"error-thai-id-{reason}"


def _with_check_digit(first12: str) -> str:
    return first12 + str(thai_id_check_digit(first12))


@pytest.mark.parametrize("first_digit", "012345678")
def test_every_person_type_but_9_is_accepted(first_digit: str) -> None:
    number = _with_check_digit(first_digit + "11000123456")
    assert parse_thai_id(number) == number


@pytest.mark.parametrize("province", ["00", "01", "09", "28", "29", "59", "68", "69", "79",
                                      "87", "89", "97", "99"])
@pytest.mark.parametrize("first_digit", "018")
def test_a_number_from_no_province_does_not_exist_even_with_a_right_check_digit(
    first_digit: str, province: str
) -> None:
    number = _with_check_digit(first_digit + province + "01001234" + "5")
    with pytest.raises(InvalidThaiId) as caught:
        parse_thai_id(number)
    assert caught.value.reason == "office"


def test_a_number_of_only_zeros_and_its_check_digit_does_not_exist() -> None:
    with pytest.raises(InvalidThaiId) as caught:
        parse_thai_id("0000000000001")
    assert caught.value.reason == "office"


def test_numbers_from_every_province_are_accepted() -> None:
    provinces = province_codes()
    assert len(provinces) == 77 and {"10", "11", "38", "96"} <= provinces
    for province in provinces:
        number = _with_check_digit("0" + province + "018900123")
        assert parse_thai_id(number) == number


def test_a_thai_id_is_formatted_in_its_five_groups() -> None:
    assert format_thai_id("3100600445635") == "3-1006-00445-63-5"


def test_formatting_refuses_anything_but_13_digits() -> None:
    with pytest.raises(ValueError):
        format_thai_id("310060044563")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("G644200000001", "G644200000001"),
        ("g644200000001", "G644200000001"),
        ("G 64 11 00000123", "G641100000123"),
        ("G-6411-0000-0123", "G641100000123"),
        ("G๖๔๑๑๐๐๐๐๐๑๒๓", "G641100000123"),
    ],
)
def test_g_codes_are_g_and_12_digits(raw: str, expected: str) -> None:
    assert parse_g_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "644200000001",
        "G64420000001",
        "G6442000000012",
        "X644200000001",
        "G64420000000A",
        "GG44200000001",
    ],
)
def test_anything_else_is_not_a_g_code(raw: str) -> None:
    with pytest.raises(InvalidGCode):
        parse_g_code(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MA1234567", "MA1234567"),
        ("ma 123-4567", "MA1234567"),
        ("00123", "00123"),
        ("๐๐๑๒๓๔", "001234"),
        ("A" * 20, "A" * 20),
    ],
)
def test_document_numbers_are_upper_case_letters_and_digits(raw: str, expected: str) -> None:
    assert parse_foreign_document(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "1234", "A" * 21, "MA/123456", "MA.123456", "ศ12345", "straße1"]
)
def test_bad_document_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidDocumentNumber):
        parse_foreign_document(raw)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (IdentityType.THAI_ID, "3-1006-00445-63-5", "3100600445635"),
        (IdentityType.G_CODE, "g644200000001", "G644200000001"),
        (IdentityType.FOREIGN_DOC, "ma1234567", "MA1234567"),
    ],
)
def test_parse_identity_uses_the_parser_for_the_kind(
    kind: IdentityType, raw: str, expected: str
) -> None:
    assert parse_identity(kind, raw) == expected


def test_parse_identity_does_not_mix_up_kinds() -> None:
    with pytest.raises(InvalidGCode):
        parse_identity(IdentityType.G_CODE, "3100600445635")


def test_there_is_nothing_to_parse_for_a_child_without_a_number() -> None:
    with pytest.raises(ValueError):
        parse_identity(IdentityType.NONE, "3100600445635")


def test_identity_type_values_are_stable_strings() -> None:
    assert [t.value for t in IdentityType] == ["thai_id", "g_code", "foreign_doc", "none"]


@pytest.mark.parametrize(
    ("kind", "number", "masked"),
    [
        (IdentityType.THAI_ID, "3100600445635", "•-••••-••••5-63-5"),
        (IdentityType.G_CODE, "G644200000001", "G••••••••0001"),
        (IdentityType.FOREIGN_DOC, "MA1234567", "••••4567"),
        (IdentityType.FOREIGN_DOC, "A1234567890123456789", "••••6789"),
    ],
)
def test_masks_show_only_the_last_four_characters(
    kind: IdentityType, number: str, masked: str
) -> None:
    assert mask_identity(kind, number) == masked


def test_masked_documents_do_not_reveal_their_length() -> None:
    short = mask_identity(IdentityType.FOREIGN_DOC, "12345")
    long = mask_identity(IdentityType.FOREIGN_DOC, "ABCDEFGHIJKLMNO12345")
    assert short == long == "••••2345"


@pytest.mark.parametrize(
    ("kind", "number"),
    [(IdentityType.THAI_ID, "3-1006-00445-63-5"), (IdentityType.G_CODE, "644200000001")],
)
def test_masking_expects_the_parsed_form(kind: IdentityType, number: str) -> None:
    with pytest.raises(ValueError):
        mask_identity(kind, number)


def test_there_is_nothing_to_mask_for_a_child_without_a_number() -> None:
    with pytest.raises(ValueError):
        mask_identity(IdentityType.NONE, "")
