"""What the intake modules share: the flow's name, the chosen service, yes/no buttons, field questions.

The questions are about the beneficiary; when someone applies for another person (a relative, a field
representative, see bot/flows/intake/applicant.py) they say "the beneficiary's ..." instead of "your ...".
"""

from __future__ import annotations

from typing import Any

from bot.flows.base import Context
from bot.flows.validators import FIELD_QUESTIONS
from bot.lang.i18n import N_
from bot.messages import Button

NAME = "intake"
ASK_FIELD = N_("Please write the {field}.")

# The same questions, asked of someone applying for another person.
QUESTIONS_FOR_OTHER = {
    "full_name": N_("What is the beneficiary's full name (as in their ID)?"),
    "national_id": N_("What is the beneficiary's national ID or iqama number (10 digits)?"),
    "phone": N_("What mobile number can we reach the beneficiary on?"),
    "city": N_("Which city does the beneficiary live in?"),
    "nationality": N_("What is the beneficiary's nationality?"),
    "passport_number": N_("What is the beneficiary's passport number?"),
    "family_size": N_("How many people are in the beneficiary's family?"),
    "date_of_birth": N_("What is the beneficiary's date of birth (day/month/year)?"),
    "location": N_("Where is the beneficiary now? You can share the location."),
}


def services(ctx: Context) -> list[Any]:
    return list(ctx.org.services)


def service(ctx: Context, data: dict[str, Any]) -> Any:
    return next(s for s in ctx.org.services if s.id == data["service"])


def yes_no(ctx: Context) -> tuple[Button, ...]:
    return (Button("yes", ctx.t("Yes, I agree")), Button("no", ctx.t("No")))


def for_other(data: dict[str, Any]) -> bool:
    """The request is for someone else than the person writing."""
    return bool(data.get("on_behalf"))


def question(ctx: Context, name: str, data: dict[str, Any] | None = None) -> str:
    if data is not None and for_other(data) and name in QUESTIONS_FOR_OTHER:
        return ctx.t(QUESTIONS_FOR_OTHER[name])
    return ctx.t(FIELD_QUESTIONS.get(name, ASK_FIELD), field=name)
