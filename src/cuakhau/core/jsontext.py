"""JSON read from outside the platform: a scanned QR, a webhook, a request body, a form.

Python's reader gives up on nesting deeper than its recursion limit with ``RecursionError``,
which no caller's ``except ValueError`` caught: a QR of 3,000 "[" or a webhook of the kind
answered 500. Here it is a ``JSONDecodeError`` like any other unreadable text. Free of Django,
as ``receipts.signing`` is.
"""

import json


def read_json(text, **kwargs):
    """``json.loads(text, **kwargs)``, refusing too deep a nesting as unreadable JSON."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise json.JSONDecodeError(
            "nested more deeply than JSON is read here", text if isinstance(text, str) else "", 0
        ) from None
