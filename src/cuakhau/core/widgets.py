"""Widgets written in Python where Django's per-option templates cost too much."""

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
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    mark_safe(_attributes(option["attrs"])),  # noqa: S308 - escaped above
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
