"""Where a profile's promises come from: the clauses of the association's policy, or an assumption.

Every promise a profile makes to beneficiaries (see ``orgs.schema.PROMISE_KEYS``) carries a
``Provenance`` under ``promises:``; ``tawasul orgs check`` sets each beside the sentences the bot says.

    >>> Provenance(source=[Clause(section="ت", item="6", commits="a reply within 15 working days",
    ...                           period="at_most")]).period()
    'at_most'
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The kind of commitment a reply period is: a ceiling, a floor, or none stated.
Bound = Literal["at_most", "at_least", "none"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clause(_Model):
    """Where a promise comes from in the association's policy document, in our own words.

    The profile never copies the policy's text: ``section`` and ``item`` locate the clause,
    ``commits`` says what it commits the association to. ``period`` is the kind of reply period
    it sets (if any) and ``names`` the bodies it names (committee ids, contact-officer categories,
    or ``top_management``), so a sentence can be checked against it.
    """

    section: str = Field(min_length=1)
    item: str | None = None
    commits: str = Field(min_length=1)
    period: Bound | None = None
    names: list[str] = []


class Assumption(_Model):
    """A promise the policy does not make, kept until the association confirms or corrects it."""

    note: str = Field(min_length=1)  # what we assumed, and why
    question: str = Field(min_length=1)  # what the association is asked to confirm (Arabic for staff)
    answer: str | None = None  # the association's answer, once a manager gives it


class Provenance(_Model):
    """The source of one promise: policy clauses, an explicit assumption, or both."""

    source: list[Clause] = []
    assumption: Assumption | None = None

    @model_validator(mode="after")
    def _something(self) -> Provenance:
        if not self.source and self.assumption is None:
            raise ValueError("a promise needs a policy clause or an explicit assumption")
        return self

    def names(self) -> set[str]:
        return {name for clause in self.source for name in clause.names}

    def period(self) -> Bound | None:
        return next((c.period for c in self.source if c.period is not None), None)


