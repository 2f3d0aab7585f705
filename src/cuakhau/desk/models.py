"""The one-stop desk: the catalogue of procedures, the official schedule of days off and
make-up working days, and applications with their documents and their audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cuakhau.core.context import Channel
from cuakhau.core.inputs import AtLeast, AtMost
from cuakhau.reference.localize import LocalizedText, localized
from cuakhau.reference.text import fold

# The longest processing time a one-stop procedure is given: the longest the desk's laws set
# are 30 to 45 working days (an investment approval), and a time of years would be a typing
# error that pushes the due date beyond every calendar the desk reads.
MAX_PROCESSING_DAYS = 60
# A time given in working hours is short (a C/O form E: about 6, 24 when the goods are
# inspected); past a week of office hours a procedure's time is given in days.
MAX_PROCESSING_HOURS = 40


class Confidence(models.TextChoices):
    PUBLISHED = "published", _("published")
    UNCERTAIN = "uncertain", _("uncertain")


class Procedure(models.Model):
    """One administrative procedure the desk receives. Every change is a new ``version``,
    its previous state kept in ``ProcedureVersion``."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    national_code = models.CharField(_("national code"), max_length=20, blank=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    agency = models.CharField(_("responsible agency"), max_length=300)
    agency_en = models.CharField(_("responsible agency (English)"), max_length=300, blank=True)
    agency_zh = models.CharField(_("responsible agency (Chinese)"), max_length=300, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    required_documents = models.TextField(
        _("required documents"), blank=True, help_text=_("One document per line.")
    )
    fee_vnd = models.PositiveBigIntegerField(
        _("fee (đồng)"), null=True, blank=True, help_text=_("Empty when not known.")
    )
    processing_days = models.PositiveSmallIntegerField(
        _("processing time (working days)"),
        null=True,
        blank=True,
        validators=[AtMost(MAX_PROCESSING_DAYS)],
        help_text=_("Empty when not known; such a procedure cannot be filed."),
    )
    # Its time in office hours instead (``calendar.OFFICE_HOURS``): due at a moment, not a day.
    processing_hours = models.PositiveSmallIntegerField(
        _("processing time (working hours)"),
        null=True,
        blank=True,
        validators=[AtLeast(1), AtMost(MAX_PROCESSING_HOURS)],
        help_text=_(
            "For a procedure whose time the law gives in working hours; leave the "
            "working days empty then."
        ),
    )
    stages = models.TextField(
        _("stages"), blank=True, help_text=_("The agencies and steps, one per line.")
    )
    stages_en = models.TextField(
        _("stages (English)"), blank=True, help_text=_("The agencies and steps, one per line.")
    )
    stages_zh = models.TextField(
        _("stages (Chinese)"), blank=True, help_text=_("The agencies and steps, one per line.")
    )
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.UNCERTAIN
    )
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("accepting applications"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name_vi"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_days__isnull=True) | Q(processing_hours__isnull=True),
                name="desk_procedure_days_or_hours",
                violation_error_message=_(
                    "Give the processing time in working days or in working hours, not both."
                ),
            )
        ]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        language = translation.get_language() or "vi"
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    def name_in(self, language: str) -> str:
        with translation.override(language):
            return self.name

    @property
    def documents_list(self) -> list[str]:
        return [d.strip() for d in self.required_documents.splitlines() if d.strip()]

    @property
    def agency_name(self) -> LocalizedText:
        """The responsible agency in the reader's language (``agency`` is the Vietnamese)."""
        return localized(self.agency, self.agency_en, self.agency_zh)

    @property
    def stages_list(self) -> list[LocalizedText]:
        """The stages in the reader's language, or marked in the language they exist in."""
        text = localized(self.stages, self.stages_en, self.stages_zh)
        return [
            LocalizedText(s.strip(), text.lang, text.wanted) for s in text.splitlines() if s.strip()
        ]

    @property
    def can_be_filed(self) -> bool:
        if not self.active:
            return False
        if self.processing_days is not None:
            return self.processing_hours is None and self.processing_days <= MAX_PROCESSING_DAYS
        return self.processing_hours is not None and 1 <= self.processing_hours <= (
            MAX_PROCESSING_HOURS
        )


