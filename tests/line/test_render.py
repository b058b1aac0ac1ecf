"""LINE's limits kept when Panong's messages become LINE's: labels cut in UTF-16 units and
told apart when cutting makes them alike, long lists a page at a time, a card's alt text."""

from bot.i18n import translator
from line.render import card_message, paged, text_message
from tests.support.line import within_limits

EN = translator("en")


def _labels(choices: list[tuple[str, str]]) -> list[str]:
    message = text_message("Which?", choices)
    within_limits([message])
    return [item.action.label for item in message.quick_reply.items]


def test_long_labels_are_cut_in_utf16_units_and_told_apart_when_cutting_makes_them_alike(
) -> None:
    # An emoji outside the BMP counts two units, as LINE counts it.
    assert _labels([("😀" * 12, "a")]) == ["😀" * 9 + "…"]
    alike = [("Pak Klong Bang Pla Kot North", "1"), ("Pak Klong Bang Pla Kot South", "2"),
             ("Nai Khlong", "3")]
    message = text_message("Which subdistrict?", alike)
    labels = [item.action.label for item in message.quick_reply.items]
    assert labels == ["1. Pak Klong Bang P…", "2. Pak Klong Bang P…", "Nai Khlong"]
    assert message.text.splitlines()[1:] == ["1. Pak Klong Bang Pla Kot North",
                                             "2. Pak Klong Bang Pla Kot South"]
    # Tapped, the full label is what the chat shows.
    assert message.quick_reply.items[0].action.display_text == alike[0][0]


def test_a_long_list_goes_a_page_at_a_time_with_its_fixed_choices_on_each() -> None:
    choices = [(f"Unit {n}", f"u:{n}") for n in range(25)]
    fixed = [("Back", "back"), ("Cancel", "cancel")]

    def page_data(n: int) -> str:
        return f"page:{n}"

    first = paged(choices, fixed, 0, page_data, EN)
    middle = paged(choices, fixed, 1, page_data, EN)
    last = paged(choices, fixed, 7, page_data, EN)  # no such page: the last one
    for page in (first, middle, last):
        assert len(page) <= 13 and page[-2:] == fixed
    shown = [data for page in (first, middle, last) for _, data in page
             if data.startswith("u:")]
    assert shown == [f"u:{n}" for n in range(25)]
    assert [data for _, data in first if data.startswith("page:")] == ["page:1"]
    assert [data for _, data in middle if data.startswith("page:")] == ["page:0", "page:2"]
    assert [data for _, data in last if data.startswith("page:")] == ["page:1"]
    assert paged(choices[:11], fixed, 0, page_data, EN) == [*choices[:11], *fixed]


def test_a_card_keeps_its_alt_text_within_400_characters() -> None:
    fields = [(f"Field {n}", "ก" * 60) for n in range(10)]
    card = card_message("<b>Please check</b>", fields, note="Missing: name",
                        buttons=[("Confirm", "w:summary:confirm"), ("Edit", "w:summary:edit")],
                        alt_text="<b>Please check</b>\n" + "\n".join(
                            f"{label}: {value}" for label, value in fields),
                        choices=[("Back", "w:summary:_back")])
    within_limits([card])
    assert len(card.alt_text) == 400 and card.alt_text.startswith("Please check\nField 0")
    assert card.alt_text.endswith("…")
