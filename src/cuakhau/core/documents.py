"""The kinds of document a person may send (a trip's papers, a desk application's), told by
their first bytes (the "magic"), never by the file name or the browser's content type."""

from __future__ import annotations

# First bytes → (content type, the extension a stored file gets).
SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}
_EXTENSIONS = dict(SIGNATURES.values())


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content_type, extension)`` of a file beginning with ``head``; None for any other kind."""
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def extension_of(content_type: str) -> str:
    """The extension a stored file of this (sniffed) type gets: ``bin`` for none of ours."""
    return _EXTENSIONS.get(content_type, "bin")
