"""Explicit state machines: one table of allowed transitions per machine.

A machine is declared as a table ``{(from_state, action): Transition}``. The app's service
function that applies a transition is the only code that writes the state field; it asks the
machine first, so an action that is not in the table can never happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    # The Django permission ("app_label.codename") an actor needs; None means only the system
    # itself (another service function) takes this action.
    permission: str | None = None
    reason_required: bool = False


class IllegalTransition(Exception):
    """The action is not allowed from the current state (HTTP 409)."""

    def __init__(self, state: str, action: str, allowed: list[str]):
        self.state = state
        self.action = action
        self.allowed = allowed
        super().__init__(
            _("Cannot %(action)s: the record is %(state)s. Allowed now: %(allowed)s.")
            % {"action": action, "state": state, "allowed": ", ".join(allowed) or "-"}
        )


class TransitionForbidden(Exception):
    """The actor's role may not take this action (HTTP 403)."""


class StateMachine:
    def __init__(self, name: str, transitions: list[Transition]):
        self.name = name
        self.table: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            key = (t.source, t.action)
            if key in self.table:
                raise ValueError(f"{name}: duplicate transition {key}")
            self.table[key] = t

    def actions_from(self, state: str) -> list[str]:
        return [action for (source, action) in self.table if source == state]

    def get(self, state: str, action: str) -> Transition:
        try:
            return self.table[(state, action)]
        except KeyError:
            # Name only what a person could do next; system-only steps are not theirs to take.
            allowed = [a for a in self.actions_from(state) if self.table[(state, a)].permission]
            raise IllegalTransition(state, action, allowed) from None

    def states(self) -> set[str]:
        return {s for s, _a in self.table} | {t.target for t in self.table.values()}