class ProcedureVersion(models.Model):
    """A procedure as it stood before a change: who changed it, when, and the old values."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="versions", verbose_name=_("procedure")
    )
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    replaced_at = models.DateTimeField(_("replaced at"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="desk_procedure_version")
        ]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")

    def __str__(self):
        return f"{self.procedure_id} v{self.version}"


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", _("day off")
    WORKING_DAY = "working_day", _("working day (make-up)")


class ScheduleDay(models.Model):
    """One day of the year's official civil-service schedule that differs from the public
    holidays: a swapped weekday off, or a Saturday worked in exchange."""

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.UNCERTAIN
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("official schedule day")
        verbose_name_plural = _("official schedule days")

    def __str__(self):
        return f"{self.day.isoformat()} {self.get_kind_display()}"


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    TRANSFERRED = "transferred", _("transferred to the processing agency")
    PROCESSING = "processing", _("being processed")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("waiting for a supplement")
    SUPPLEMENT_RECEIVED = "supplement_received", _("supplement received")
    RESULT_READY = "result_ready", _("result ready")
    RETURNED = "returned", _("result returned")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class FilingChannel(models.TextChoices):
    ONLINE = "online", _("online")
    COUNTER = "counter", _("at the counter")


def search_key_of(*names: str) -> str:
    """The words of ``names`` folded, each after a space: " lo thi mai cong ty tnhh"."""
    return "".join(f" {fold(name)}" for name in names if fold(name))


class Application(models.Model):
    """A file (hồ sơ) received by the desk. ``services._transition`` is the only writer of
    ``status``; every change is an ``ApplicationTransition``."""

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("procedure"),
    )
    procedure_version = models.PositiveIntegerField(_("procedure version"))
    # The desk that receives it: a desk per gate, the centre at Ma Lù Thàng first. Desk
    # officers see and move only the files of their gates (``services.visible_applications``).
    gate = models.ForeignKey(
        "reference.Gate",
        on_delete=models.PROTECT,
        related_name="desk_applications",
        verbose_name=_("desk of the gate"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, db_index=True
    )
    channel = models.CharField(_("filed"), max_length=8, choices=FilingChannel.choices)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    organisation_name = models.CharField(
        _("enterprise or organisation"), max_length=200, blank=True
    )
    id_number = models.CharField(_("ID or tax code"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=16)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="vi")
    address = models.CharField(_("address"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_applications",
        verbose_name=_("assigned to"),
    )
    received_at = models.DateTimeField(_("received"))
    # The day the clock starts: the day of receipt, or the next working day after a day off.
    receipt_day = models.DateField(_("day of receipt"))
    # One of the two, as its procedure gave it when the file was received.
    processing_days = models.PositiveSmallIntegerField(
        _("processing days"), null=True, blank=True, validators=[AtMost(MAX_PROCESSING_DAYS)]
    )
    processing_hours = models.PositiveSmallIntegerField(
        _("processing hours"),
        null=True,
        blank=True,
        validators=[AtLeast(1), AtMost(MAX_PROCESSING_HOURS)],
    )
    # The desk's date of the deadline; a time in hours is due at ``due_at``, a moment of that day.
    due_date = models.DateField(_("due"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # The one new date an apology letter gives (Decree 61 Art. 18: once only).
    new_due_date = models.DateField(_("new date after apology"), null=True, blank=True)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    # [[stopped, resumed], ...] ISO days: the supplement waits that stopped the clock.
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    supplement_request = models.TextField(_("supplement requested"), blank=True)
    result_note = models.TextField(_("result"), blank=True)
    result_at = models.DateTimeField(_("result at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The names the queue's search finds it by, folded in Python (``reference.text.fold``: no
    # case, tone marks or đ), so SQLite and PostgreSQL compare the same plain text; each word
    # after a space, as a search word matches a word's start. Kept by ``save``.
    search_key = models.TextField(_("search key"), blank=True, default="", editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_days__isnull=False, processing_hours__isnull=True)
                | Q(processing_days__isnull=True, processing_hours__isnull=False),
                name="desk_application_days_or_hours",
                violation_error_message=_(
                    "A file is counted in working days or in working hours: exactly one of them."
                ),
            )
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        permissions = [("reassign_application", _("Can reassign applications (desk supervisor)"))]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.search_key = search_key_of(self.applicant_name, self.organisation_name)
        fields = kwargs.get("update_fields")
        if fields is not None and {"applicant_name", "organisation_name"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def appointment_date(self):
        """The day the applicant is told to come for the result: never before the due date
        (a file apologised for before a supplement wait, stored before the wait moved the new
        date with the due date, kept an earlier one)."""
        if self.new_due_date is None:
            return self.due_date
        return max(self.new_due_date, self.due_date)

    @property
    def due_moment(self):
        """The moment a file counted in hours is due, on its desk's clock; None for a file counted
        in days or once an apology gave it a new date (a day)."""
        if self.due_at is None or self.appointment_date != self.due_date:
            return None
        from .services import desk_zone

        return self.due_at.astimezone(desk_zone(self.gate))


class ApplicationDocument(models.Model):
    """An uploaded document, stored under the data dir with a random name (never the sender's)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    original_name = models.CharField(_("original file name"), max_length=200)
    stored_name = models.CharField(_("stored file name"), max_length=80, unique=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    purpose = models.CharField(
        _("purpose"), max_length=12, default="filing"
    )  # filing or supplement
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.original_name


class ApplicationTransition(models.Model):
    """The audit trail: who moved the file, when, from where, why, and the deadline after."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("application"),
    )
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from status"), max_length=24, blank=True)
    to_status = models.CharField(_("to status"), max_length=24)
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
    due_date = models.DateField(_("due date"), null=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")

    def __str__(self):
        from .services import APPLICATION_MACHINE  # the services import the models

        return f"{self.application_id}: {APPLICATION_MACHINE.step(self.from_status, self.to_status, self.action)}"

    @property
    def action_label(self) -> str:
        from .services import action_labels

        return action_labels().get(self.action, self.action)

    @property
    def to_status_label(self) -> str:
        try:
            return str(ApplicationStatus(self.to_status).label)
        except ValueError:
            return self.to_status


class TrackingAttempt(models.Model):
    """A look-up by tracking code and phone, kept to throttle guessing per address (every
    worker process sees the same rows, unlike a per-process cache)."""

    remote_addr = models.GenericIPAddressField(_("IP address"), null=True)
    at = models.DateTimeField(_("time"), db_index=True)
    found = models.BooleanField(_("found"), default=False)
    # The code looked up (normalised; "" when malformed): wrong phones for one code are
    # counted whatever address they come from (the address is the caller's to write).
    code = models.CharField(_("tracking code"), max_length=20, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["remote_addr", "at"]),
            models.Index(fields=["code", "at"], name="desk_tracking_code_at"),
        ]
        verbose_name = _("tracking look-up")
        verbose_name_plural = _("tracking look-ups")

    def __str__(self):
        return f"{self.remote_addr} {self.at:%Y-%m-%d %H:%M}"


# The portal outbox (its own module; imported here so Django registers its models).
from .models_outbox import OutboxEvent, OutboxSequence  # noqa: E402, F401
