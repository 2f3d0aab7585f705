from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import TextField


class ActionForm(forms.Form):
    note = TextField(label=_("Evidence or reason"), max_length=2000, required=False, multiline=True)
