"""Gate operations: lanes, the truck's visit (check-in to exit), device events, weighbridge."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cuakhau.reference.models import Gate


class LaneDirection(models.TextChoices):
    ENTRY = "entry", _("entry")
    EXIT = "exit", _("exit")
    BOTH = "both", _("entry and exit")


class Lane(models.Model):
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="lanes")
    code = models.CharField(_("lane"), max_length=8)
    direction = models.CharField(
        max_length=8, choices=LaneDirection.choices, default=LaneDirection.BOTH
    )
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["gate", "code"]
        constraints = [models.UniqueConstraint(fields=["gate", "code"], name="lane_code_per_gate")]

    def __str__(self):
        return f"{self.gate.code.upper()} {self.code}"


class Visit(models.Model):
    """A truck's stay at the gate, from check-in to exit, with the device's own times."""

    trip = models.OneToOneField("trips.Trip", on_delete=models.PROTECT, related_name="visit")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="visits")
    entry_lane = models.ForeignKey(
        Lane, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    yard_position = models.CharField(_("yard position"), max_length=20, blank=True)
    arrived_at = models.DateTimeField(_("arrived"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    exit_lane = models.ForeignKey(
        Lane, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exited_at = models.DateTimeField(_("exited"), null=True, blank=True)
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["gate", "exited_at"]),
            models.Index(fields=["gate", "arrived_at"]),
        ]

    def __str__(self):
        return f"{self.trip_id} at {self.gate_id}"


class EventKind(models.TextChoices):
    CHECK_IN = "check_in", _("check-in")
    EXIT = "exit", _("exit")
    WEIGHBRIDGE = "weighbridge", _("weighbridge reading")
    PLATE_READ = "plate_read", _("plate read")


class GateEvent(models.Model):
    """An event from a gate device, kept with the id the device made for it.

    A device that lost its network queues events and sends them later, possibly several times:
    the id makes each one count exactly once, and ``occurred_at`` keeps the device's own time.
    """

    client_id = models.UUIDField(unique=True)
    device_id = models.CharField(max_length=64, blank=True)
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    trip = models.ForeignKey(
        "trips.Trip", null=True, blank=True, on_delete=models.PROTECT, related_name="gate_events"
    )
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(default=dict)
    accepted = models.BooleanField()
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"{self.kind} {self.client_id}"


class WeighbridgeReading(models.Model):
    trip = models.ForeignKey("trips.Trip", on_delete=models.CASCADE, related_name="weighings")
    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="+")
    gross_kg = models.DecimalField(_("gross weight (kg)"), max_digits=9, decimal_places=1)
    # The vehicle's own weight (registration certificate): the weighbridge weighs the whole
    # truck, the declaration only the cargo.
    tare_kg = models.DecimalField(
        _("vehicle tare (kg)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    measured_at = models.DateTimeField()
    source = models.CharField(
        max_length=8, choices=[("manual", _("manual")), ("device", _("device"))]
    )
    device_id = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-measured_at"]

    def __str__(self):
        return f"{self.trip_id}: {self.gross_kg} kg"

    @property
    def cargo_kg(self):
        return None if self.tare_kg is None else self.gross_kg - self.tare_kg


class PlateRead(models.Model):
    """What an automatic plate-reader camera saw; matched to a trip when one fits."""

    gate = models.ForeignKey(Gate, on_delete=models.PROTECT, related_name="+")
    lane = models.ForeignKey(
        Lane, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    camera_id = models.CharField(max_length=64)
    plate_text = models.CharField(max_length=20)
    plate_key = models.CharField(max_length=20, db_index=True)
    confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    read_at = models.DateTimeField()
    trip = models.ForeignKey(
        "trips.Trip", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-read_at"]

    def __str__(self):
        return f"{self.plate_text} at {self.read_at}"
