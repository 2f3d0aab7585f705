from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The first answer to a ``POST`` sent with an ``Idempotency-Key`` header, kept for replays.

    A key belongs to one caller (a person or a device): another caller's key of the same text is
    another row. The row and the writes of the request it answers are committed in one
    transaction, so a stored answer always describes what was committed, and an answer that was
    not stored means nothing was committed.
    """

    caller = models.CharField(_("caller"), max_length=100)
    key = models.CharField(_("idempotency key"), max_length=255)
    # SHA-256 of the method, path, query and body: the same key with another request is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(_("HTTP method"), max_length=8)
    path = models.CharField(_("request path"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("response status code"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.BinaryField(_("response body"), default=b"")
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_per_caller")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
