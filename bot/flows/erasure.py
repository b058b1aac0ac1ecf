"""/erase CODE on any channel: the question with its two answers, and what was erased."""

from bot.flows.callback_data import EraseButton
from bot.flows.choices import Choice
from bot.i18n import Translator
from bot.services.erasure import Erasure, ErasureKind, ErasureTarget


def erase_question(target: ErasureTarget, t: Translator) -> tuple[str, list[Choice]]:
    question = (t("erase-ask", code=target.reference) if target.kind is ErasureKind.CASE
                else t("erase-ask-lead", ref=target.reference))
    return question, [
        (t("button-erase"), EraseButton(kind=target.kind, target_id=target.id, confirmed=1)),
        (t("button-keep"), EraseButton(kind=target.kind, target_id=target.id, confirmed=0))]


def erased_text(erased: Erasure, t: Translator) -> str:
    if erased.target.kind is ErasureKind.CASE:
        return t("erase-done", code=erased.target.reference, notes=erased.notes_erased,
                 rows=erased.list_rows_erased)
    return t("erase-done-lead", ref=erased.target.reference, rows=erased.list_rows_erased)
