"""What the pages' forms share."""

from dataclasses import dataclass

from django import forms

from cuakhau.core.inputs import shown


class Refusable(forms.Form):
    """A form that shows a service's refusal (``FieldErrors``) beside its fields."""

    # The service's name of a field where it differs from the form's.
    service_names: dict[str, str] = {}

    def refuse(self, errors: dict[str, list[str]]) -> None:
        self.is_valid()
        renames = {service: form for form, service in self.service_names.items()}
        for path, messages in errors.items():
            name = path.split(".")[0]
            name = renames.get(name, name)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


@dataclass(frozen=True)
class RefusedStep:
    """A status change refused on a record's page, for the page shown again (422): which
    action's form, why, and what was typed in its one field (each control character shown as
    U+FFFD: an HTML page holds no NUL)."""

    action: str
    errors: list[str]
    typed: str

    @classmethod
    def of(cls, request, action: str, errors, field: str, length: int) -> "RefusedStep":
        return cls(action, [str(e) for e in errors], shown(request.POST.get(field, ""), length))
