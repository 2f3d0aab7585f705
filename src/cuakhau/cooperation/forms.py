from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import PLAUSIBLE_DAY, TextField


class ActionForm(forms.Form):
    note = TextField(label=_("Evidence or reason"), max_length=2000, required=False, multiline=True)


class _RecordForm(forms.ModelForm):
    """A register row as the board records it (example marks and statuses are not theirs)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
            if isinstance(field, forms.DateField):
                # As every form's day (core.inputs.DayField): a commitment due in 1900 or 2150
                # is a typing error, and would sit first or last in every list.
                field.validators += PLAUSIBLE_DAY


def _record_form(model_class, field_names):
    meta = type("Meta", (), {"model": model_class, "fields": field_names})
    return type(f"{model_class.__name__}Form", (_RecordForm,), {"Meta": meta})


def record_forms():
    """The kinds of record the board adds on the pages, each with its form (by URL word)."""
    from .models import Agreement, AidProject, Commitment, Counterpart, Delegation, Meeting

    return {
        "counterpart": (
            Counterpart,
            _record_form(Counterpart, ["name_vi", "name_en", "name_zh", "country"]),
        ),
        "agreement": (
            Agreement,
            _record_form(
                Agreement, ["kind", "title", "signed_on", "parties", "subject", "document"]
            ),
        ),
        "meeting": (
            Meeting,
            _record_form(
                Meeting, ["held_on", "place", "title", "counterparts", "agreement", "minutes"]
            ),
        ),
        "commitment": (
            Commitment,
            _record_form(Commitment, ["meeting", "subject", "side", "owner", "due_date"]),
        ),
        "delegation": (
            Delegation,
            _record_form(
                Delegation, ["received_on", "from_name", "country", "visitors", "purpose"]
            ),
        ),
        "aid": (
            AidProject,
            _record_form(
                AidProject,
                [
                    "title",
                    "donor",
                    "donor_country",
                    "sector",
                    "amount",
                    "currency",
                    "amount_vnd",
                    "rate_note",
                    "starts_on",
                    "ends_on",
                ],
            ),  # fmt: skip
        ),
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
