"""Time slots at a gate: capacity per hour, bookings with their audit trail, the waiting area."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.context import Channel
from cuakhau.core.inputs import AtLeast, AtMost
from cuakhau.reference.localize import LocalizedText, localized
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import Direction

from . import rules


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class PriorityClass(models.Model):
    """A priority class a manager defines beside the built-in perishable goods."""

    code = models.SlugField(_("code"), max_length=24, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    rank = models.PositiveSmallIntegerField(
        _("rank"),
        validators=[AtLeast(1), AtMost(rules.GENERAL_RANK - 1)],
        help_text=_("Lower is served first; perishable goods rank 10, other goods 100."),
    )
    hs_prefixes = models.CharField(
        _("HS prefixes"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated HS chapters, headings or subheadings, e.g. 01, 0301."),
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("priority class")
        verbose_name_plural = _("priority classes")

    def __str__(self):
        return self.code

    def as_rule(self) -> rules.PriorityClass:
        prefixes = tuple(p.strip() for p in self.hs_prefixes.split(",") if p.strip())
        return rules.PriorityClass(self.code, self.rank, prefixes)


class SlotCapacity(models.Model):
    """How many trucks an hour of a gate's direction takes: on a weekday, or on one date
    (which overrides the weekday)."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="slot_capacities", verbose_name=_("gate")
    )
    direction = models.CharField(
        pgettext_lazy("traffic", "direction"), max_length=16, choices=Direction.choices
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    hour = models.PositiveSmallIntegerField(_("hour"), validators=[AtLeast(0), AtMost(23)])
    lanes = models.PositiveSmallIntegerField(
        pgettext_lazy("how many", "lanes"), validators=[AtLeast(0), AtMost(50)]
    )
    trucks_per_lane_hour = models.PositiveSmallIntegerField(
        _("trucks per lane-hour"), validators=[AtLeast(0), AtMost(120)]
    )
    # Seats reserved per priority class code, e.g. {"perishable": 6}.
    quotas = models.JSONField(_("reserved seats per class"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["gate", "direction", "date", "weekday", "hour"]
        verbose_name = _("slot capacity")
        verbose_name_plural = _("slot capacities")
        permissions = [("manage_capacity", _("Can set the slot capacity of its gates"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=True) ^ models.Q(date__isnull=True),
                name="slot_capacity_weekday_or_date",
                violation_error_message=_("Give exactly one of the two: a weekday or a date."),
            ),
            models.UniqueConstraint(
                fields=["gate", "direction", "weekday", "hour"],
                condition=models.Q(date__isnull=True),
                name="slot_capacity_per_weekday_hour",
                violation_error_message=_(
                    "This gate already has a capacity for this direction, weekday and hour."
                ),
            ),
            models.UniqueConstraint(
                fields=["gate", "direction", "date", "hour"],
                condition=models.Q(weekday__isnull=True),
                name="slot_capacity_per_date_hour",
                violation_error_message=_(
                    "This gate already has a capacity for this direction, date and hour."
                ),
            ),
        ]

    def __str__(self):
        when = self.date.isoformat() if self.date else self.get_weekday_display()
        return f"{self.gate.code.upper()} {self.get_direction_display()} {when} {self.hour:02d}:00"

    def as_rule(self) -> rules.HourCapacity:
        return rules.HourCapacity(
            self.lanes, self.trucks_per_lane_hour, {k: int(v) for k, v in self.quotas.items()}
        )


class Slot(models.Model):
    """One hour of one gate's direction that has bookings: the row a booking locks, so two
    bookings for the last seat are decided one after the other."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    direction = models.CharField(
        pgettext_lazy("traffic", "direction"), max_length=16, choices=Direction.choices
    )
    start = models.DateTimeField(_("start time"))

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["gate", "direction", "start"], name="slot_once")
        ]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")

    def __str__(self):
        return (
            f"{self.gate.code.upper()} {self.get_direction_display()} {self.start:%Y-%m-%d %H:%M}"
        )


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    MOVED = "moved", _("Moved to another slot")
    CANCELLED = "cancelled", _("Cancelled")
    WAITING = "waiting", _("In the waiting area")
    CALLED = "called", _("Called forward")
    ENTERED = "entered", _("Entered the gate")
    NO_SHOW = "no_show", _("No-show")


# Bookings that hold a seat of their hour.
HOLDING = [BookingStatus.BOOKED, BookingStatus.WAITING, BookingStatus.CALLED, BookingStatus.ENTERED]
# Bookings a trip can have only one of at a time.
OPEN = [BookingStatus.BOOKED, BookingStatus.WAITING, BookingStatus.CALLED]


class Booking(models.Model):
    trip = models.ForeignKey(
        "trips.Trip", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("trip")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    direction = models.CharField(
        pgettext_lazy("traffic", "direction"), max_length=16, choices=Direction.choices
    )
    slot_start = models.DateTimeField(_("slot"))
    priority_class = models.CharField(_("priority class"), max_length=24)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=BookingStatus.choices,
        default=BookingStatus.BOOKED,
        editable=False,
    )
    moved_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moved_to",
        verbose_name=_("moved from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["slot_start", "id"]
        verbose_name = _("slot booking")
        verbose_name_plural = _("slot bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["trip"],
                condition=models.Q(status__in=["booked", "waiting", "called"]),
                name="one_open_booking_per_trip",
                violation_error_message=_("This trip already has an open booking."),
            )
        ]
        indexes = [models.Index(fields=["slot", "status"])]

    def __str__(self):
        return f"{self.trip_id} @ {self.slot_start:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class BookingTransition(models.Model):
    """The audit trail of a booking: who, when, from where, why."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("booking")
    )
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("performed by"),
    )
    at = models.DateTimeField(_("time"))
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(
        _("channel used"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")

    def __str__(self):
        from .services import BOOKING_MACHINE  # the services import the models

        return f"{self.booking_id}: {BOOKING_MACHINE.step(self.from_status, self.to_status, self.action)}"


class ArrivalKind(models.TextChoices):
    EARLY = rules.EARLY, _("early")
    ON_TIME = rules.ON_TIME, _("on time")
    LATE = rules.LATE, _("late (served as a walk-in)")
    WALK_IN = rules.WALK_IN, _("walk-in without a slot")


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    CALLED = "called", _("called forward")
    ENTERED = "entered", _("entered the gate")
    LEFT = "left", _("left the waiting area")
    # Called, but not at the gate by the call's deadline: the call and its place went to the
    # next truck (``services.expire_calls``). Reported again, the truck waits anew.
    MISSED = "missed", _("call missed")


class WaitingArea(models.Model):
    """A gate's waiting area (its yard or a parking zone outside it) and how many trucks the
    gate itself takes at once: a truck is called forward when fewer are inside."""

    gate = models.OneToOneField(
        Gate, on_delete=models.PROTECT, related_name="waiting_area", verbose_name=_("gate")
    )
    # ``name`` is the Vietnamese one, the name on the signs; the others are for the readers of
    # the English and Chinese pages, who see the Vietnamese, marked as such, where one is missing.
    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    gate_places = models.PositiveSmallIntegerField(
        _("places inside the gate"), validators=[AtLeast(1), AtMost(500)]
    )

    class Meta:
        verbose_name = _("waiting area")
        verbose_name_plural = _("waiting areas")

    def __str__(self):
        return self.name

    @property
    def shown_name(self) -> LocalizedText:
        """The name in the reader's language, or the first there is (``reference.localize``)."""
        return localized(self.name, self.name_en, self.name_zh)


class WaitingEntry(models.Model):
    """A truck in the waiting area, from its arrival until it entered the gate or left."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    direction = models.CharField(
        pgettext_lazy("traffic", "direction"), max_length=16, choices=Direction.choices
    )
    trip = models.ForeignKey(
        "trips.Trip",
        on_delete=models.PROTECT,
        related_name="waiting_entries",
        verbose_name=_("trip"),
    )
    booking = models.ForeignKey(
        Booking,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waiting_entries",
        verbose_name=_("booking"),
    )
    kind = models.CharField(_("arrival"), max_length=8, choices=ArrivalKind.choices)
    priority_class = models.CharField(_("priority class"), max_length=24)
    priority_rank = models.PositiveSmallIntegerField(_("priority rank"))
    # The slot the call-forward ranks it by; empty for walk-ins and late trucks.
    slot_start = models.DateTimeField(_("slot"), null=True, blank=True)
    arrived_at = models.DateTimeField(pgettext_lazy("waiting area", "arrived"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # The camera that reported it, when no person did: a device's report names the device.
    recorded_by_device = models.ForeignKey(
        "gate.Device",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("recorded by device"),
    )
    source = models.CharField(
        _("source"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    status = models.CharField(
        _("status"), max_length=8, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    # Empty with a call time: the platform called it on its own (the call-forward task).
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called by"),
    )
    left_at = models.DateTimeField(_("entered or left"), null=True, blank=True)

    class Meta:
        ordering = ["arrived_at", "id"]
        verbose_name = _("waiting-area entry")
        verbose_name_plural = _("waiting-area entries")
        constraints = [
            models.UniqueConstraint(
                fields=["trip"],
                condition=models.Q(status__in=["waiting", "called"]),
                name="trip_waits_once",
                violation_error_message=_("This trip is already in the waiting area queue."),
            )
        ]
        indexes = [models.Index(fields=["gate", "status"])]

    def __str__(self):
        return f"{self.trip_id} {self.get_status_display()}"

    def as_rule(self) -> rules.Waiting:
        return rules.Waiting(
            key=self.pk,
            arrived_at=self.arrived_at,
            slot_start=self.slot_start,
            rank=self.priority_rank,
            direction=self.direction,
        )
