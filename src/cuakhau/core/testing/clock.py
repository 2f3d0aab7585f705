"""A clock a test sets: ``timezone.now`` answers ``clock.moment`` (every "now" of the project
reads it), so a test walks across midnight, a month's or a year's end at the gate."""

import datetime as dt

from django.utils import timezone


class Clock:
    def __init__(self, moment: dt.datetime):
        self.moment = moment


def set_clock(monkeypatch, moment: dt.datetime) -> Clock:
    clock = Clock(moment)
    monkeypatch.setattr(timezone, "now", lambda: clock.moment)
    return clock
