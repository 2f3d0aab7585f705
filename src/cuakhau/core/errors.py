class FieldErrors(Exception):
    """Input was refused; ``errors`` maps a dotted field path to its messages (HTTP 422).

    ``location`` is where the fields were sent: "body" or "query".
    """

    location = "body"

    def __init__(self, errors: dict[str, list[str]], location: str | None = None):
        self.errors = errors
        if location:
            self.location = location
        super().__init__("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items()))


class StateRefused(Exception):
    """The record is not in a state that allows this (HTTP 409; a page says it at the top):
    no field of the request is at fault, so none is named. ``str()`` is the reason, in the
    language active when it was raised."""


def form_errors(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}
