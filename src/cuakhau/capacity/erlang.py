"""Erlang C: the M/M/c queue in closed form, the yardstick the simulator is checked against.

For Poisson arrivals at rate λ, exponential service at rate μ per server and c servers (lanes),
the offered load is a = λ/μ erlangs and the utilisation ρ = a/c. With ρ < 1 the queue is
stable and

    P(wait) = C(c, a) = c·B / (c − a·(1 − B)),   B = Erlang B(c, a)
    Wq      = C(c, a) / (c·μ − λ)                (mean wait before service)

Erlang B is computed by its recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which stays
within floating point for any number of lanes (the factorial form overflows past ~170).
With ρ ≥ 1 the queue grows without bound: the mean wait is infinite.
"""

from __future__ import annotations

import math


def erlang_b(c: int, a: float) -> float:
    """Probability that an arrival finds all ``c`` servers busy with no queue (loss system)."""
    if c < 0 or a < 0:
        raise ValueError("c and a must not be negative")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits (all ``c`` servers busy), offered load ``a`` erlangs."""
    if c <= 0:
        raise ValueError("c must be at least 1")
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue (same time unit as 1/λ) of an M/M/c queue; ``inf`` when ρ ≥ 1."""
    if lam < 0 or mu <= 0:
        raise ValueError("λ must not be negative and μ must be positive")
    if lam == 0:
        return 0.0
    if lam >= c * mu:
        return math.inf
    return erlang_c(c, lam / mu) / (c * mu - lam)
