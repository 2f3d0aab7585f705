"""Every state machine names its states and actions to a person: a refused step's message
("Not possible now: … Allowed: …") never shows a stored code such as “start” or “fulfilled”."""

import importlib

import pytest

from cuakhau.core.statemachine import StateMachine

MACHINES = [
    ("cuakhau.trips.services", "TRIP_MACHINE"),
    ("cuakhau.slots.services", "BOOKING_MACHINE"),
    ("cuakhau.desk.services", "APPLICATION_MACHINE"),
    ("cuakhau.notify.services", "MESSAGE_MACHINE"),
    ("cuakhau.cooperation.services", "COMMITMENT_MACHINE"),
    ("cuakhau.investment.services", "PROJECT_MACHINE"),
]


def test_the_list_holds_every_machine():
    import pkgutil

    import cuakhau

    found = set()
    for info in pkgutil.iter_modules(cuakhau.__path__):
        try:
            module = importlib.import_module(f"cuakhau.{info.name}.services")
        except ModuleNotFoundError:
            continue
        found |= {
            (module.__name__, name)
            for name, value in vars(module).items()
            if isinstance(value, StateMachine)
        }
    assert found == set(MACHINES)


@pytest.mark.parametrize(("module", "name"), MACHINES)
def test_every_state_and_action_has_a_label(module, name):
    from django.utils import translation

    machine = getattr(importlib.import_module(module), name)
    actions = {action for _state, action in machine.table}
    # In Vietnamese: an English label may be spelt as its code ("terminate").
    with translation.override("vi"):
        unnamed = [s for s in machine.states() if machine.say("state", s) == s]
        unnamed += [a for a in actions if machine.say("action", a) == a]
    assert not unnamed
