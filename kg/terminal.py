"""Query answers for a person at a terminal: every value in full (IRIs are never cut short), in a
table that fits the terminal's width by wrapping its cells, or as one block per row (`records`).

The width is the terminal's (`COLUMNS`, else the terminal, else 120 when the output is not one)."""

from __future__ import annotations

import shutil
import textwrap

MIN_COLUMN = 12


def _text(term) -> str:
    return "" if term is None else " ".join(term.value.split())


def terminal_width() -> int:
    return max(shutil.get_terminal_size(fallback=(120, 24)).columns, 40)


def _widths(names: list[str], rows: list[list[str]], width: int) -> list[int]:
    """Each column's width: its widest value if all fit; else the space shared out, no column
    narrower than its name (or MIN_COLUMN), the wide columns taking the rest in proportion."""
    natural = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    room = width - 2 * (len(names) - 1)
    if sum(natural) <= room:
        return natural
    floor = [min(w, max(len(n), MIN_COLUMN)) for w, n in zip(natural, names)]
    spare = max(room - sum(floor), 0)
    wants = [w - f for w, f in zip(natural, floor)]
    total = sum(wants) or 1
    return [f + (spare * want) // total for f, want in zip(floor, wants)]


def table(names: list[str], rows: list[list[str]], width: int) -> str:
    widths = _widths(names, rows, width)
    wrapped = any(len(c) > w for r in rows for c, w in zip(r, widths))

    def lines(cells: list[str]) -> list[str]:
        parts = [textwrap.wrap(c, w, break_long_words=True, break_on_hyphens=False) or [""]
                 for c, w in zip(cells, widths)]
        height = max(len(p) for p in parts)
        return ["  ".join((p[i] if i < len(p) else "").ljust(w) for p, w in zip(parts, widths)).rstrip()
                for i in range(height)]

    out = lines(names) + ["  ".join("-" * w for w in widths)]
    for r in rows:
        out += lines(r) + ([""] if wrapped else [])
    return "\n".join(out).rstrip("\n") + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def records(names: list[str], rows: list[list[str]], width: int) -> str:
    """One block per row: `name  value`, text wrapped under itself, an IRI whole on its line (to copy)."""
    pad = max(len(n) for n in names) + 2
    out = []
    for i, r in enumerate(rows, 1):
        out.append(f"-- row {i}")
        for name, value in zip(names, r):
            if value:
                wrapped = textwrap.wrap(value, max(width - pad, 20), break_long_words=False, break_on_hyphens=False)
                out.append(name.ljust(pad) + ("\n" + " " * pad).join(wrapped))
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def terminal_table(solutions, as_records: bool = False, width: int | None = None) -> str:
    """SELECT solutions as text for a terminal: a table (wrapped to fit), or records."""
    names = [v.value for v in solutions.variables]
    rows = [[_text(row[n]) for n in names] for row in solutions]
    width = width or terminal_width()
    if as_records:
        return records(names, rows, width)
    return table(names, rows, width)
