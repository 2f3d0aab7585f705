from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class GateCodeChoice(forms.ChoiceField):
    """A gate offered by its code, taken as sent in any case: pages and receipts write codes in
    capitals ("MLT"), and the API and ``reference.fields.GateField`` take either."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().lower()


class ApplicationForm(forms.Form):
    procedure = forms.ChoiceField(label=_("Procedure"))
    gate = GateCodeChoice(
        label=_("Desk of the gate"),
        required=False,
        help_text=_("The desk that receives the file and returns the result."),
        # Only gates with a desk are offered (``services.desk_gates``).
        error_messages={"invalid_choice": _("There is no desk at this gate.")},
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
        label=pgettext_lazy("desk", "Documents"),
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


# What each action asks for on the file's page; the service says which are required.
ACTION_FIELDS = {
    "request_supplement": ("reason",),
    "reject": ("reason",),
    "withdraw": ("reason",),
    "apologise": ("reason", "new_date"),
    "ready": ("result_note",),
    "receive_supplement": ("documents",),
}
REQUIRED_FIELDS = {("apologise", "new_date")} | {
    (action, "reason") for action, fields in ACTION_FIELDS.items() if "reason" in fields
}


class ActionForm(forms.Form):
    """One action's form on the file's page (``action``: its fields, and ids of its own, as
    the page holds one form per action)."""

    reason = TextField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_date = DayField(label=_("New result date"), required=False)
    result_note = TextField(label=_("Result"), max_length=2000, required=False)
    documents = MultipleFileField(label=pgettext_lazy("desk", "Documents"))

    def __init__(self, *args, action: str = "", **kwargs):
        if action in ACTION_FIELDS:  # a name of ours, never the URL's text
            kwargs.setdefault("auto_id", f"id_%s_{action}")
        super().__init__(*args, **kwargs)
        self.action = action
        for name in self.fields:
            if (action, name) in REQUIRED_FIELDS:
                self.fields[name].widget.attrs["required"] = True

    def shown_fields(self):
        """The fields this action's form shows."""
        return [self[name] for name in ACTION_FIELDS.get(self.action, ())]

    def errors_not_shown(self, *, offered: bool = True) -> list[str]:
        """This form's errors that are not beside one of its fields on the page: of no field,
        of a field the action does not show, or all of them when the page no longer offers
        the action (``offered``); each named by its field's label."""
        shown = set(ACTION_FIELDS.get(self.action, ())) if offered else set()
        said = []
        for name, messages in self.errors.items():
            if name in shown:
                continue
            label = self.fields[name].label if name in self.fields else None
            said += [f"{label}: {m}" if label else str(m) for m in messages]
        return said


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.username, u.username) for u in officers]


class QueueFilterForm(forms.Form):
    """The desk queue's filters, read from its query string (``core.listing``)."""

    SHOW = [("open", _("in progress")), ("closed", _("closed")), ("all", _("all"))]

    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False, initial="open")
    # The checkbox sends "1"; anything else in the address is refused, not read as ticked.
    mine = forms.CharField(label=_("assigned to me"), required=False)
    # Read by ``services.queue_search``: its limit said in words, not a cut by the browser.
    q = TextField(
        label=_("Search"),
        required=False,
        strip=False,
        help_text=_("A tracking code, the applicant's name or phone number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_mine(self) -> bool:
        value = self.cleaned_data["mine"]
        if value not in ("", "1"):
            raise forms.ValidationError(
                _("Tick the box or leave it empty (the address said %(value)s)."),
                code="invalid_choice",
                params={"value": value[:20]},
            )
        return value == "1"

    def clean_q(self):
        from . import services

        try:
            return services.queue_search(self.cleaned_data["q"])
        except forms.ValidationError as exc:
            # Said beside the search, as typed: the box keeps it to be corrected.
            raise forms.ValidationError(exc.messages, code=exc.code) from None

    def filters(self) -> dict:
        """The queue's ``show``, ``mine`` and ``search``: the page opens on the files in
        progress."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "show": data.get("show") or "open",
            "mine": bool(data.get("mine")),
            "search": data.get("q"),
        }
