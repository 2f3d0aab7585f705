"""Widgets written in Python where Django's per-option templates cost too much."""

import html

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html`` writes them: True is a bare name, False none."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _text(value) -> str:
    # ``conditional_escape`` without its per-call wrapping, which cost more than the
    # escaping itself on 450 options: a safe string stays as it is, anything else is escaped.
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class ListSelect(forms.Select):
    """A ``Select`` written with the markup of Django's templates, in one pass.

    A declaration's cargo line carries some 450 options (every country, every currency), and
    Django renders each option through two templates: about 50 ms a line, two seconds and more
    for a declaration of 50 lines shown again with its errors."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                f'\n  <option value="{_text(option["value"])}"'
                f"{_attributes(option['attrs']) if option['attrs'] else ''}>"
                f"{_text(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
