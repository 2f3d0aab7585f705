"""Is a signed webhook call fresh? A captured call replayed later carries its old timestamp.

Every provider that signs a timestamp with its call (the bank's and SePay's payment webhooks,
Zalo's OA events) is checked here, against the same window: ``WEBHOOK_TOLERANCE_SECONDS``
either side of now (clocks drift a little both ways).
"""

import time

WEBHOOK_TOLERANCE_SECONDS = 300


def is_unix_time(timestamp: str) -> bool:
    # ASCII digits only: str.isdigit() also takes "²" or "١٢٣", which int() refuses or reads.
    return timestamp.isascii() and timestamp.isdigit()


def is_fresh(
    timestamp: str,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
    now: float | None = None,
    *,
    per_second: int = 1,
) -> bool:
    """True when ``timestamp`` (Unix time in ASCII digits; ``per_second`` 1000 when it counts
    milliseconds, as Zalo's do) is within ``tolerance`` seconds of ``now``."""
    if not is_unix_time(timestamp):
        return False
    # More than 12 digits of seconds is no moment at all (year 33658 and beyond): refused before
    # it is read, where it would overflow the float of now.
    if len(timestamp) > 12 + len(str(per_second)) - 1:
        return False
    now = time.time() if now is None else now
    return abs(now - int(timestamp) / per_second) <= tolerance
