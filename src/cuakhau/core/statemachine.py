"""Explicit state machines: one table of allowed transitions per machine.

A machine is declared as a table ``{(from_state, action): Transition}``. The app's service
function that applies a transition is the only code that writes the state field; it asks the
machine first, so an action that is not in the table can never happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cuakhau.core.wording import join_words


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    # The Django permission ("app_label.codename") an actor needs; None means only the system
    # itself (another service function) takes this action.
    permission: str | None = None
    reason_required: bool = False


def _no_labels(kind: str, code: str) -> str:
    return code


class IllegalTransition(Exception):
    """The action is not allowed from the current state (HTTP 409).

    ``state``, ``action`` and ``allowed`` keep the codes (a program reads them); the message
    names them by their labels, in the language of whoever reads it (``str()`` at display).
    """

    def __init__(self, state: str, action: str, allowed: list[str], say=_no_labels):
        self.state = state
        self.action = action
        self.allowed = allowed
        self.say = say
        super().__init__(state, action, allowed)

    def __str__(self):
        allowed = join_words(f"“{self.say('verb', a)}”" for a in self.allowed) or "—"
        return _(
            "Not possible now: “%(action)s” while the record is “%(state)s”. Allowed: %(allowed)s."
        ) % {
            "action": self.say("verb", self.action),
            "state": self.say("state", self.state),
            "allowed": allowed,
        }


class TransitionForbidden(Exception):
    """The actor's role may not take this action (HTTP 403)."""


# Every machine declared, in the order the apps declare them: a 409 may name the state and
# actions of any of them (the OpenAPI document lists their codes, ``core.api_support``).
MACHINES: list[StateMachine] = []


class StateMachine:
    def __init__(
        self, name: str, transitions: list[Transition], states=None, actions=None, verbs=None
    ):
        """``states`` and ``actions``: the enumerations (or code → label mappings) that name
        the machine's states and actions to a person; a code with no label is shown as is.
        ``verbs``: an action as something still to do ("Submit the declaration"), where
        ``actions`` says it as a step taken ("Declaration submitted"); the step's words if
        none."""
        self.name = name
        self.labels = {"state": states, "action": actions, "verb": verbs}
        self.table: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            key = (t.source, t.action)
            if key in self.table:
                raise ValueError(f"{name}: duplicate transition {key}")
            self.table[key] = t
        MACHINES.append(self)

    def actions_from(self, state: str) -> list[str]:
        return [action for (source, action) in self.table if source == state]

    def get(self, state: str, action: str) -> Transition:
        try:
            return self.table[(state, action)]
        except KeyError:
            # Name only what a person could do next; system-only steps are not theirs to take.
            allowed = [a for a in self.actions_from(state) if self.table[(state, a)].permission]
            raise IllegalTransition(state, action, allowed, self.say) from None

    def say(self, kind: str, code: str) -> str:
        """The label of a state or an action (``kind``), in the active language."""
        labels = self.labels[kind]
        if callable(labels) and not isinstance(labels, type):
            labels = labels()
        if isinstance(labels, type):
            labels = dict(labels.choices)
        if kind == "verb" and (labels is None or code not in labels):
            return self.say("action", code)
        if labels is None:
            return code
        return str(labels.get(code, code))

    def step(self, from_status: str, to_status: str, action: str) -> str:
        """A recorded step in words ("Submitted → Fees paid (Payment recorded)"), as the
        administration names a transition's row: its codes are the program's."""
        was = self.say("state", from_status) if from_status else "—"
        return f"{was} → {self.say('state', to_status)} ({self.say('action', action)})"

    def states(self) -> set[str]:
        return {s for s, _a in self.table} | {t.target for t in self.table.values()}


def history_row(model, *, action, from_status, to_status, actor, context, reason="", **subject):
    """One unsaved row of a machine's history: who took which action from which state to
    which, when, through which channel and from which address (``context``), and why. Every
    machine that keeps a history (trips, bookings) keeps these columns; ``subject`` names the
    row that moved and any column of the machine's own."""
    from django.utils import timezone

    return model(
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=timezone.now(),
        reason=reason,
        channel=context.channel,
        remote_addr=context.remote_addr,
        **subject,
    )
