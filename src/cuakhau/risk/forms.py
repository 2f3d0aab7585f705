"""Forms for the rules page. They carry input and errors; the checks live in ``services``."""

import json

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DecimalField, IntegerField, TextField, number_limits
from cuakhau.core.jsontext import read_json

from .models import RiskRule, RuleSet
from .params import MAX_SCORE, PARAMETERS, SPECS, example


def _code(text: str) -> SafeString:
    # The keys and the JSON are what the manager writes: shown as code, in no language.
    return format_html('<code lang="zxx">{}</code>', text)


def _html(template: str, **values) -> SafeString:
    """A translated sentence with HTML in its placeholders: the sentence escaped, the values
    escaped unless they are HTML already (a key as code)."""
    return mark_safe(
        conditional_escape(template) % {k: conditional_escape(v) for k, v in values.items()}
    )


def params_help(kind: str) -> SafeString:
    """What each key of this kind of rule means and accepts, in the reader's language."""
    keys = [
        _html(
            pgettext(
                "a parameter's key, its name and what it accepts", "%(key)s: %(name)s (%(accepts)s)"
            ),
            key=_code(name),
            name=PARAMETERS[name].label,
            accepts=PARAMETERS[name].accepts(),
        )
        for name in SPECS[kind]
    ]
    return _html(
        gettext(
            "An expert field: the parameters as a JSON object, for example %(example)s. "
            "The keys: %(keys)s."
        ),
        example=_code(json.dumps(example(kind), ensure_ascii=False)),
        keys=mark_safe(pgettext("between the items of a list", "; ").join(keys)),
    )


class _VersionedForm(forms.Form):
    base_version = IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=number_limits(RuleSet, "version")["le"]
    )
    note = TextField(
        multiline=True,
        label=_("Why this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the new version for audit."),
    )

    def refused_paths(self, prefix: str) -> list[str]:
        """The service's paths of the fields this form refused (``prefix``: where its own
        fields are in a change, ``rules.0.``): the service says nothing more about them."""
        shared = ("note", "base_version")
        return [name if name in shared else f"{prefix}{name}" for name in self.errors]

    def show_errors(self, errors: dict[str, list[str]], prefix: str) -> None:
        """Put the service's errors (``rules.0.score``, ``settings.x``...) on the fields."""
        for path, messages in errors.items():
            parts = path.split(".")
            if parts[0] == prefix:
                # rules.0.params.ratio -> params; settings.red_threshold -> red_threshold
                parts = [part for part in parts[1:] if not part.isdigit()] or parts
            name = parts[0]
            field = name if name in self.fields and name != "base_version" else None
            # rules.0.params.ratio: the message says what is wrong, the label which value.
            # (A key the kind does not take has its own message, which names it.)
            taken = SPECS.get(getattr(self, "kind", None), {}) if name == "params" else {}
            parameter = PARAMETERS[parts[1]] if len(parts) > 1 and parts[1] in taken else None
            for message in messages:
                if parameter is not None:
                    message = _html(
                        pgettext(
                            "a parameter's name, its key and what is wrong with its value",
                            "%(name)s (%(key)s): %(message)s",
                        ),
                        name=parameter.label,
                        key=_code(parts[1]),
                        message=message,
                    )
                self.add_error(field, message)


class RuleEditForm(_VersionedForm):
    score = IntegerField(label=_("Score"), min_value=0, max_value=MAX_SCORE)
    params = TextField(
        multiline=True,
        label=_("Parameters (JSON)"),
        required=False,
        # JSON is in no human language (lang "zxx"): no spelling, no translation of its keys.
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "lang": "zxx"}),
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False)

    def __init__(self, *args, rule: RiskRule | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = None
        self.rule_params: dict = {}
        self._json_error: tuple[int, int] | None = None
        if rule is not None:
            self.describe(rule)

    def describe(self, rule: RiskRule | None) -> None:
        """Explain the parameters of the rule's kind: which keys, what each means (the help),
        and the JSON example an error gives. A page posted to is bound and checked before the
        view reads its rules (for the page), so this may come after the checks.

        ``None``: a rule no longer there (the service says so); the field stays as it is.
        """
        if rule is None or rule.kind not in SPECS:
            return
        self.kind, self.rule_params = rule.kind, rule.params
        errors = self._errors or {}
        if not SPECS[self.kind] and "params" not in errors:
            del self.fields["params"]  # a kind of rule with nothing to set
            return
        if "params" in self.fields:
            self.fields["params"].help_text = params_help(self.kind)
        if "params" in errors and self._json_error is not None:
            errors["params"] = self.error_class([self._json_message()])

    @classmethod
    def for_rule(cls, rule: RiskRule, data=None):
        return cls(
            data,
            prefix=f"rule-{rule.pk}",
            rule=rule,
            initial={
                "base_version": rule.ruleset.version,
                "score": rule.score,
                "params": rule.params_text,
                "is_enabled": rule.is_enabled,
            },
        )

    def _example(self) -> str:
        if self.kind is None:
            return '{"ratio": "0.5", "min_history": 5}'
        return json.dumps(example(self.kind, self.rule_params), ensure_ascii=False)

    def _json_message(self) -> str:
        line, column = self._json_error
        if (line, column) == (0, 0):
            return _("Give an object of names and values, as in %(example)s.") % {
                "example": self._example()
            }
        return _(
            "This is not valid JSON (line %(line)d, column %(column)d): write the parameters as "
            "in %(example)s."
        ) % {"line": line, "column": column, "example": self._example()}

    def clean_params(self):
        text = (self.cleaned_data.get("params") or "").strip() or "{}"
        try:
            value = read_json(text)
        except json.JSONDecodeError as exc:
            self._json_error = (exc.lineno, exc.colno)
            raise forms.ValidationError(self._json_message()) from None
        if not isinstance(value, dict):
            self._json_error = (0, 0)  # JSON, but not an object
            raise forms.ValidationError(self._json_message())
        return value

    def edit(self, rule_id: int) -> dict:
        """The change as read: every field the form could read (of a form refused in part, the
        others, which the service still checks)."""
        data = self.cleaned_data
        edit = {"rule_id": rule_id}
        for name in ("score", "is_enabled", "params"):
            if name in data and name in self.fields:
                edit[name] = data[name]
        return edit


class SettingsForm(_VersionedForm):
    yellow_threshold = IntegerField(
        label=_("Yellow from score"),
        min_value=1,
        max_value=number_limits(RuleSet, "yellow_threshold")["le"],
    )
    red_threshold = IntegerField(
        label=_("Red from score"),
        min_value=1,
        max_value=number_limits(RuleSet, "red_threshold")["le"],
    )
    random_red_rate = DecimalField(
        label=_("Random red rate"), min_value=0, max_value=1, decimal_places=4
    )
    random_yellow_rate = DecimalField(
        label=_("Random yellow rate"), min_value=0, max_value=1, decimal_places=4
    )

    FIELDS = ("yellow_threshold", "red_threshold", "random_red_rate", "random_yellow_rate")

    @classmethod
    def for_ruleset(cls, ruleset: RuleSet, data=None):
        initial = {field: getattr(ruleset, field) for field in cls.FIELDS}
        return cls(data, prefix="settings", initial={**initial, "base_version": ruleset.version})

    def settings(self) -> dict:
        """The settings as read (of a form refused in part, those it could read)."""
        return {
            field: self.cleaned_data[field] for field in self.FIELDS if field in self.cleaned_data
        }
