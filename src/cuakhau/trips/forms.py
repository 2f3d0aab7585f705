"""Forms for the trip declaration.

They render the fields and carry the errors; the rules themselves live in ``services`` so the
web form and the API refuse exactly the same declarations with the same messages.
"""

from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formsets
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import LocalNumberField, TextField
from cuakhau.core.widgets import ListSelect
from cuakhau.core.zones import zone_label
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import country_choices, currency_choices

from .choices import ContainerSize, Direction, DocumentKind, QuantityUnit, VehicleType
from .models import CargoLine, Trip
from .services import MAX_CARGO_LINES


def _label(model, field):
    # A label starts with a capital, as Django's model forms write them ("Tractor plate").
    return capfirst(model._meta.get_field(field).verbose_name)


class TripForm(forms.Form):
    gate = GateField(
        label=_("Gate"),
        queryset=Gate.objects.filter(handles_freight=True),
        required=False,
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, required=False)
    expected_arrival = forms.CharField(
        label=_("Expected arrival"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    container_numbers = forms.CharField(
        label=_("Containers on the vehicle"),
        required=False,
        help_text=_(
            "ISO 6346 numbers, separated by spaces or commas. Empty containers too; the "
            "containers named on the cargo lines are added by themselves."
        ),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "placeholder": "CSQU3054383 TGHU1234567"}
        ),
    )
    tractor_plate = forms.CharField(
        label=_label(Trip, "tractor_plate"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "25C-123.45 / 云G12345", "autocapitalize": "characters"}
        ),
    )
    trailer_plate = forms.CharField(
        label=_label(Trip, "trailer_plate"),
        required=False,
        help_text=_("A tractor-trailer or container truck: the trailer's own plate."),
        widget=forms.TextInput(attrs={"placeholder": "25R-012.34", "autocapitalize": "characters"}),
    )
    vehicle_type = forms.ChoiceField(
        label=_label(Trip, "vehicle_type"), choices=VehicleType.choices, required=False
    )
    capacity_tonnes = LocalNumberField(
        label=_label(Trip, "capacity_tonnes"),
        help_text=_(
            "The rated capacity on the registration, not the load: the fee bracket. Needed "
            "for a truck and a tractor-trailer."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "15"}),
    )
    container_size = forms.ChoiceField(
        label=_label(Trip, "container_size"),
        choices=ContainerSize.choices,
        required=False,
        help_text=_(
            "A container truck, or a tractor-trailer carrying containers: one chassis "
            "carries one 40-foot or two 20-foot containers."
        ),
    )
    driver_name = forms.CharField(label=_label(Trip, "driver_name"), required=False)
    driver_nationality = forms.ChoiceField(
        label=_label(Trip, "driver_nationality"), choices=[], required=False, widget=ListSelect
    )
    driver_document_number = forms.CharField(
        label=_label(Trip, "driver_document_number"), required=False
    )
    driver_phone = forms.CharField(
        label=_label(Trip, "driver_phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+84 912 345 678"}),
    )

    # Needed to submit (a draft may leave them empty): marked, and announced as required.
    needed = (
        "gate", "direction", "expected_arrival", "tractor_plate", "vehicle_type",
        "driver_name", "driver_nationality", "driver_document_number", "driver_phone",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver_nationality"].choices = _countries()
        self.fields["expected_arrival"].help_text = _arrival_help()
        _mark_needed(self)

    def declaration(self) -> dict:
        return _posted(self)


def _posted(form) -> dict:
    """The form's posted values as the declaration service takes them: numbers as plain text
    (read as the page writes them), container lists split. A number that cannot be read is
    left out and named in ``form.unreadable_numbers``: the view stops there and shows why."""
    data = {name: form.data.get(form.add_prefix(name), "") for name in form.fields}
    form.unreadable_numbers = []
    for name, field in form.fields.items():
        if isinstance(field, LocalNumberField) and str(data[name]).strip():
            try:
                data[name] = field.read(str(data[name]))
            except ValidationError:
                form.unreadable_numbers.append(name)
                data[name] = ""
    data["container_numbers"] = _numbers(data["container_numbers"])
    return data


def _numbers(text: str) -> list[str]:
    return [n for n in (text or "").replace(",", " ").replace(";", " ").split() if n]


def _mark_needed(form) -> None:
    # The form stays ``novalidate``: the browser must not stop a draft from being saved, but
    # a screen reader still announces what submitting needs.
    for name in form.needed:
        form.fields[name].widget.attrs.update({"required": True, "aria-required": "true"})


def _arrival_help() -> str:
    """Arrival times are read in the gates' zone (every gate on cuakhau is in Vietnam), not the
    server's (a host kept on UTC said "UTC (UTC+00:00)" here)."""
    return _("In the gate's local time: %(zone)s.") % {
        "zone": zone_label(Gate._meta.get_field("time_zone").default)
    }


def _currencies():
    """The three currencies of border trade first, then every other ISO 4217 code in its own
    group: a select jumps to a code as it is typed, with or without JavaScript."""
    common = {"VND", "CNY", "USD"}
    choices = currency_choices()
    return [
        (_("Usual at the border"), [c for c in choices if c[0] in common]),
        (_("Other currencies"), [c for c in choices if c[0] not in common]),
    ]


def _countries():
    # Named and sorted in the reader's language, the two border countries first.
    return country_choices(first=("VN", "CN"))


class CargoLineForm(forms.Form):
    hs_code = forms.CharField(
        label=_label(CargoLine, "hs_code"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_label(CargoLine, "description"), required=False)
    quantity = LocalNumberField(
        label=_label(CargoLine, "quantity"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(
        label=_label(CargoLine, "unit"),
        choices=QuantityUnit.choices,
        required=False,
        widget=ListSelect,
    )
    gross_weight_kg = LocalNumberField(
        label=_label(CargoLine, "gross_weight_kg"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    net_weight_kg = LocalNumberField(
        label=_label(CargoLine, "net_weight_kg"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    value = LocalNumberField(
        label=_label(CargoLine, "value"),
        help_text=_(
            "As on the customs declaration: FOB for an export, CIF for an import; the invoice "
            "value for transit and temporary import."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    # Every currency and every country on each line: written by ``ListSelect``, not templates.
    currency = forms.ChoiceField(
        label=_label(CargoLine, "currency"), choices=[], required=False, widget=ListSelect
    )
    origin_country = forms.ChoiceField(
        label=_label(CargoLine, "origin_country"), choices=[], required=False, widget=ListSelect
    )
    packages = LocalNumberField(
        whole=True,
        label=_label(CargoLine, "packages"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    container_numbers = forms.CharField(
        label=_("Container numbers"),
        required=False,
        help_text=_(
            "The containers holding this line (ISO 6346), separated by spaces or commas. "
            "A mixed load: name the same container on each of its lines."
        ),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "placeholder": "CSQU3054383"}
        ),
    )
    phytosanitary_certificate = forms.CharField(
        label=_label(CargoLine, "phytosanitary_certificate"),
        required=False,
        help_text=_(
            "Plants and plant products (fruit, vegetables, cassava…) need a phytosanitary "
            "certificate, animal products a veterinary one, when the destination's rules ask "
            "for it: submitting tells you. Upload the certificate on the trip page."
        ),
    )
    customs_declaration = forms.CharField(
        label=_label(CargoLine, "customs_declaration"),
        required=False,
        help_text=_("The VNACCS declaration number, once lodged."),
    )

    needed = (
        "hs_code", "description", "quantity", "unit", "gross_weight_kg", "net_weight_kg",
        "value", "currency", "origin_country", "packages",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currencies()
        self.fields["origin_country"].choices = _countries()
        _mark_needed(self)

    def line(self) -> dict:
        return _posted(self)

    def is_removed(self) -> bool:
        return self.data.get(self.add_prefix("DELETE")) in {"on", "true", "1"}


# A post naming more lines than a trip may have is refused whole (never cut short, never
# rendered line by line: a TOTAL_FORMS of thousands would cost a minute of a worker).
class BaseCargoLineFormSet(forms.BaseFormSet):
    # Django's own are generic ("Please submit at most 50 forms.") and not translated into
    # Vietnamese: say what is counted, in the reader's language, as the API does.
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("At most %(num)d cargo lines per trip."),
        "too_few_forms": _("Declare at least %(num)d cargo lines."),
        # Django's names the hidden fields ("lines-TOTAL_FORMS"), the program's, not the page's.
        "missing_management_form": _(
            "The page did not say how many cargo lines it sent: nothing was saved. Check the "
            "cargo lines and save again."
        ),
    }

    @property
    def page_management_form(self):
        """The hidden counts the page is given back: those posted, when they were read; else
        the counts of the lines it now shows, without Django's "(Hidden field TOTAL_FORMS)"
        errors (said once, in words, by ``missing_management_form``). Given back as posted,
        an unreadable count was refused again at every save."""
        posted = self.management_form
        if not posted.is_bound or posted.is_valid():
            return posted
        return formsets.ManagementForm(
            auto_id=self.auto_id,
            prefix=self.prefix,
            initial={
                formsets.TOTAL_FORM_COUNT: self.total_form_count(),
                formsets.INITIAL_FORM_COUNT: self.initial_form_count(),
                formsets.MIN_NUM_FORM_COUNT: self.min_num,
                formsets.MAX_NUM_FORM_COUNT: self.max_num,
            },
            renderer=self.renderer,
        )


CargoLineFormSet = forms.formset_factory(
    CargoLineForm,
    formset=BaseCargoLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_CARGO_LINES,
    absolute_max=MAX_CARGO_LINES,
    validate_max=True,
)


class ReasonForm(forms.Form):
    reason = TextField(
        multiline=True, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


def _plain(number) -> str:
    """A stored number as the form shows it in the active language (1.234,5 in Vietnamese),
    which is how ``read_local_number`` reads it back."""
    return formats.number_format(number.normalize(), force_grouping=True)


def initial_from_trip(trip: Trip) -> tuple[dict, list[dict]]:
    """Form initial values for editing or amending a stored declaration."""
    # On the gate's clock, as the form reads it back.
    zone = ZoneInfo(trip.gate.time_zone)
    arrival = timezone.localtime(trip.expected_arrival, zone).strftime("%Y-%m-%dT%H:%M")
    trip_initial = {
        "gate": trip.gate.code,
        "container_numbers": " ".join(c.number for c in trip.containers.all()),
        "direction": trip.direction,
        "expected_arrival": arrival,
        "tractor_plate": trip.tractor_plate,
        "trailer_plate": trip.trailer_plate,
        "vehicle_type": trip.vehicle_type,
        "capacity_tonnes": _plain(trip.capacity_tonnes) if trip.capacity_tonnes is not None else "",
        "container_size": trip.container_size,
        "driver_name": trip.driver_name,
        "driver_nationality": trip.driver_nationality,
        "driver_document_number": trip.driver_document_number,
        "driver_phone": trip.driver_phone,
    }
    lines = []
    for line in trip.cargo_lines.prefetch_related("containers"):
        lines.append(
            {
                "hs_code": line.hs_code,
                "description": line.description,
                "quantity": _plain(line.quantity),
                "unit": line.unit,
                "gross_weight_kg": _plain(line.gross_weight_kg),
                "net_weight_kg": _plain(line.net_weight_kg),
                "value": _plain(line.value),
                "currency": line.currency,
                "origin_country": line.origin_country,
                "packages": line.packages,
                "container_numbers": " ".join(c.number for c in line.containers.all()),
                "phytosanitary_certificate": line.phytosanitary_certificate,
                "customs_declaration": line.customs_declaration,
            }
        )
    return trip_initial, lines
