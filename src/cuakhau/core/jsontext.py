"""JSON read from outside the platform: a scanned QR, a webhook, a request body, a form.

No document of ours nests deeper than a few levels. Python's reader gave up on deep nesting
with ``RecursionError`` (3.11) or read it (3.12 on, whose C reader goes deeper), leaving the
recursion to whatever walked the value next; neither was caught by a caller's
``except ValueError``: a QR of 3,000 "[" or a webhook of the kind answered 500. Here nesting
past ``MAX_DEPTH`` is a ``JSONDecodeError`` like any other unreadable text, on every Python.
Free of Django, as ``receipts.signing`` is.
"""

import json

MAX_DEPTH = 64


def depth_of(value, limit: int = MAX_DEPTH) -> int:
    """How deep ``value`` nests (a scalar is 0), counted without recursion; stops past
    ``limit`` and answers ``limit + 1``."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            if depth > limit:
                return limit + 1
            deepest = max(deepest, depth)
            pending.extend(
                (child, depth) for child in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def read_json(text, **kwargs):
    """``json.loads(text, **kwargs)``, refusing nesting past ``MAX_DEPTH`` as unreadable JSON."""
    document = text if isinstance(text, str) else ""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = depth_of(value) > MAX_DEPTH
    if too_deep:
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels deep", document, 0)
    return value
