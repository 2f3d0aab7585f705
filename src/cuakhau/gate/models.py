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
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="lanes", verbose_name=_("gate")
    )
    code = models.CharField(_("lane"), max_length=8)
    direction = models.CharField(
        _("traffic direction"),
        max_length=8,
        choices=LaneDirection.choices,
        default=LaneDirection.BOTH,
    )
    is_open = models.BooleanField(_("open to traffic"), default=True)

    class Meta:
        ordering = ["gate", "code"]
        constraints = [models.UniqueConstraint(fields=["gate", "code"], name="lane_code_per_gate")]
        verbose_name = _("lane")
        verbose_name_plural = _("lanes")

    def __str__(self):
        return f"{self.gate.code.upper()} {self.code}"


class Visit(models.Model):
    """A truck's stay at the gate, from check-in to exit, with the device's own times."""

    # Indexed only as it is looked up (the gate's yard and day, by the two indexes below): an
    # index nobody reads is one more page every check-in and exit writes. Deleting a lane or a
    # user scans the visits instead; people are deactivated, not deleted.
    trip = models.OneToOneField(
        "trips.Trip", on_delete=models.PROTECT, related_name="visit", verbose_name=_("trip")
    )
    gate = models.ForeignKey(
        Gate,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
        verbose_name=_("gate"),
    )
    entry_lane = models.ForeignKey(
        Lane,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("entry lane"),
    )
    yard_position = models.CharField(_("yard position"), max_length=20, blank=True)
    arrived_at = models.DateTimeField(_("arrived"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("checked in by"),
    )
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    exit_lane = models.ForeignKey(
        Lane,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("exit lane"),
    )
    exited_at = models.DateTimeField(_("exited"), null=True, blank=True)
    exited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("exit recorded by"),
    )

    class Meta:
        ordering = ["-arrived_at"]
        indexes = [
            models.Index(fields=["gate", "exited_at"]),
            models.Index(fields=["gate", "arrived_at"]),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"{self.trip_id} @ {self.gate_id}"


class EventKind(models.TextChoices):
    CHECK_IN = "check_in", _("check-in")
    EXIT = "exit", _("exit")
    WEIGHBRIDGE = "weighbridge", _("weighbridge reading")
    PLATE_READ = "plate_read", _("plate read")


class GateEvent(models.Model):
    """An event from a gate device, kept with the id the device made for it.

    A device that lost its network queues events and sends them later, possibly several times:
    the id makes each one count exactly once, and ``occurred_at`` keeps the device's own time.
    A check-in or exit pressed on the console online is kept too, under the id the console gave
    that press (``services.done_online``): its copy queued when the answer was lost is that
    action, not another.
    """

    client_id = models.UUIDField(_("device event ID"), unique=True)
    device_id = models.CharField(_("device ID"), max_length=80, blank=True)
    gate_device = models.ForeignKey(
        "Device",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("device"),
    )
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    trip = models.ForeignKey(
        "trips.Trip",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_events",
        verbose_name=_("trip"),
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("performed by"),
    )
    payload = models.JSONField(_("payload"), default=dict)
    accepted = models.BooleanField(_("accepted"))
    problems = models.JSONField(_("problems"), default=list)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("gate event")
        verbose_name_plural = _("gate events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.client_id}"


class WeighbridgeReading(models.Model):
    trip = models.ForeignKey(
        "trips.Trip", on_delete=models.CASCADE, related_name="weighings", verbose_name=_("trip")
    )
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    gross_kg = models.DecimalField(_("gross weight (kg)"), max_digits=9, decimal_places=1)
    # The vehicle's own weight (registration certificate): the weighbridge weighs the whole
    # truck, the declaration only the cargo.
    tare_kg = models.DecimalField(
        _("vehicle tare (kg)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    measured_at = models.DateTimeField(_("measured at"))
    source = models.CharField(
        _("source"), max_length=8, choices=[("manual", _("manual")), ("device", _("device"))]
    )
    device_id = models.CharField(_("device ID"), max_length=80, blank=True)
    gate_device = models.ForeignKey(
        "Device",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="weighings",
        verbose_name=_("device"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-measured_at"]
        verbose_name = _("weighbridge reading")
        verbose_name_plural = _("weighbridge readings")

    def __str__(self):
        return f"{self.trip_id}: {self.gross_kg} kg"

    @property
    def cargo_kg(self):
        return None if self.tare_kg is None else self.gross_kg - self.tare_kg


class PlateRead(models.Model):
    """What an automatic plate-reader camera saw; matched to a trip when one fits."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    lane = models.ForeignKey(
        Lane,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lane"),
    )
    camera_id = models.CharField(_("camera ID"), max_length=80)
    gate_device = models.ForeignKey(
        "Device",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plate_reads",
        verbose_name=_("device"),
    )
    plate_text = models.CharField(_("plate as read"), max_length=20)
    plate_key = models.CharField(_("plate search key"), max_length=20, db_index=True)
    confidence = models.DecimalField(
        _("confidence"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    read_at = models.DateTimeField(_("read at"))
    trip = models.ForeignKey(
        "trips.Trip",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trip"),
    )

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("plate read")
        verbose_name_plural = _("plate reads")

    def __str__(self):
        return f"{self.plate_text} @ {self.read_at}"


class DeviceKind(models.TextChoices):
    PLATE_CAMERA = "plate_camera", _("plate-reader camera")
    WEIGHBRIDGE = "weighbridge", _("weighbridge")
    TABLET = "tablet", _("gate tablet")


class Device(models.Model):
    """A machine at one gate (and lane) that calls the API with its own credential.

    Cameras and weighbridges are not people: they get no user account and no role, only the
    few operations their kind needs, at their own gate. Only the credential's hash is stored.
    """

    PREFIX = "ckd_"

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="devices", verbose_name=_("gate")
    )
    lane = models.ForeignKey(
        Lane,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("lane"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    # Each reading, read and event keeps its device's name whole: their columns are as wide.
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("key prefix"), max_length=12, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # A device given a new key (its old one leaked, or the tablet was set up again) keeps its
    # row, its events and its name; who gave the key in use and when. Empty: the first one.
    key_issued_at = models.DateTimeField(_("key issued"), null=True, blank=True)
    key_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("key issued by"),
    )

    class Meta:
        ordering = ["gate", "kind", "name"]
        verbose_name = _("gate device")
        verbose_name_plural = _("gate devices")
        constraints = [
            # Among the devices in service: a stolen tablet's name is its replacement's.
            models.UniqueConstraint(
                fields=["gate", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="device_name_per_gate",
                violation_error_message=_("This gate already has a device with this name."),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name} ({self.gate.code.upper()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    # A device is a caller, not a person: these let code that asks "is this a signed-in
    # person?" get a clear no.
    is_authenticated = False
    is_device = True


class KpiDay(models.Model):
    """The exited visits of one gate on one of its finished days, as the KPI page reads them.

    A visit is fixed once it has exited, so a day that is over never changes: the page reads
    its kept rows (one per gate and day) instead of every visit again, and works out only the
    day still going on. ``visits`` and ``visit_ids`` (how many, the sum of their ids) let the
    page check the kept days against the period's exits in the query it makes anyway;
    ``risk_stamp`` is the newest risk assessment when the day was kept (a reassessment changes
    a truck's channel). ``rows`` holds one list per figure, a value per visit.
    """

    gate = models.ForeignKey(
        Gate, on_delete=models.CASCADE, related_name="+", verbose_name=_("gate")
    )
    day = models.DateField(_("day"))
    # The zone the day was cut in: a gate moved to another clock has other days.
    time_zone = models.CharField(_("time zone"), max_length=64)
    visits = models.PositiveIntegerField(_("number of visits"))
    visit_ids = models.BigIntegerField(_("visit ID checksum"))
    risk_stamp = models.BigIntegerField(_("risk stamp"), null=True)
    rows = models.JSONField(_("kept rows"))
    kept_at = models.DateTimeField(_("kept at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gate", "day"], name="gate_kpi_day_unique")]
        verbose_name = _("KPI day")
        verbose_name_plural = _("KPI days")

    def __str__(self):
        return f"{self.gate_id} {self.day}: {self.visits}"
