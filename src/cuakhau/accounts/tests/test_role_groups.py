"""Each role's group and its permissions come with the database, before any account exists."""

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user


def _granted() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{perm.content_type.app_label}.{perm.codename}" for perm in group.permissions.all()
        }
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_migrating_makes_every_role_group_with_its_permissions(db):
    # The test database was made by `migrate`, as an installation's is; no account yet.
    assert _granted() == {role: set(roles.PERMISSIONS.get(role, [])) for role in roles.ALL}


def test_migrating_again_puts_back_a_permission_taken_from_a_role(db):
    customs = Group.objects.get(name=roles.CUSTOMS)
    customs.permissions.clear()
    Group.objects.get(name=roles.BOARD).delete()
    call_command("migrate", verbosity=0)
    assert _granted() == {role: set(roles.PERMISSIONS.get(role, [])) for role in roles.ALL}


def test_an_account_joins_its_roles_group_in_a_handful_of_queries(db, mlt):
    with CaptureQueriesContext(connection) as queries:
        user = create_user("vh_mlt_2", "bien-gioi-2025!", roles.GATE_OPERATOR, gates=[mlt])
    assert list(user.groups.values_list("name", flat=True)) == [roles.GATE_OPERATOR]
    assert user.has_perm("trips.operate_gate")
    # Not one query per role and permission, as when every group was made again each time.
    assert len(queries) <= 16, [q["sql"] for q in queries]
