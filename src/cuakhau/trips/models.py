import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cuakhau.accounts.models import Organisation
from cuakhau.core.documents import extension_of
from cuakhau.core.inputs import AtLeast, AtMost, exactly_stored
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import (
    validate_container_number,
    validate_country,
    validate_currency,
    validate_hs_code,
    validate_plate,
)

from .choices import (
    Channel,
    ContainerSize,
    Direction,
    DocumentKind,
    QuantityUnit,
    TripStatus,
    VehicleType,
)


class Trip(models.Model):
    """One crossing of one vehicle through one gate, declared by an organisation."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    # Both looked up by the indexes that begin with them (Meta.indexes), not by one of their own.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="trips",
        db_index=False,
        verbose_name=_("organisation"),
    )
    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="trips", verbose_name=_("gate"), db_index=False
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    expected_arrival = models.DateTimeField(_("expected arrival"))
    tractor_plate = models.CharField(_("tractor plate"), max_length=20, validators=[validate_plate])
    tractor_plate_key = models.CharField(
        _("tractor plate search key"), max_length=20, db_index=True, editable=False
    )
    trailer_plate = models.CharField(
        _("trailer plate"), max_length=20, blank=True, validators=[validate_plate]
    )
    trailer_plate_key = models.CharField(
        _("trailer plate search key"), max_length=20, blank=True, db_index=True, editable=False
    )
    vehicle_type = models.CharField(
        _("vehicle type"), max_length=16, choices=VehicleType.choices, default=VehicleType.TRUCK
    )
    # The fee schedules bracket vehicles by their rated capacity (trọng tải), not by the load.
    capacity_tonnes = models.DecimalField(
        _("capacity (tonnes)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[AtLeast(Decimal("0.5")), AtMost(Decimal("80"))],
    )
    container_size = models.CharField(
        _("container size"), max_length=2, choices=ContainerSize.choices, blank=True
    )
    driver_name = models.CharField(_("driver name"), max_length=120)
    driver_nationality = models.CharField(
        _("driver nationality"), max_length=2, validators=[validate_country]
    )
    driver_document_number = models.CharField(_("driver ID or passport number"), max_length=30)
    driver_phone = models.CharField(_("driver phone"), max_length=30)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TripStatus.choices,
        default=TripStatus.DRAFT,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-expected_arrival", "-id"]
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        permissions = [
            ("declare_trip", _("Can declare trips for its organisation")),
            ("reject_trip", _("Can reject a submitted trip")),
            ("cancel_any_trip", _("Can cancel any organisation's trip")),
            ("operate_gate", _("Can check trucks in and out at its gates")),
            ("inspect_trip", _("Can record inspections at its gates")),
        ]
        indexes = [
            models.Index(fields=["gate", "status", "expected_arrival"]),
            models.Index(fields=["organisation", "status"]),
            # The lists' order: a page of an officer's or the board's list is read in order,
            # not sorted out of every trip (80,000 on the 90-day demo: 110-420 ms a page).
            models.Index(fields=["-expected_arrival", "-id"], name="trip_list_order"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_editable(self) -> bool:
        return self.status == TripStatus.DRAFT

    @property
    def total_gross_kg(self):
        return sum((line.gross_weight_kg for line in self.cargo_lines.all()), 0)


class CargoLine(models.Model):
    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="cargo_lines", verbose_name=_("trip")
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    # Indexed: the risk rules compare a line with the history of its HS code by prefix (on
    # PostgreSQL Django adds the varchar_pattern_ops index that LIKE 'xxxx%' needs).
    hs_code = models.CharField(
        _("HS code"), max_length=10, validators=[validate_hs_code], db_index=True
    )
    description = models.CharField(_("description of goods"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=3,
        validators=[AtLeast(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=3, choices=QuantityUnit.choices)
    gross_weight_kg = models.DecimalField(
        _("gross weight (kg)"),
        max_digits=12,
        decimal_places=3,
        validators=[AtLeast(Decimal("0.001"))],
    )
    net_weight_kg = models.DecimalField(
        _("net weight (kg)"),
        max_digits=12,
        decimal_places=3,
        validators=[AtLeast(Decimal("0.001"))],
    )
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        validators=[AtLeast(Decimal(0)), exactly_stored],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    origin_country = models.CharField(
        _("country of origin"), max_length=2, validators=[validate_country]
    )
    packages = models.PositiveIntegerField(_("number of packages"), validators=[AtLeast(1)])
    phytosanitary_certificate = models.CharField(
        _("phytosanitary certificate no."), max_length=40, blank=True
    )
    customs_declaration = models.CharField(_("customs declaration no."), max_length=20, blank=True)
    # A container belongs to the trip; a line says which of them hold it. One container may
    # hold several lines (a mixed load), and one line may fill several containers.
    containers = models.ManyToManyField(
        "Container", related_name="cargo_lines", blank=True, verbose_name=_("containers")
    )

    class Meta:
        ordering = ["trip", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "line_no"], name="cargo_line_unique_no")
        ]
        verbose_name = _("cargo line")
        verbose_name_plural = _("cargo lines")

    def __str__(self):
        return f"{self.trip_id}/{self.line_no} {self.hs_code}"

    def clean(self):
        # clean() runs even when a field failed its own validation; compare only real numbers.
        gross, net = self.gross_weight_kg, self.net_weight_kg
        if isinstance(gross, Decimal) and isinstance(net, Decimal) and net > gross:
            raise ValidationError(
                {
                    "net_weight_kg": _(
                        "Net weight cannot be above the gross weight (%(gross)s kg)."
                    )
                    % {"gross": gross}
                }
            )


class Container(models.Model):
    """A container the trip's vehicle carries; kept as rows so a duplicate across trips is one
    query. Its cargo lines point at it (``cargo_lines``); an empty one has none."""

    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="containers", verbose_name=_("trip")
    )
    number = models.CharField(
        _("container number"), max_length=11, validators=[validate_container_number]
    )
    # Mirrors "the trip is submitted and not yet ended" (a draft holds no container against
    # another company's trip), so the database itself refuses one container on two active
    # trips (a partial unique index, on SQLite and PostgreSQL alike).
    active = models.BooleanField(_("on an active trip"), default=True)

    class Meta:
        ordering = ["trip", "number"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "number"], name="container_once_per_trip"),
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(active=True),
                name="container_on_one_active_trip",
                violation_error_message=_(
                    "This container is already on another trip that has not ended."
                ),
            ),
        ]
        verbose_name = _("container")
        verbose_name_plural = _("containers")

    def __str__(self):
        return self.number


class TripTransition(models.Model):
    """The audit trail of a trip's status: who, when, from where, why."""

    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("trip")
    )
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16)
    # Not indexed: nothing looks transitions up by their actor, and every transition would
    # write one more index page (deleting a user scans instead; people are deactivated).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("performed by"),
    )
    at = models.DateTimeField(_("time"))
    # As a person typed it; one the system wrote is also kept in each language in
    # ``reason_texts`` (``core.phrases``), read by ``reason_shown``.
    reason = models.TextField(_("reason"), blank=True)
    reason_texts = models.JSONField(_("reason in each language"), default=dict, blank=True)
    channel = models.CharField(
        _("channel used"), max_length=8, choices=Channel.choices, default=Channel.WEB
    )
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["at", "id"]
        # The daily reconciliation finds the trips touched on a day by their transitions: with
        # the trip in the index, PostgreSQL answers from the index alone (a busy day is
        # thousands of transitions, each a heap page read otherwise).
        indexes = [models.Index(fields=["at", "trip"], name="trips_transition_at_trip")]
        verbose_name = _("trip status change")
        verbose_name_plural = _("trip status changes")

    def __str__(self):
        from .services import TRIP_MACHINE  # the services import the models

        return f"{self.trip_id}: {TRIP_MACHINE.step(self.from_status, self.to_status, self.action)}"

    @property
    def reason_shown(self):
        """The reason in the reader's language when the system wrote it, else as typed
        (``core.phrases.in_reader_language``)."""
        from cuakhau.core.phrases import in_reader_language

        return in_reader_language(self.reason_texts, self.reason)


class TripVersion(models.Model):
    """The declaration as it stood before an amendment (a full snapshot)."""

    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="versions", verbose_name=_("trip")
    )
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    replaced_at = models.DateTimeField(_("replaced at"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["trip", "version"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "version"], name="trip_version_unique")
        ]
        verbose_name = _("trip version")
        verbose_name_plural = _("trip versions")

    def __str__(self):
        return f"{self.trip_id} v{self.version}"


def document_path(instance, filename):
    # The uploader's name is kept in ``original_name`` only: on disk the file has a name nobody
    # chose, and the extension of what its content is. A "contract.html" that begins like a PDF
    # is never kept as an .html a web server in front might one day serve as a page.
    extension = extension_of(instance.content_type)
    return f"trips/{instance.trip.reference}/{secrets.token_hex(16)}.{extension}"


class TripDocument(models.Model):
    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="documents", verbose_name=_("trip")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=80)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("trip document")
        verbose_name_plural = _("trip documents")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"
