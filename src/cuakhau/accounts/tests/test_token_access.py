"""A token owner's access kept in the process (``accounts.access``): one indexed lookup per
request, and every change of what the person may do seen at the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.accounts import access, roles, services
from cuakhau.accounts.models import UserProfile
from cuakhau.core import stamps
from cuakhau.reference.models import Gate

pytestmark = pytest.mark.django_db


def seen(raw: str, *, permissions: bool = False):
    """What the next request of this token is allowed: (roles, gate codes, may operate), and
    with ``permissions`` every permission it holds."""
    user = services.authenticate_token(raw)
    allowed = (
        frozenset(user._cuakhau_roles),
        tuple(user._cuakhau_gate_codes),
        user.has_perm("trips.operate_gate"),
    )
    return (*allowed, frozenset(user.get_all_permissions())) if permissions else allowed


def permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_the_access_is_read_once_then_kept_under_the_stamp(operator, mlt, monkeypatch):
    token, raw = services.issue_token(operator, "booth 1")
    assert seen(raw) == (frozenset({roles.GATE_OPERATOR}), ("mlt",), True)
    stamp = UserProfile.objects.get(user=operator).access_stamp
    assert access.KEPT.known(token.key_hash) == stamp
    read = []
    real = services._access_read
    monkeypatch.setattr(services, "_access_read", lambda token: read.append(token) or real(token))
    with CaptureQueriesContext(connection) as queries:
        assert seen(raw) == (frozenset({roles.GATE_OPERATOR}), ("mlt",), True)
    # One statement, whose subqueries stand behind a CASE on the stamp it already knows.
    assert len(queries) == 1 and read == []


def rename_group(user, gate):
    group = Group.objects.get(name=roles.GATE_OPERATOR)
    group.name = f"{roles.GATE_OPERATOR} (old)"
    group.save()


def change_gate_code(user, gate):
    mlt = Gate.objects.get(code="mlt")
    mlt.code = "mlx"
    mlt.save()


def delete_gate(user, gate):
    spare = Gate.objects.get(code="mlt")
    spare.pk, spare.code = None, "zzz"
    spare.save()
    user.profile.gates.set([spare])
    assert seen(user.raw_token)[1] == ("zzz",)
    spare.delete()


# Each change of what a person may do, from either side of each relation.
CHANGES = {
    "groups added": lambda u, g: u.groups.add(Group.objects.get(name=roles.CUSTOMS)),
    "groups removed": lambda u, g: u.groups.remove(Group.objects.get(name=roles.GATE_OPERATOR)),
    "groups cleared": lambda u, g: u.groups.clear(),
    "group's members added": lambda u, g: Group.objects.get(name=roles.CUSTOMS).user_set.add(u),
    "group's members cleared": lambda u, g: Group.objects.get(
        name=roles.GATE_OPERATOR
    ).user_set.clear(),
    "group renamed": rename_group,
    "group deleted": lambda u, g: Group.objects.get(name=roles.GATE_OPERATOR).delete(),
    "group's permission removed": lambda u, g: Group.objects.get(
        name=roles.GATE_OPERATOR
    ).permissions.remove(permission("trips.operate_gate")),
    "permission's groups cleared": lambda u, g: permission("trips.operate_gate").group_set.clear(),
    "permission deleted": lambda u, g: permission("trips.operate_gate").delete(),
    "own permission added": lambda u, g: u.user_permissions.add(permission("trips.declare_trip")),
    "gates added": lambda u, g: u.profile.gates.add(g),
    "gates cleared": lambda u, g: u.profile.gates.clear(),
    "gate's officers added": lambda u, g: g.officers.add(u.profile),
    "gate's officers cleared": lambda u, g: Gate.objects.get(code="mlt").officers.clear(),
    "gate's code changed": change_gate_code,
    "gate deleted": delete_gate,
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_access_is_seen_at_the_next_request(operator, mlt, hng, change):
    _token, raw = services.issue_token(operator, "booth 1")
    before = seen(raw, permissions=True)
    assert before[:3] == (frozenset({roles.GATE_OPERATOR}), ("mlt",), True)
    operator = type(operator).objects.get(pk=operator.pk)  # no cache of Django's own
    operator.raw_token = raw
    CHANGES[change](operator, hng)
    after = seen(raw, permissions=True)
    assert after != before, change
    # What is seen is what a fresh read says.
    access.KEPT.clear()
    assert seen(raw, permissions=True) == after


def test_a_change_made_without_signals_is_seen_once_the_kept_access_is_too_old(
    operator, mlt, monkeypatch
):
    _token, raw = services.issue_token(operator, "booth 1")
    assert seen(raw)[1] == ("mlt",)
    # Raw rows on the relation table: no signal, so no new stamp.
    UserProfile.gates.through.objects.filter(userprofile__user=operator).delete()
    assert seen(raw)[1] == ("mlt",)
    clock = stamps.time.monotonic() + access.MAX_AGE + 1
    monkeypatch.setattr(stamps.time, "monotonic", lambda: clock)
    assert seen(raw)[1] == ()


def test_a_revoked_token_or_a_disabled_account_is_refused_at_once(operator, mlt):
    token, raw = services.issue_token(operator, "booth 1")
    assert services.authenticate_token(raw) == operator
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert services.authenticate_token(raw) is None
    operator.is_active = True
    operator.save(update_fields=["is_active"])
    assert services.authenticate_token(raw) == operator
    token.revoke()
    assert services.authenticate_token(raw) is None
