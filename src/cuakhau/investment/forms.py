from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import TextField
from cuakhau.reference.localize import country_name, sort_key

from .choices import ProjectStatus, Sector
from .models import InvestmentProject


class FilterForm(forms.Form):
    q = TextField(label=_("Search"), max_length=100, required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ChoiceField(label=_("Investor's country"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("all"))]
        self.fields["sector"].choices = everything + list(Sector.choices)
        self.fields["status"].choices = everything + list(ProjectStatus.choices)
        # Only the countries the register holds, named and sorted in the reader's language.
        codes = InvestmentProject.objects.values_list("investor_country", flat=True).distinct()
        named = sorted(((c, country_name(c)) for c in codes), key=lambda c: sort_key(c[1]))
        self.fields["country"].choices = everything + named


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ActionForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=500, required=False)
