"""The receipt page's form: a cashier revokes the receipt. What is accepted is decided by
``services.revoke_receipt`` (the API's rules too); its refusals come back beside the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.forms import Refusable

from .models import RevokeKind


class RevokeForm(Refusable):
    kind = forms.ChoiceField(
        label=_("Revoke as"),
        choices=[(k.value, k.label) for k in (RevokeKind.CANCELLED, RevokeKind.REFUNDED)],
        widget=forms.RadioSelect,
    )
    # Kept as typed: the service cleans it and says why it refuses (a control character, the
    # length), as it does for the API.
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        required=False,
        strip=False,
    )
