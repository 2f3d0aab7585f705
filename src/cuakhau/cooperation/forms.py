import operator

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DayField, DecimalField, IntegerField, TextField

from .models import Agreement, AidProject, Commitment, Counterpart, Delegation, Meeting
from .services import NOTE_LENGTH


class ActionForm(forms.Form):
    note = TextField(
        label=_("Evidence or reason"), max_length=NOTE_LENGTH, required=False, multiline=True
    )


def _bounds(db_field) -> list:
    """The tightest lower and upper bound among a numeric column's validators (those its model
    declares, an integer type's range): the form checks, and says, the limit the model
    enforces. (Django's form field for a ``PositiveIntegerField`` said "at least 0" for a
    delegation of -3 visitors, then the model "at least 1" for 0.)"""
    chosen = {}
    for kind, tighter in ((MinValueValidator, operator.gt), (MaxValueValidator, operator.lt)):
        for validator in db_field.validators:
            if not isinstance(validator, kind):
                continue
            limit = validator.limit_value
            limit = limit() if callable(limit) else limit
            if kind not in chosen or tighter(limit, chosen[kind][0]):
                chosen[kind] = (limit, validator)
    return [validator for _limit, validator in chosen.values()]


def _form_field(db_field, **kwargs):
    """Each column's form field as the project's rules take it (``core.inputs``): a text as
    ``TextField`` stores it (NFC, no control character; several lines only where the column is
    a ``TextField``), a number within its column's bounds, a day as every form takes one."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        multiline = isinstance(db_field, models.TextField)
        return db_field.formfield(form_class=TextField, multiline=multiline, **kwargs)
    if isinstance(db_field, models.IntegerField | models.DecimalField) and not db_field.choices:
        kwargs = {"min_value": None, "max_value": None, "validators": _bounds(db_field), **kwargs}
        if isinstance(db_field, models.DecimalField):
            return db_field.formfield(form_class=DecimalField, **kwargs)
        return db_field.formfield(form_class=IntegerField, **kwargs)
    if type(db_field) is models.DateField:
        # A commitment due in 1900 or 2150 is a typing error, and would sit first or last in
        # every list.
        return db_field.formfield(form_class=DayField, **kwargs)
    return db_field.formfield(**kwargs)


class _RecordForm(forms.ModelForm):
    """A register row as the board records it (example marks and statuses are not theirs)."""

    class Meta:
        formfield_callback = staticmethod(_form_field)


# Django's words for a choice that is not among the options ("“ ” is not a valid value.") are
# not in every language; these say what to do.
_PARTIES = _("Choose the parties from the list of counterpart authorities.")
_COUNTERPARTS = _("Choose the counterparts from the list of counterpart authorities.")


def _not_listed(message) -> dict:
    return {"invalid_choice": message, "invalid_pk_value": message, "invalid_list": message}


class CounterpartForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = Counterpart
        fields = ["name_vi", "name_en", "name_zh", "country"]


class AgreementForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = Agreement
        fields = ["kind", "title", "signed_on", "parties", "subject", "document"]
        error_messages = {"parties": _not_listed(_PARTIES)}


class MeetingForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = Meeting
        fields = ["held_on", "place", "title", "counterparts", "agreement", "minutes"]
        error_messages = {
            "counterparts": _not_listed(_COUNTERPARTS),
            "agreement": _not_listed(_("Choose the agreement from the list, or leave it empty.")),
        }


class CommitmentForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = Commitment
        fields = ["meeting", "subject", "side", "owner", "due_date"]
        error_messages = {"meeting": _not_listed(_("Choose the meeting from the list."))}


class DelegationForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = Delegation
        fields = ["received_on", "from_name", "country", "visitors", "purpose"]


class AidProjectForm(_RecordForm):
    class Meta(_RecordForm.Meta):
        model = AidProject
        fields = [
            "title", "donor", "donor_country", "sector", "amount", "currency", "amount_vnd",
            "rate_note", "starts_on", "ends_on",
        ]  # fmt: skip


def record_forms():
    """The kinds of record the board adds on the pages, each with its form (by URL word)."""
    return {
        "counterpart": (Counterpart, CounterpartForm),
        "agreement": (Agreement, AgreementForm),
        "meeting": (Meeting, MeetingForm),
        "commitment": (Commitment, CommitmentForm),
        "delegation": (Delegation, DelegationForm),
        "aid": (AidProject, AidProjectForm),
    }


class CommitmentFilterForm(forms.Form):
    """The commitments list's filter, read from its query string (``core.listing``)."""

    show = forms.ChoiceField(
        label=_("Show"),
        choices=[
            ("pending", _("still open")),
            ("late", _("late")),
            ("closed", _("fulfilled or dropped")),
            ("all", _("all")),
        ],
        required=False,
        initial="pending",
    )

    def shown(self) -> str:
        """Which commitments: the open ones unless the reader chose otherwise."""
        return (self.cleaned_data.get("show") if self.is_bound else "") or "pending"
