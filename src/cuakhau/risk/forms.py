"""Forms for the rules page. They carry input and errors; the checks live in ``services``."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import number_limits

from .models import RiskRule, RuleSet
from .params import MAX_SCORE


class _VersionedForm(forms.Form):
    base_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=number_limits(RuleSet, "version")["le"]
    )
    note = forms.CharField(
        label=_("Why this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the new version for audit."),
    )

    def show_errors(self, errors: dict[str, list[str]], prefix: str) -> None:
        """Put the service's errors (``rules.0.score``, ``settings.x``...) on the fields."""
        for path, messages in errors.items():
            parts = path.split(".")
            if parts[0] == prefix:
                # rules.0.params.ratio -> params; settings.red_threshold -> red_threshold
                parts = [part for part in parts[1:] if not part.isdigit()] or parts
            name = parts[0]
            field = name if name in self.fields and name != "base_version" else None
            for message in messages:
                self.add_error(field, message)


class RuleEditForm(_VersionedForm):
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=MAX_SCORE)
    params = forms.CharField(
        label=_("Parameters (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False)

    @classmethod
    def for_rule(cls, rule: RiskRule, data=None):
        return cls(
            data,
            prefix=f"rule-{rule.pk}",
            initial={
                "base_version": rule.ruleset.version,
                "score": rule.score,
                "params": rule.params_text,
                "is_enabled": rule.is_enabled,
            },
        )

    def clean_params(self):
        text = (self.cleaned_data.get("params") or "").strip() or "{}"
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                _('Write the parameters as JSON, e.g. {"ratio": "0.5", "min_history": 5}.')
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give an object of names and values."))
        return value

    def edit(self, rule_id: int) -> dict:
        data = self.cleaned_data
        return {
            "rule_id": rule_id,
            "score": data["score"],
            "params": data["params"],
            "is_enabled": data["is_enabled"],
        }


class SettingsForm(_VersionedForm):
    yellow_threshold = forms.IntegerField(
        label=_("Yellow from score"),
        min_value=1,
        max_value=number_limits(RuleSet, "yellow_threshold")["le"],
    )
    red_threshold = forms.IntegerField(
        label=_("Red from score"),
        min_value=1,
        max_value=number_limits(RuleSet, "red_threshold")["le"],
    )
    random_red_rate = forms.DecimalField(
        label=_("Random red rate"), min_value=0, max_value=1, decimal_places=4
    )
    random_yellow_rate = forms.DecimalField(
        label=_("Random yellow rate"), min_value=0, max_value=1, decimal_places=4
    )

    FIELDS = ("yellow_threshold", "red_threshold", "random_red_rate", "random_yellow_rate")

    @classmethod
    def for_ruleset(cls, ruleset: RuleSet, data=None):
        initial = {field: getattr(ruleset, field) for field in cls.FIELDS}
        return cls(data, prefix="settings", initial={**initial, "base_version": ruleset.version})

    def settings(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.FIELDS}
