"""The table both plans print (`winback plan`, `winback saves plan`): fixed-width columns, then
the first reason; every further reason on its own line under the reason column."""

from __future__ import annotations

from collections.abc import Sequence


def reason_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], reasons: Sequence[Sequence[str]]
) -> list[str]:
    """`headers` end with the reason column's; `reasons[i]` are row i's, in order."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]
    indent = " " * (sum(widths) + 2 * len(widths))

    def line(cells: Sequence[str], reason: str) -> str:
        return ("".join(c.ljust(w + 2) for c, w in zip(cells, widths, strict=True)) + reason).rstrip()

    out = [line(headers[:-1], headers[-1])]
    for cells, said in zip(rows, reasons, strict=True):
        said = said or ("",)
        out.append(line(cells, said[0]))
        out.extend((indent + more).rstrip() for more in said[1:])
    return out
