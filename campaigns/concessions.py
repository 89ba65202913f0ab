"""Concessions on a save: what a request must say, and who may approve it (issue 12).

A concession is a request with a kind (KINDS), a size, what the customer commits in exchange,
a sunset ("year 1 only"), a rationale and the alternatives considered; a request without any of
them is refused, because an approver cannot weigh a concession whose price and end are unknown.

The approval matrix (ROLES ranks csm < manager < director < vp; a higher role may always
decide what a lower one may):

- a discount up to 5 % the CSM, up to 15 % a manager, up to 25 % a director, above 25 % a VP
  (DISCOUNT_LIMITS, each limit included);
- payment terms the CSM: the money arrives later, but all of it arrives;
- reduced scope, a shorter term, a pause and free services a manager: each gives up revenue or
  cost like a discount of a size nobody can state as a percentage, so the first level that
  approves real discounts decides them;
- a performance guarantee a director: it is a contractual promise with a refund behind it,
  a liability beyond the one account (KIND_ROLES).

A discount when the root cause is product_fit or service needs an explicit override reason:
money does not fix a product that does not fit or a service that failed, and the request must
say why it is worth paying anyway (OVERRIDE_ROOT_CAUSES).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "DISCOUNT",
    "DISCOUNT_LIMITS",
    "KINDS",
    "KIND_ROLES",
    "OVERRIDE_ROOT_CAUSES",
    "REQUIRED_FIELDS",
    "ROLES",
    "Concession",
    "ConcessionError",
    "at_least",
    "check_concession",
    "decision_refused",
    "parse_percent",
    "required_role",
    "who_may_decide",
]

DISCOUNT: Final = "discount"
KINDS: Final = (
    DISCOUNT,
    "payment_terms",
    "reduced_scope",
    "shorter_term",
    "performance_guarantee",
    "pause",
    "service",
)
ROLES: Final = ("csm", "manager", "director", "vp")  # lowest first: the index is the rank
# The highest discount (per cent, included) each role approves, lowest first; above the last: VP.
DISCOUNT_LIMITS: Final = ((5.0, "csm"), (15.0, "manager"), (25.0, "director"))
ABOVE_LIMITS: Final = "vp"
# Every kind but a discount: the role that approves it whatever its size.
KIND_ROLES: Final[Mapping[str, str]] = {
    "payment_terms": "csm",
    "reduced_scope": "manager",
    "shorter_term": "manager",
    "pause": "manager",
    "service": "manager",
    "performance_guarantee": "director",
}
# Root causes (campaigns.save_probability.FACTORS["root_cause"]) a discount does not fix.
OVERRIDE_ROOT_CAUSES: Final = frozenset({"product_fit", "service"})
# What a request must say (the override reason only in the case above), with an example each.
REQUIRED_FIELDS: Final[Mapping[str, str]] = {
    "kind": f"one of {', '.join(KINDS)}",
    "size": 'how much, e.g. "20 %" for a discount or "net 60" for payment terms',
    "commitment": 'what the customer commits in exchange, e.g. "a 2-year renewal signed by 30 April"',
    "sunset": 'when it ends, e.g. "year 1 only"',
    "rationale": 'why it is worth it, e.g. "keeps 86,000 ARR against a 17,200 cost"',
    "alternatives": 'the alternatives considered, e.g. ["payment terms", "extra training"]',
}
MAX_PERCENT: Final = 100.0
_PERCENT_RE: Final = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\s*%?")


class ConcessionError(ValueError):
    """A request that cannot be taken: one line naming the field and what to write."""


@dataclass(frozen=True)
class Concession:
    """A request that says everything an approver needs."""

    kind: str
    size: str  # as written: "20 %", "net 60", "10 seats fewer"
    commitment: str
    sunset: str
    rationale: str
    alternatives: tuple[str, ...]
    override_reason: str = ""
    percent: float | None = None  # a discount's size as a number

    @property
    def required_role(self) -> str:
        return required_role(self.kind, self.percent)

    def words(self) -> str:
        """'a 20 % discount', 'payment terms (net 60)': what a refusal or a detail line says."""
        if self.kind == DISCOUNT and self.percent is not None:
            return f"a {self.percent:g} % discount"
        return f"{self.kind.replace('_', ' ')} ({self.size})"


def rank(role: str) -> int:
    return ROLES.index(role)


def at_least(role: str, required: str) -> bool:
    return rank(role) >= rank(required)


def parse_percent(size: str) -> float | None:
    """ "20", "20 %", "12.5%" -> the number; None for anything else."""
    m = _PERCENT_RE.fullmatch(size.strip())
    return float(m.group(1)) if m else None


def required_role(kind: str, percent: float | None) -> str:
    """The lowest role that may decide a request; a discount needs its percent."""
    if kind != DISCOUNT:
        return KIND_ROLES[kind]
    if percent is None:
        raise ValueError("a discount needs its percent")
    for limit, role in DISCOUNT_LIMITS:
        if percent <= limit:
            return role
    return ABOVE_LIMITS


def check_concession(
    *,
    kind: str,
    size: str,
    commitment: str,
    sunset: str,
    rationale: str,
    alternatives: Iterable[str],
    override_reason: str,
    root_cause: str,
) -> Concession:
    """The request, or ConcessionError naming the first thing missing or wrong."""
    if kind not in KINDS:
        raise ConcessionError(f'"kind" must be {REQUIRED_FIELDS["kind"]}')
    given = {"size": size, "commitment": commitment, "sunset": sunset, "rationale": rationale}
    for name, value in given.items():
        if not value.strip():
            raise ConcessionError(f'"{name}" is required: {REQUIRED_FIELDS[name]}')
    options = tuple(a.strip() for a in alternatives if a.strip())
    if not options:
        raise ConcessionError(f'"alternatives" is required: {REQUIRED_FIELDS["alternatives"]}')
    percent = None
    if kind == DISCOUNT:
        percent = parse_percent(size)
        if percent is None or not 0 < percent <= MAX_PERCENT:
            raise ConcessionError(
                '"size" of a discount must be a percentage above 0 and at most 100, e.g. "20 %"'
            )
        if root_cause in OVERRIDE_ROOT_CAUSES and not override_reason.strip():
            raise ConcessionError(
                f'"override_reason" is required: the root cause is {root_cause}, which a discount does '
                "not fix; say why it is worth giving anyway, or offer a fix instead"
            )
    return Concession(
        kind=kind,
        size=size.strip(),
        commitment=commitment.strip(),
        sunset=sunset.strip(),
        rationale=rationale.strip(),
        alternatives=options,
        override_reason=override_reason.strip(),
        percent=percent,
    )


def who_may_decide(required: str, roles: Mapping[str, str]) -> tuple[str, ...]:
    """Every handle of `roles` (handle -> role) whose role is at least `required`, as
    'erik.holm (director)', lowest role first, then by handle."""
    found = sorted((rank(role), handle) for handle, role in roles.items() if at_least(role, required))
    return tuple(f"{handle} ({ROLES[r]})" for r, handle in found)


def decision_refused(concession: Concession, approver: str, roles: Mapping[str, str]) -> str | None:
    """Why `approver` may not decide this request (one line saying who must), or None."""
    required = concession.required_role
    allowed = who_may_decide(required, roles)
    ask = f"ask {', '.join(allowed)}" if allowed else "add one to the approvers file"
    role = roles.get(approver)
    if role is None:
        needs = f"{concession.words()} needs a {required} or above"
        return f"{approver} is not in the approvers file; {needs}: {ask}"
    if not at_least(role, required):
        return f"{concession.words()} needs a {required} or above, and {approver} is a {role}: {ask}"
    return None
