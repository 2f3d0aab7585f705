"""Every app's shipped reference data, loaded in dependency order (idempotent)."""

from django.db import transaction

from cuakhau.core import progress


@transaction.atomic
def load_all() -> dict[str, int]:
    from cuakhau.fees.services import load_schedules
    from cuakhau.gate.services import ensure_lanes
    from cuakhau.market.services import load_market_rules
    from cuakhau.reference.services import load_reference_data

    with progress.stage("Border gates and the HS 2022 nomenclature") as step:
        counts = dict(load_reference_data())
        step.done_note = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())
    with progress.stage("Fee schedules") as step:
        counts["fee_schedules"] = load_schedules()
        step.done_note = f"{counts['fee_schedules']:,}"
    with progress.stage("Lanes") as step:
        counts["lanes"] = ensure_lanes()
        step.done_note = f"{counts['lanes']:,}"
    with progress.stage("Market-access rules") as step:
        counts["market_rules"] = load_market_rules()
        step.done_note = f"{counts['market_rules']:,}"
    # The one-stop desk (issue 11): the starter procedure catalogue and the official schedule.
    from cuakhau.desk.loading import load_all as load_desk

    with progress.stage("One-stop desk: procedures and official day-off schedule") as step:
        desk = load_desk()
        counts["desk_procedures"] = desk["created"] + desk["updated"]
        step.done_note = f"{desk['created']} new, {desk['updated']} updated procedures"
    # Statistics (issue 12): the monthly exchange rates; the board's own rates are kept.
    from cuakhau.stats.loading import load_rates, rates_note

    with progress.stage("Exchange rates") as step:
        rates = load_rates()
        counts["exchange_rates"] = rates["created"] + rates["updated"]
        step.done_note = rates_note(rates)
    return counts
