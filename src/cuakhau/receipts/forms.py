"""The receipt page's form: a cashier revokes the receipt. What is accepted is decided by
``services.revoke_receipt`` (the API's rules too); its refusals come back beside the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.forms import Refusable
from cuakhau.core.inputs import TextField

from .models import RevokeKind


class RevokeForm(Refusable):
    kind = forms.ChoiceField(
        label=_("Revoke as"),
        choices=[(k.value, k.label) for k in (RevokeKind.CANCELLED, RevokeKind.REFUNDED)],
        widget=forms.RadioSelect,
    )
    # Checked as the service and the API check it (a control character refused, said where);
    # the service says why it refuses a length.
    reason = TextField(
        multiline=True,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        required=False,
        strip=False,
    )
