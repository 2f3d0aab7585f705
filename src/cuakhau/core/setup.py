"""Every app's shipped reference data, loaded in dependency order (idempotent)."""

from django.db import transaction


@transaction.atomic
def load_all() -> dict[str, int]:
    from cuakhau.fees.services import load_schedules
    from cuakhau.gate.services import ensure_lanes
    from cuakhau.market.services import load_market_rules
    from cuakhau.reference.services import load_reference_data

    counts = dict(load_reference_data())
    counts["fee_schedules"] = load_schedules()
    counts["lanes"] = ensure_lanes()
    counts["market_rules"] = load_market_rules()
    return counts
