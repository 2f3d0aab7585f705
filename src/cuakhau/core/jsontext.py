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


def nodes(value):
    """Every value inside ``value``, itself and dict keys included, with how many arrays and
    objects enclose it; walked without recursion."""
    pending = [(value, 0)]
    while pending:
        item, enclosing = pending.pop()
        yield item, enclosing
        if isinstance(item, dict):
            pending.extend((child, enclosing + 1) for child in (*item.keys(), *item.values()))
        elif isinstance(item, list):
            pending.extend((child, enclosing + 1) for child in item)


def depth_of(value, limit: int = MAX_DEPTH) -> int:
    """How deep ``value`` nests (a scalar is 0); stops past ``limit`` and answers ``limit + 1``."""
    deepest = 0
    for item, enclosing in nodes(value):
        if isinstance(item, dict | list):
            deepest = max(deepest, enclosing + 1)
            if deepest > limit:
                return limit + 1
    return deepest


def _brackets(text) -> float:
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    if isinstance(text, bytes | bytearray):
        return text.count(b"[") + text.count(b"{")
    return float("inf")  # a file or another reader's value: walked


def read_json(text, **kwargs):
    """``json.loads(text, **kwargs)``, refusing nesting past ``MAX_DEPTH`` as unreadable JSON."""
    document = text if isinstance(text, str) else ""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        value = None
        too_deep = True
    else:
        # No value nests deeper than the text has opening brackets (strings' included): most
        # documents are told apart by a count in C, not a walk of every value.
        too_deep = _brackets(text) > MAX_DEPTH and depth_of(value) > MAX_DEPTH
    if too_deep:
        raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels deep", document, 0)
    return value
