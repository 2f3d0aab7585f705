"""A secret or a signature a caller sent, compared with the one expected.

``hmac.compare_digest`` raises ``TypeError`` for a ``str`` holding any non-ASCII character, and
what a caller sends is theirs to write: a webhook's header, its JSON body or a query string
carried "é" and the provider's endpoint answered 500 where it refuses a wrong signature.
"""

import hmac


def matches(given: str | bytes, expected: str | bytes) -> bool:
    """Whether ``given`` is ``expected``, in constant time, whatever characters it holds."""
    return hmac.compare_digest(_raw(given), _raw(expected))


def _raw(value: str | bytes) -> bytes:
    # surrogatepass: a lone surrogate read from JSON is a mismatch, not a UnicodeEncodeError.
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
