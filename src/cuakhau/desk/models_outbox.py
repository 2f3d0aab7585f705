"""The portal outbox's rows (issue 11): one ``OutboxEvent`` per status change of an application,
written in the change's own transaction, published later by ``desk.outbox``.

Imported at the end of ``desk.models`` so Django registers the models with the desk app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxSequence(models.Model):
    """The one counter row the events take their sequence number from. Locked until the change
    commits, so numbers are gap-free and in commit order: a consumer that sees 41 then 43 knows
    it missed 42, and a publisher never passes over an event that commits late."""

    name = models.CharField(_("name"), max_length=20, primary_key=True)
    last = models.PositiveBigIntegerField(_("last number used"), default=0)

    class Meta:
        verbose_name = _("outbox sequence")
        verbose_name_plural = _("outbox sequences")

    def __str__(self):
        return f"{self.name}: {self.last}"


class OutboxEvent(models.Model):
    """A status change as a portal's status sync reads it; ``payload`` is the published record
    (built once, when the change happens, so a later edit of the file does not rewrite it)."""

    sequence = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    application = models.ForeignKey(
        "desk.Application",
        on_delete=models.PROTECT,
        related_name="outbox_events",
        verbose_name=_("application"),
    )
    tracking_code = models.CharField(_("tracking code"), max_length=16, db_index=True)
    action = models.CharField(_("action"), max_length=24)
    status = models.CharField(_("status"), max_length=24)
    portal_status = models.CharField(_("portal status"), max_length=4)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("number of attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["published_at", "sequence"], name="desk_outbox_pending")]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self):
        return f"#{self.sequence} {self.tracking_code} {self.status}"
