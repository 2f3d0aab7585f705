"""Scenarios: a gate, its traffic and its rules, in a TOML file under ``scenarios/``.

A scenario says how many trucks want to cross each day and at which hours, what they carry
(the share of perishables), which risk channel they get and how long each stage takes per
channel, the gate's lanes, officers, opening hours and waiting area, and how slots are set up
(capacity per lane-hour, quotas, how punctual booked trucks are). ``SOURCES.md`` beside the
files gives the published figure behind each number. Times in the file are minutes unless a
key says otherwise.
"""

from __future__ import annotations

import math
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import get_language

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
CHANNELS = ("green", "yellow", "red")
LANE, STAFF, NONE = "lane", "staff", ""
DISTRIBUTIONS = ("fixed", "exponential", "uniform", "triangular", "lognormal")


class ScenarioError(ValueError):
    """A scenario file that cannot be simulated, with the key at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class Stage:
    """One step of a truck's passage: which resource it holds and how long it takes."""

    name: str
    resource: str  # "lane" (a gate lane), "staff" (an officer), "" (neither: weighing, driving)
    distribution: str
    params: dict

    @property
    def mean(self) -> float:
        p = self.params
        return {
            "fixed": lambda: p["value"],
            "exponential": lambda: p["mean"],
            "uniform": lambda: (p["low"] + p["high"]) / 2,
            "triangular": lambda: (p["low"] + p["mode"] + p["high"]) / 3,
            "lognormal": lambda: p["mean"],
        }[self.distribution]()

    def draw(self, rng: random.Random) -> float:
        p = self.params
        kind = self.distribution
        if kind == "fixed":
            return p["value"]
        if kind == "exponential":
            return rng.expovariate(1 / p["mean"])
        if kind == "uniform":
            return rng.uniform(p["low"], p["high"])
        if kind == "triangular":
            return rng.triangular(p["low"], p["high"], p["mode"])
        # lognormal given by its own mean and standard deviation (what a survey reports)
        mean, sd = p["mean"], p["sd"]
        sigma2 = math.log(1 + (sd / mean) ** 2)
        return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True)
class SlotSetup:
    trucks_per_lane_hour: int
    perishable_quota: int = 0  # seats per hour reserved for perishables (slots-priority only)
    booked_share: float = 0.9  # trucks that book; the rest walk in
    lead_hours: float = 24  # how long before the wished time a truck books
    # How booked trucks turn up; the rest of 1 arrives on time.
    early_share: float = 0.0
    late_share: float = 0.0
    no_show_share: float = 0.0
    early_minutes: tuple[float, float] = (20, 120)
    late_minutes: tuple[float, float] = (100, 240)


@dataclass(frozen=True)
class Scenario:
    key: str
    titles: dict
    description: dict
    days: int
    daily_arrivals: tuple[float, ...]  # trucks wishing to cross, per day
    hourly_profile: tuple[float, ...]  # 24 weights
    perishable_share: float
    channels: dict  # channel → share
    stages: dict  # channel → tuple[Stage, ...]
    lanes: int
    staff: int
    open_hours: tuple[int, int]
    waiting_area: int
    slots: SlotSetup
    sources: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        return _in_language(self.titles) or self.key

    @property
    def summary(self) -> str:
        return _in_language(self.description)

    @property
    def open_minutes_per_day(self) -> int:
        start, end = self.open_hours
        return (end - start) * 60

    def mean_lane_minutes(self) -> float:
        """Mean time a truck holds a lane, over the channel mix (the μ of Erlang C)."""
        return sum(
            share * sum(s.mean for s in self.stages[ch] if s.resource == LANE)
            for ch, share in self.channels.items()
        )


def _in_language(texts: dict) -> str:
    language = (get_language() or "vi").lower()
    key = "zh" if language.startswith("zh") else language[:2]
    return texts.get(key) or texts.get("vi") or next(iter(texts.values()), "")


def _number(data: dict, key: str, where: str, *, low=0.0, high=math.inf, default=None):
    value = data.get(key, default)
    if value is None:
        raise ScenarioError(f"{where}{key}", "is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}{key}", "must be a number")
    if not low <= value <= high:
        raise ScenarioError(f"{where}{key}", f"must be between {low} and {high}")
    return value


