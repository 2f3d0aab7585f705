"""What the pages' forms share."""

from django import forms


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
