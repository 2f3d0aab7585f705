"""The active market-access rules, compiled once per edition and kept in the process.

A gate checks every truck's cargo against the rules in force; the rules change a few times a
month. Each process keeps all active rules (with their gates and designated gates) in memory
under the stamp of ``RulesEdition``, which every change of a rule renews in the changing
transaction (signals on save, delete and designated gates; the services' and loaders' bulk
updates call ``renew`` themselves). A check reads the stamp (one indexed row) and compiles the
rules again only when it changed, so every gunicorn worker sees a change at its next check.
"""

from __future__ import annotations

import threading
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from cuakhau.core.prepared import Prepared

from .models import MarketAccessRule, RulesEdition

_EDITION_PK = 1
_compiled: tuple[str, list[MarketAccessRule]] | None = None
_lock = threading.Lock()


def renew() -> None:
    """A new stamp: every process compiles the rules again at its next check."""
    stamp = uuid.uuid4().hex
    if RulesEdition.objects.filter(pk=_EDITION_PK).update(stamp=stamp):
        return
    try:
        with transaction.atomic():
            RulesEdition.objects.create(pk=_EDITION_PK, stamp=stamp)
    except IntegrityError:
        RulesEdition.objects.filter(pk=_EDITION_PK).update(stamp=stamp)


# Read at every check: compiled once per process.
_EDITION = Prepared(lambda: RulesEdition.objects.filter(pk=_EDITION_PK)[:1])


def stamp_subquery() -> Subquery:
    """The stamp as a scalar subquery, for a caller reading it with a row of its own."""
    return Subquery(RulesEdition.objects.filter(pk=_EDITION_PK).values("stamp")[:1])


def current_stamp() -> str | None:
    edition = _EDITION.first()
    return edition.stamp if edition else None


def _load() -> list[MarketAccessRule]:
    return list(
        MarketAccessRule.objects.filter(is_active=True)
        .select_related("gate")
        .prefetch_related("designated_gates")
        .order_by("pk")
    )


# "Not read by the caller": None is a stamp too (no edition recorded).
UNREAD = object()


def active_rules(stamp=UNREAD) -> list[MarketAccessRule]:
    """Every active rule, from this process's copy when the edition has not changed.

    ``stamp``: the edition's stamp when the caller read it with its own statement (the gate
    reads it with the active risk rule set). Read only: the same objects serve every request
    of the process.
    """
    global _compiled
    if stamp is UNREAD:
        stamp = current_stamp()
    if stamp is None:
        # No edition recorded (a database emptied by hand or by a test): nothing to trust.
        return _load()
    compiled = _compiled
    if compiled is not None and compiled[0] == stamp:
        return compiled[1]
    rules = _load()
    with _lock:
        _compiled = (stamp, rules)
    return rules


@receiver(post_save, sender=MarketAccessRule, dispatch_uid="market_edition_on_save")
@receiver(post_delete, sender=MarketAccessRule, dispatch_uid="market_edition_on_delete")
def _rule_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        renew()


@receiver(
    m2m_changed,
    sender=MarketAccessRule.designated_gates.through,
    dispatch_uid="market_edition_on_designated_gates",
)
def _designated_gates_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        renew()
