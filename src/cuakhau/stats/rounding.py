"""Rounded figures that add up as shown: one rule for every page, report and file that shows
parts with their total in whole dollars (or cents).

Each figure rounded on its own, 10.50 + 20.50 read 11 + 21 beside a turnover of 31, and a
column of twelve months read a dollar or two off its total. Instead the total is rounded from
the exact sum, and the parts share that total by the largest-remainder method: each part is
its exact value rounded down, and the dollars left over go to the parts that lost the most in
rounding down. Every part shown is still its exact value rounded up or down.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal


def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def rounded(value, places: int = 0) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals (None stays None)."""
    if value is None:
        return None
    return Decimal(value).quantize(_unit(places), ROUND_HALF_UP)


def distribute(parts, total, places: int = 0) -> list[Decimal | None]:
    """``parts`` (exact, None for none) rounded so that they add up to ``total`` (already
    rounded): each rounded down, then one unit more for the parts with the largest remainder
    (the first of equal ones) until the total is reached. ``total`` must lie within a unit per part of the exact sum, as a total rounded
    from it does."""
    unit = _unit(places)
    exact = [None if p is None else Decimal(p) for p in parts]
    floors = [None if p is None else p.quantize(unit, ROUND_FLOOR) for p in exact]
    shown = list(floors)
    present = [i for i, p in enumerate(exact) if p is not None]
    left = int((Decimal(total) - sum((floors[i] for i in present), Decimal(0))) / unit)
    # A part with nothing to round (an exact whole dollar) never gets a unit more.
    candidates = [i for i in present if exact[i] != floors[i]]
    order = sorted(candidates, key=lambda i: (-(exact[i] - floors[i]), i))
    if not 0 <= left <= len(order):
        raise ValueError(f"{total} cannot be shared by {parts} at {places} places")
    for i in order[:left]:
        shown[i] += unit
    return shown


def shown_parts(parts, places: int = 0) -> tuple[list[Decimal | None], Decimal]:
    """``parts`` and their total as shown: the total rounded from the exact sum, the parts
    sharing it (``distribute``)."""
    total = rounded(sum((Decimal(p) for p in parts if p is not None), Decimal(0)), places)
    return distribute(parts, total, places), total


def shown_grid(
    rows: list[list], sums: dict[int, tuple[int, ...]] | None = None, places: int = 0
) -> tuple[list[list], list]:
    """A table of exact figures (``rows``, each a list of numbers or None) as shown, with its
    total row: each column adds up to its total, rounded from the exact sum; and in each row
    (and the total row) a column of ``sums`` (turnover) is the sum of its part columns
    (exports, imports) as shown.

    Every figure shown is its exact value rounded up or down, but for a part whose rows
    could not all be so while adding up (rare: a part column's total may then be a unit
    further from its exact sum)."""
    sums = sums or {}
    unit = _unit(places)
    # The sums name their columns: a table without a row (the coming year's) still has them.
    named = [c for summed, parts in sums.items() for c in (summed, *parts)]
    width = max([len(row) for row in rows] + [c + 1 for c in named], default=0)
    columns = [[row[c] for row in rows] for c in range(width)]

    def exact_total(column):
        values = [Decimal(v) for v in column if v is not None]
        return sum(values, Decimal(0)) if values else None

    totals: list = [None] * width
    shown_columns: list[list] = [None] * width
    in_sums = {part for parts in sums.values() for part in parts}
    for c in range(width):
        if c in sums or c in in_sums:
            continue
        total = exact_total(columns[c])
        totals[c] = rounded(total, places)
        shown_columns[c] = distribute(columns[c], totals[c] or 0, places)
    for summed, parts in sums.items():
        # The summed column (turnover) first, as any column: each row's figure its exact value
        # rounded up or down, the column adding up to its total rounded from the exact sum.
        whole = [
            None
            if all(columns[p][r] is None for p in parts)
            else sum(Decimal(columns[p][r] or 0) for p in parts)
            for r in range(len(rows))
        ]
        totals[summed] = rounded(exact_total(whole), places)
        shown_columns[summed] = distribute(whole, totals[summed] or 0, places)
        # Then each part in turn takes its share of what is left of each row's figure, rounded
        # up or down where what is left still fits the parts after it; among the rows free to
        # choose, those with the largest remainder are rounded up, as many as bring the
        # column nearest its exact total.
        left = [Decimal(v or 0) for v in shown_columns[summed]]
        for n, part in enumerate(parts):
            column = columns[part]
            if n == len(parts) - 1:
                shown_columns[part] = [
                    None if column[r] is None else left[r] for r in range(len(rows))
                ]
                totals[part] = sum(left, Decimal(0)) if exact_total(column) is not None else None
                break
            rest = parts[n + 1 :]
            floors = [Decimal(v or 0).quantize(unit, ROUND_FLOOR) for v in column]
            forced, free = set(), []
            for r in range(len(rows)):
                low = sum(Decimal(columns[p][r] or 0).quantize(unit, ROUND_FLOOR) for p in rest)
                high = sum(Decimal(columns[p][r] or 0).quantize(unit, ROUND_CEILING) for p in rest)
                up_allowed = Decimal(column[r] or 0) != floors[r]
                fits = [e for e in (0, 1) if low <= left[r] - floors[r] - e * unit <= high]
                if up_allowed and fits == [0, 1]:
                    free.append(r)
                elif up_allowed and fits == [1]:
                    forced.add(r)
            exact_sum = exact_total(column) or Decimal(0)
            wanted = int((rounded(exact_sum, places) - sum(floors, Decimal(0))) / unit)
            ups = min(max(wanted - len(forced), 0), len(free))
            free.sort(key=lambda r: (-(Decimal(column[r]) - floors[r]), r))
            chosen = forced | set(free[:ups])
            shown_columns[part] = [
                None if column[r] is None else floors[r] + (unit if r in chosen else 0)
                for r in range(len(rows))
            ]
            totals[part] = sum((v or 0 for v in shown_columns[part]), Decimal(0))
            if exact_total(column) is None:
                totals[part] = None
            left = [left[r] - (shown_columns[part][r] or 0) for r in range(len(rows))]
    shown_rows = [[shown_columns[c][r] for c in range(width)] for r in range(len(rows))]
    return shown_rows, totals
