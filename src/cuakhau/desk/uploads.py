"""Documents sent with an application: judged by their content, stored under the data dir.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (the "magic"), never by
the file name or the browser's content type, so ``invoice.pdf`` that is really a Windows
program, a shell script or a ZIP archive is refused. Files are stored as
``<data dir>/desk-documents/<random>.<type>`` outside ``MEDIA_ROOT`` (nothing serves that
folder): the desk's views hand a file only to its applicant or to a desk officer.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from cuakhau.core.documents import NAME_LENGTH, kept_name, sizes_said, sniff  # noqa: F401  (the desk's too)

# Named in the refusal so the sender knows why (executables, scripts, archives).
REFUSED = {
    b"MZ": "executable",
    b"\x7fELF": "executable",
    b"\xcf\xfa\xed\xfe": "executable",
    b"\xfe\xed\xfa\xce": "executable",
    b"#!": "script",
    b"PK\x03\x04": "archive",
    b"Rar!": "archive",
    b"7z\xbc\xaf": "archive",
    b"\x1f\x8b": "archive",
}
MAX_FILES = 10


class UploadRefused(ValueError):
    pass


def storage_dir() -> Path:
    path = Path(getattr(settings, "DESK_DOCUMENT_DIR", settings.DATA_DIR / "desk-documents"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(uploaded) -> tuple[str, str]:
    """``(content_type, extension)`` of an accepted upload; raises ``UploadRefused``."""
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        size, limit_said = sizes_said(uploaded.size, limit)
        raise UploadRefused(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": uploaded.name, "size": size, "limit": limit_said}
        )
    if uploaded.size == 0:
        raise UploadRefused(_("%(name)s is empty.") % {"name": uploaded.name})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    kind = sniff(head)
    if kind is None:
        if any(head.startswith(sig) for sig in REFUSED):
            raise UploadRefused(
                _("%(name)s is a program, a script or an archive; send PDF, JPEG or PNG.")
                % {"name": uploaded.name}
            )
        raise UploadRefused(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": uploaded.name})
    return kind


def store(uploaded, extension: str) -> tuple[str, str]:
    """Write the upload under a random name; returns ``(stored_name, sha256)``."""
    name = f"{secrets.token_urlsafe(24)}.{extension}"
    digest = hashlib.sha256()
    with open(storage_dir() / name, "xb") as out:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            out.write(chunk)
    return name, digest.hexdigest()


def path_of(stored_name: str) -> Path:
    # Stored names are ours (token_urlsafe + extension); refuse anything that could climb out.
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise UploadRefused("bad stored name")
    return storage_dir() / stored_name
