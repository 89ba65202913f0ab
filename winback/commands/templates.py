"""`winback templates check`: the message templates, every locale against English.

The rules are campaigns/template_check.py's; this prints one line per problem and exits 1 when
there is any, so `make test` fails on a missing or mistaken translation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from campaigns import locales, templating
from campaigns import template_check as rules


@click.group("templates")
def templates() -> None:
    """The message templates in every locale."""


@templates.command("check")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The templates folder to check (default: the installed templates).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"ok": ..., "problems": [{"file", "problem"}]}.')
def check(root: Path | None, as_json: bool) -> None:
    """Every template exists in every locale (or is a listed fallback), uses the same variables as
    English, renders with sample data, and holds no other locale's script; exit 1 on any problem."""
    folder = root if root is not None else templating.ROOT
    if not (folder / templating.DEFAULT_LOCALE).is_dir():
        click.echo(f"{folder}: no {templating.DEFAULT_LOCALE}/ folder of templates here", err=True)
        sys.exit(2)
    problems = rules.check(folder)
    if as_json:
        doc = {"ok": not problems, "problems": [{"file": p.path, "problem": p.problem} for p in problems]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif problems:
        click.echo("\n".join(p.line() for p in problems), err=True)
    else:
        present = [loc for loc in locales.SUPPORTED if (folder / loc).is_dir()]
        waiting = [loc for loc in locales.SUPPORTED if loc not in present]
        line = f"templates ok: {len(rules.names(folder))} templates in {', '.join(present)}"
        if waiting:
            line += f"; English stands in for {', '.join(waiting)} until their translations land"
        click.echo(line)
    if problems:
        sys.exit(1)


COMMANDS = (templates,)
