"""File names of downloads, readable in every browser (RFC 6266)."""

import re
import unicodedata

from django.utils.http import content_disposition_header


def content_disposition(filename: str, *, as_attachment: bool = True) -> str:
    """``attachment; filename="Ma_Lu_Thang.csv"; filename*=utf-8''Ma_L%C3%B9_Th%C3%A0ng.csv``.

    Django's ``content_disposition_header`` writes the RFC 6266 ``filename*`` (UTF-8,
    percent-encoded) for a non-ASCII name; the plain ``filename`` before it is the ASCII
    fallback RFC 6266 section 4.3 recommends for clients that do not read ``filename*``.
    Never set a non-ASCII name as a plain header value: Django would then encode the whole
    header as RFC 2047, which browsers do not read as a file name.
    """
    header = content_disposition_header(as_attachment, filename)
    if "filename*=" not in header:
        return header  # a plain ASCII name: one quoted filename is all there is
    folded = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = folded.encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'[^\x21-\x7e]|["\\]', "_", ascii_name) or "download"
    disposition, encoded = header.split("; ", 1)
    return f'{disposition}; filename="{ascii_name}"; {encoded}'
