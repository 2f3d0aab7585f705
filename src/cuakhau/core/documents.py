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


# The longest name a document is kept under (``TripDocument`` and ``ApplicationDocument``'s
# ``original_name``).
NAME_LENGTH = 200
# The endings a name may already have for each kind (a photo named ``.jpeg`` stays so).
NAME_ENDINGS = {"pdf": (".pdf",), "jpg": (".jpg", ".jpeg", ".jpe"), "png": (".png",)}


def kept_name(name: str | None, extension: str) -> str:
    """The name a document is kept (and handed back) under: the sender's, without control
    characters or folders, at most ``NAME_LENGTH`` characters with its extension kept, and
    ending in the extension of what the file really is (``scan.exe`` that is a PDF is handed
    back as ``scan.exe.pdf``, never opened as a program; ``invoice.html`` as
    ``invoice.html.pdf``, never opened as a page)."""
    name = "".join(c for c in (name or "") if c.isprintable())
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".") or "document"
    if not name.lower().endswith(NAME_ENDINGS.get(extension, (f".{extension}",))):
        name = f"{name}.{extension}"
    stem, _dot, suffix = name.rpartition(".")
    if len(name) > NAME_LENGTH:
        name = f"{stem[: NAME_LENGTH - len(suffix) - 1].rstrip()}.{suffix}"
    return name


def sizes_said(size: int, limit: int) -> tuple[str, str]:
    """A file's size and the upload limit as a refusal says them, in the reader's way of
    writing numbers ("5,2 MB"); in bytes when both would read the same ("5.0 MB; the limit is
    5 MB" for a file one byte over)."""
    from django.utils.formats import number_format

    def megabytes(n: int, places: int) -> str:
        return number_format(n / 1048576, decimal_pos=places, use_l10n=True) + " MB"

    size_said, limit_said = megabytes(size, 1), megabytes(limit, 1)
    if size_said == limit_said:
        as_bytes = number_format(size, use_l10n=True, force_grouping=True)
        limit_bytes = number_format(limit, use_l10n=True, force_grouping=True)
        return f"{as_bytes} B", f"{limit_bytes} B"
    return size_said, megabytes(limit, 0 if limit % 1048576 == 0 else 1)
