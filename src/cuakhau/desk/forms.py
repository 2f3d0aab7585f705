from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DayField, TextField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English"), ("zh-hans", "简体中文")]


class ApplicationForm(forms.Form):
    procedure = forms.ChoiceField(label=_("Procedure"))
    gate = forms.ChoiceField(
        label=_("Desk of the gate"),
        required=False,
        help_text=_("The desk that receives the file and returns the result."),
    )
    applicant_name = TextField(label=_("Full name of the applicant"), max_length=200)
    organisation_name = TextField(
        label=_("Enterprise or organisation"), max_length=200, required=False
    )
    id_number = TextField(label=_("ID card number or tax code"), max_length=20, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("With the tracking code, it lets you follow the application."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language of the messages"), choices=LANGUAGES)
    address = TextField(label=_("Address"), max_length=300, required=False)
    note = TextField(
        label=_("Note"),
        max_length=2000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = MultipleFileField(
        label=_("Documents"),
        help_text=_("PDF, JPEG or PNG; up to 10 files."),
    )

    def __init__(self, *args, procedures=(), gates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", "—")] + [(p.key, p.name) for p in procedures]
        self.fields["gate"].choices = [(g.code, str(g)) for g in gates]
        for name in ("applicant_name", "phone", "procedure"):
            self.fields[name].widget.attrs["required"] = True


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40)
    phone = forms.CharField(label=_("Applicant's phone"), max_length=40)


class ActionForm(forms.Form):
    reason = TextField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_date = DayField(label=_("New result date"), required=False)
    result_note = TextField(label=_("Result"), max_length=2000, required=False)
    documents = MultipleFileField(label=_("Documents"))


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.username, u.username) for u in officers]
