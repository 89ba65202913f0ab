"""How an activity fails: every failure is either permanent or transient, and says which.

Permanent (the same input fails the same way on every attempt: a header-injection attempt, an
invalid address, a template error, a file name that would leave its folder): a non-retryable
`ApplicationError`, so the touch fails once and the sequence goes on. Transient (a store that is
down or locked, a disk or network error): a retryable one, which the workflow's bounded retry
policy retries (docs/ARCHITECTURE.md, "Rules and where they live").

Failure messages reach workflow histories and worker logs, so they name the account id, the
touch and the field at fault, never a value that may be a person's name or address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jinja2 import TemplateError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError, StatementError
from temporalio.exceptions import ApplicationError

from activities.store import StoreError

INVALID_MESSAGE = "InvalidMessage"
UNSAFE_FILE_NAME = "UnsafeFileName"
TEMPLATE_ERROR = "TemplateError"
INVALID_RECORD = "InvalidRecord"
STORE_UNAVAILABLE = "StoreUnavailable"
IO_ERROR = "IOError"
UNEXPECTED = "Unexpected"

# Longer parts are refused rather than left to the file system's ENAMETOOLONG, an OSError that
# would look transient and be retried for nothing.
_MAX_PART = 100


class BadInput(ValueError):
    """Data that no retry can fix. The text names the field, never its value."""

    kind = INVALID_MESSAGE


class UnsafeFileName(BadInput):
    """A name part that would put a file outside its folder."""

    kind = UNSAFE_FILE_NAME


def safe_part(value: str, what: str) -> str:
    """`value` as one file name part, or UnsafeFileName: no separators, no `..`, no hidden or
    control characters."""
    if (
        not value
        or len(value) > _MAX_PART
        or value.startswith(".")
        or any(ch in value for ch in "/\\:")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        raise UnsafeFileName(f"{what} is not a safe file name part")
    return value


def inside(folder: Path, target: Path, what: str) -> Path:
    """`target` once it is certain to resolve inside `folder` (links followed)."""
    if not target.resolve().is_relative_to(folder.resolve()):
        raise UnsafeFileName(f"{what} is not a safe file name part: the file would leave its folder")
    return target


@contextmanager
def classified(where: str) -> Iterator[None]:
    """Turn whatever the body raises into a permanent or transient ApplicationError whose
    message starts with `where` ("account ACC-1, touch 1: not sent")."""
    try:
        yield
    except ApplicationError:
        raise
    except Exception as err:
        raise _classify(err, where) from None


def _classify(err: Exception, where: str) -> ApplicationError:
    """The failure to report for `err`. Raised `from None`: a cause's text would reach the
    history too, and SQLAlchemy's carries the statement's parameters (addresses among them)."""

    def permanent(what: str, kind: str) -> ApplicationError:
        return ApplicationError(f"{where}: {what}", type=kind, non_retryable=True)

    def transient(what: str, kind: str) -> ApplicationError:
        return ApplicationError(f"{where}: {what}", type=kind)

    if isinstance(err, BadInput):
        return permanent(str(err), err.kind)
    if isinstance(err, TemplateError):
        # Jinja names the template and the missing variable, not the data it was given.
        return permanent(str(err), TEMPLATE_ERROR)
    if isinstance(err, (IntegrityError, DataError)):
        # The driver's text may quote the row; its class is enough to act on.
        return permanent(f"the store refused the record ({type(err.orig).__name__})", INVALID_RECORD)
    if isinstance(err, OperationalError):
        # "database is locked", "connection refused": the driver's first line, without the
        # statement and parameters SQLAlchemy appends.
        first = next(iter(str(err.orig).splitlines()), type(err.orig).__name__)
        return transient(f"the store is unavailable ({first})", STORE_UNAVAILABLE)
    if isinstance(err, StatementError) and isinstance(err.orig, (ValueError, TypeError)):
        # A value the store's column types refuse (a naive datetime) fails the same every time.
        return permanent(f"the store refused a value ({type(err.orig).__name__})", INVALID_RECORD)
    if isinstance(err, (SQLAlchemyError, StoreError)):
        return transient(f"the store failed ({type(err).__name__})", STORE_UNAVAILABLE)
    if isinstance(err, ValueError):
        # Our own checks (the store's unknown outcome) say what is wrong without personal data.
        return permanent(str(err), INVALID_RECORD)
    if isinstance(err, OSError):
        # strerror is the system's fixed text ("Connection refused"); other OSErrors (smtplib's)
        # may quote recipients, so they are named by class only.
        why = f": {err.strerror}" if err.strerror else ""
        return transient(f"{type(err).__name__}{why}", IO_ERROR)
    # Unknown: retried within the bound, named by its class only (its text is unknown).
    return transient(type(err).__name__, UNEXPECTED)
