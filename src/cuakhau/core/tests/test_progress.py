"""How long work shows its progress: live on a terminal, a line per stage in a log, nothing
when nobody watches."""

import io
import re

import pytest

from cuakhau.core import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def work(rows: int = 3) -> list[int]:
    seen = []
    with progress.stage("Reference data") as step:
        step.done_note = "24 gates"
    for row in progress.track(range(rows), "Trips written"):
        seen.append(row)
    progress.say("Wrote 3 trips [bold]in bulk[/bold].")
    return seen


def test_unwatched_work_says_nothing_and_still_runs():
    assert not progress.watched()
    assert work() == [0, 1, 2]


def test_a_log_gets_one_line_per_finished_stage():
    out = io.StringIO()
    with progress.shown_on(out):
        assert progress.watched()
        work()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Reference data: 24 gates (") and lines[0].endswith(" s)")
    assert lines[1].startswith("Trips written (")
    # Messages are text, never markup.
    assert lines[2] == "Wrote 3 trips [bold]in bulk[/bold]."
    assert not progress.watched()


def test_a_failed_stage_leaves_no_done_line_and_the_error_goes_on():
    out = io.StringIO()
    with pytest.raises(ValueError, match="missing HS code"), progress.shown_on(out):
        with progress.stage("Reference data"):
            pass
        with progress.stage("Trips written"):
            raise ValueError("missing HS code")
    assert out.getvalue().splitlines()[0].startswith("Reference data (")
    assert "Trips written" not in out.getvalue()


def test_a_terminal_gets_a_live_display_and_the_finished_stages():
    out = Terminal()
    with progress.shown_on(out):
        work(rows=50)
    drawn = out.getvalue()
    assert "\x1b[" in drawn  # rich drew on it: colours and cursor moves
    assert "0/50" in drawn  # the bar counted the rows
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    assert "✓ Reference data: 24 gates (" in text and "✓ Trips written (" in text
    assert "Wrote 3 trips [bold]in bulk[/bold]." in text


def test_quiet_says_nothing_and_a_command_inside_another_shows_on_the_outer_display():
    quiet = io.StringIO()
    with progress.shown_on(quiet, quiet=True):
        work()
    assert quiet.getvalue() == ""

    outer, inner = io.StringIO(), io.StringIO()
    with progress.shown_on(outer), progress.shown_on(inner):  # `demo` calling `setup`
        work()
    assert inner.getvalue() == "" and "Trips written" in outer.getvalue()
