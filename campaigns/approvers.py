"""The approvers file: who may decide a save's concessions, and who carries its manager and
executive tasks (issue 12).

    # campaigns/examples/approvers.yaml
    approvers:            # handle: role (csm < manager < director < vp)
      maria.lind: csm
      sanna.virtanen: manager
    manager: sanna.virtanen     # the save's manager tasks (a manager or above)
    executive: claire.dubois    # the escalation's executive steps (a director or above)

A handle is the part of a CSM's email before the @ (campaigns/model.py `owner_handle`): it
names their task folder, so it follows the same rule as the accounts file's owner column. Every
problem is one line naming the file and the key, all of them at once, as for campaign files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from campaigns.concessions import ROLES, at_least
from campaigns.errors import ConfigError, Problems, check_keys, choose_from, display_path, excerpt
from campaigns.yamlfile import read_yaml_mapping

__all__ = ["EXECUTIVE_ROLE", "MANAGER_ROLE", "Approvers", "load_approvers"]

MANAGER_ROLE: Final = "manager"  # the lowest role that may carry a save's manager tasks
EXECUTIVE_ROLE: Final = "director"  # ... and the escalation's executive steps
_HANDLE_RE: Final = re.compile(r"[a-z0-9._+-]{1,64}")
_EXAMPLE: Final = "approvers: {maria.lind: csm, sanna.virtanen: manager}"


@dataclass(frozen=True)
class Approvers:
    roles: tuple[tuple[str, str], ...]  # (handle, role), file order
    manager: str  # handle
    executive: str  # handle

    def role_map(self) -> Mapping[str, str]:
        return dict(self.roles)


def load_approvers(path: Path) -> Approvers:
    """Read and check the file; every problem in one ConfigError."""
    problems = Problems(display_path(path))
    data = read_yaml_mapping(path, problems)
    if data is None:
        raise ConfigError(problems.lines)  # read_yaml_mapping said why
    check_keys(
        problems,
        "",
        data,
        {
            "approvers": _EXAMPLE,
            "manager": "manager: sanna.virtanen",
            "executive": "executive: claire.dubois",
        },
    )
    roles = _roles(data.get("approvers"), "approvers" in data, problems)
    manager = _person(data, "manager", MANAGER_ROLE, roles, problems)
    executive = _person(data, "executive", EXECUTIVE_ROLE, roles, problems)
    problems.raise_if_any()
    assert manager is not None and executive is not None
    return Approvers(roles=tuple(roles.items()), manager=manager, executive=executive)


def _roles(raw: object, given: bool, problems: Problems) -> dict[str, str]:
    roles: dict[str, str] = {}
    if not given:
        return roles  # reported as missing by check_keys
    if not isinstance(raw, dict) or not raw:
        problems.add("approvers", f"write each approver as handle: role, e.g. {_EXAMPLE}")
        return roles
    for key, value in raw.items():
        handle = str(key).strip().lower()
        field = f"approvers.{excerpt(key, quoted=False)}"
        if not _HANDLE_RE.fullmatch(handle) or handle.startswith(".") or ".." in handle:
            problems.add(
                field,
                "is not a handle; write the part of their email before the @, using only letters a-z, "
                "digits and . _ + - (not starting with '.', no '..')",
            )
            continue
        if handle in roles:
            problems.add(field, "is listed twice (handles are not case-sensitive); keep one")
            continue
        role = str(value).strip().lower() if isinstance(value, str) else ""
        if role not in ROLES:
            problems.add(field, f"unknown role {excerpt(value)}; {choose_from(role, ROLES)}")
            continue
        roles[handle] = role
    return roles


def _person(
    data: Mapping[object, object], key: str, lowest: str, roles: Mapping[str, str], problems: Problems
) -> str | None:
    if key not in data:
        return None  # reported as missing by check_keys
    raw = data[key]
    handle = str(raw).strip().lower() if isinstance(raw, str) else ""
    if not handle:
        problems.add(
            key, f"write the handle of who carries the save's {key} tasks, as listed under approvers"
        )
        return None
    if handle not in roles:
        listed = ", ".join(roles) or "nobody yet"
        problems.add(key, f"{excerpt(raw)} is not listed under approvers ({listed}); list them there first")
        return None
    if not at_least(roles[handle], lowest):
        problems.add(key, f"{handle} is a {roles[handle]}; the {key} must be a {lowest} or above")
        return None
    return handle