def _stage(data: dict, where: str) -> Stage:
    kind = data.get("distribution", "")
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(f"{where}distribution", f"must be one of {', '.join(DISTRIBUTIONS)}")
    resource = data.get("resource", NONE)
    if resource not in (LANE, STAFF, NONE):
        raise ScenarioError(f"{where}resource", "must be lane, staff or empty")
    needed = {
        "fixed": ("value",),
        "exponential": ("mean",),
        "uniform": ("low", "high"),
        "triangular": ("low", "mode", "high"),
        "lognormal": ("mean", "sd"),
    }[kind]
    params = {k: float(_number(data, k, where)) for k in needed}
    if kind in ("exponential", "lognormal") and params["mean"] <= 0:
        raise ScenarioError(f"{where}mean", "must be positive")
    if kind == "triangular" and not params["low"] <= params["mode"] <= params["high"]:
        raise ScenarioError(f"{where}mode", "must lie between low and high")
    return Stage(str(data.get("name", "")), resource, kind, params)


def parse(data: dict, key: str = "", path: Path | None = None) -> Scenario:
    """A scenario from the TOML table; ``ScenarioError`` names the first key at fault."""
    days = int(_number(data, "days", "", low=1, high=400))
    arrivals = data.get("arrivals", {})
    if "daily" in arrivals:
        daily = arrivals["daily"]
        if not isinstance(daily, list) or len(daily) < days:
            raise ScenarioError("arrivals.daily", f"needs a number for each of the {days} days")
        daily = tuple(float(_number({"d": d}, "d", "arrivals.daily.")) for d in daily[:days])
    else:
        daily = (float(_number(arrivals, "per_day", "arrivals.")),) * days
    profile = arrivals.get("hourly_profile", [1] * 24)
    if not isinstance(profile, list) or len(profile) != 24 or sum(profile) <= 0:
        raise ScenarioError("arrivals.hourly_profile", "needs 24 weights, not all zero")
    channels = {ch: float(data.get("channels", {}).get(ch, 0)) for ch in CHANNELS}
    if abs(sum(channels.values()) - 1) > 1e-6:
        raise ScenarioError("channels", "the shares must add up to 1")
    stages = {}
    for ch in CHANNELS:
        listed = data.get("stages", {}).get(ch, [])
        if channels[ch] and not listed:
            raise ScenarioError(f"stages.{ch}", "a channel with trucks needs its stages")
        stages[ch] = tuple(_stage(s, f"stages.{ch}[{i}].") for i, s in enumerate(listed))
        if listed and (stages[ch][0].resource != LANE):
            raise ScenarioError(f"stages.{ch}[0].resource", "the first stage is at a lane")
    gate = data.get("gate", {})
    open_hours = tuple(gate.get("open_hours", [0, 24]))
    if len(open_hours) != 2 or not 0 <= open_hours[0] < open_hours[1] <= 24:
        raise ScenarioError("gate.open_hours", "must be [start, end] with 0 ≤ start < end ≤ 24")
    s = data.get("slots", {})
    slots = SlotSetup(
        trucks_per_lane_hour=int(_number(s, "trucks_per_lane_hour", "slots.", low=1)),
        perishable_quota=int(_number(s, "perishable_quota", "slots.", default=0)),
        booked_share=_number(s, "booked_share", "slots.", high=1, default=0.9),
        lead_hours=_number(s, "lead_hours", "slots.", default=24),
        early_share=_number(s, "early_share", "slots.", high=1, default=0),
        late_share=_number(s, "late_share", "slots.", high=1, default=0),
        no_show_share=_number(s, "no_show_share", "slots.", high=1, default=0),
        early_minutes=tuple(s.get("early_minutes", (20, 120))),
        late_minutes=tuple(s.get("late_minutes", (100, 240))),
    )
    if slots.early_share + slots.late_share + slots.no_show_share > 1:
        raise ScenarioError("slots", "early, late and no-show shares add up to more than 1")
    return Scenario(
        key=key or str(data.get("key", "")),
        titles=dict(data.get("title", {})),
        description=dict(data.get("description", {})),
        days=days,
        daily_arrivals=daily,
        hourly_profile=tuple(float(w) for w in profile),
        perishable_share=_number(data, "perishable_share", "", high=1, default=0),
        channels=channels,
        stages=stages,
        lanes=int(_number(gate, "lanes", "gate.", low=1, high=200)),
        staff=int(_number(gate, "staff", "gate.", low=0, high=500, default=0)),
        open_hours=(int(open_hours[0]), int(open_hours[1])),
        waiting_area=int(_number(gate, "waiting_area", "gate.", default=0)),
        slots=slots,
        sources=tuple(data.get("sources", ())),
        path=path,
    )


def available() -> list[str]:
    """The shipped scenarios' keys (file names without ``.toml``), sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load(name: str) -> Scenario:
    """A shipped scenario by key, or any TOML file by path."""
    path = Path(name)
    if path.suffix != ".toml" or not path.exists():
        if name not in available():
            raise ScenarioError("scenario", f"unknown scenario {name!r}")
        path = SCENARIO_DIR / f"{name}.toml"
    with path.open("rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError("scenario", str(exc)) from exc
    return parse(data, key=path.stem, path=path)
