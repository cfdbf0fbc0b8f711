"""What the participant templates show: items, options and errors in the participant's locale."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.instrument.answers import NOT_APPLICABLE
from app.instrument.model import LikertItem, SjtItem
from app.instrument.questionnaire import AnswerProblem, Questionnaire
from app.instrument.text import t
from app.web.i18n import Catalogue


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    input_id: str
    checked: bool
    # "Does not apply to my work": offered apart from the scale, not as its lowest point.
    not_applicable: bool = False


@dataclass(frozen=True)
class ItemView:
    id: str
    number: int
    kind: str  # likert | sjt (impression items look like Likert items to the participant)
    text: str
    scenario: str | None
    options: list[OptionView] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ErrorView:
    message: str
    target: str  # the id of the element the error summary links to


def input_id(item_id: str, value: str) -> str:
    return f"a-{item_id}-{value}"


def item_text(q: Questionnaire, item_id: str, locale: str) -> str:
    """The statement, or an SJT item's scenario (what identifies it in a list)."""
    item = q.item(item_id)
    return t(item.scenario if isinstance(item, SjtItem) else item.text, locale)


def items_of_page(
    q: Questionnaire,
    page: int,
    given: dict[str, str],
    locale: str,
    errors: dict[str, str] | None = None,
    not_applicable_label: str = "Does not apply to my work",
) -> list[ItemView]:
    scale = [t(label, locale) for label in q.instrument.scale.labels]
    na_text = q.instrument.scale.not_applicable
    na_label = t(na_text, locale) if na_text else not_applicable_label
    views = []
    for item_id in q.pages[page - 1]:
        item = q.item(item_id)
        if isinstance(item, SjtItem):
            choices = [(option.key, t(option.text, locale)) for option in item.options]
            kind, text, scenario = "sjt", t(item.question, locale), t(item.scenario, locale)
        else:
            choices = [(str(point), label) for point, label in enumerate(scale, start=1)]
            if isinstance(item, LikertItem) and item.not_applicable:
                choices.append((NOT_APPLICABLE, na_label))
            kind, text, scenario = "likert", t(item.text, locale), None
        options = [
            OptionView(
                value,
                label,
                input_id(item_id, value),
                given.get(item_id) == value,
                not_applicable=value == NOT_APPLICABLE,
            )
            for value, label in choices
        ]
        views.append(
            ItemView(
                id=item_id,
                number=q.number_of[item_id],
                kind=kind,
                text=text,
                scenario=scenario,
                options=options,
                error=(errors or {}).get(item_id),
            )
        )
    return views


def page_is_sjt(q: Questionnaire, page: int) -> bool:
    return all(isinstance(q.item(item_id), SjtItem) for item_id in q.pages[page - 1])


def error_views(
    q: Questionnaire, problems: list[AnswerProblem], messages: Catalogue
) -> tuple[list[ErrorView], dict[str, str]]:
    """The error summary's entries, and each known item's message for its fieldset."""
    summary: list[ErrorView] = []
    by_item: dict[str, str] = {}
    for problem in problems:
        if problem.code == "bad_value" and problem.item_id in q.number_of:
            message = messages("errors.bad_value", number=q.number_of[problem.item_id])
            first_value = sorted(q.allowed[problem.item_id])[0]
            summary.append(ErrorView(message, input_id(problem.item_id, first_value)))
            by_item[problem.item_id] = message
        elif not any(error.target == "questions" for error in summary):
            # An item that is not on the page has no field to point at: point at the form.
            summary.append(ErrorView(messages("errors.unknown_item"), "questions"))
    return summary, by_item
