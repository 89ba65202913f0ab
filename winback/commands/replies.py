"""Replies as the classifier sees them: `classify-reply`, for support staff asking "why did this
sequence stop?". The verdict is `inbound/classify.py`'s, the same the webhook acts on."""

from __future__ import annotations

import json
from pathlib import Path

import click

from inbound.classify import classify
from inbound.message import NotAnEmail, parse_email
from winback.commands.common import EXIT_BAD_INPUT, fail

# Far beyond what mail servers accept (tens of MB): a bigger file is no email, and reading it
# would only make the command look hung.
MAX_EMAIL_BYTES = 100 * 1024 * 1024


def read_email(path_text: str) -> bytes:
    """The file's bytes; a file that cannot be read is one line and exit 2."""
    path = Path(path_text)
    try:
        if path.is_dir():
            fail(f"{path_text}: is a folder; give one .eml file", EXIT_BAD_INPUT)
        size = path.stat().st_size
        if size > MAX_EMAIL_BYTES:
            fail(
                f"{path_text}: {size // (1024 * 1024)} MB is too big for an email "
                f"(at most {MAX_EMAIL_BYTES // (1024 * 1024)} MB); give one .eml file",
                EXIT_BAD_INPUT,
            )
        return path.read_bytes()
    except FileNotFoundError:
        fail(f"{path_text}: no such file; give the path of an .eml file", EXIT_BAD_INPUT)
    except OSError as err:
        fail(f"{path_text}: cannot be read ({err.strerror or type(err).__name__})", EXIT_BAD_INPUT)


@click.command("classify-reply")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="One object: kind, return_date, language, evidence.")
def classify_reply(file: str, as_json: bool) -> None:
    """What an .eml reply is (reply, decline, out_of_office, left_company, bounce, unsubscribe)
    and the header or phrase that decided."""
    try:
        message = parse_email(read_email(file))
    except NotAnEmail as err:
        fail(f"{file}: {err}", EXIT_BAD_INPUT)
    verdict = classify(message)
    if as_json:
        click.echo(json.dumps(verdict.to_json(), indent=2))
        return
    click.echo(verdict.summary())


COMMANDS = (classify_reply,)
