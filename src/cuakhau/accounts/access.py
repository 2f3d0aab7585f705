"""What a token's owner may do, kept in the process under the owner's access stamp.

A token-authenticated request reads the token with its owner, profile and organisation in one
indexed lookup. The owner's roles, permissions and gates take five correlated subqueries
(groups, the groups' permissions, the user's own, the gates' ids and codes): most of that
statement's cost, for an answer that changes a few times a year. So each process keeps the
answer per token under the owner's ``UserProfile.access_stamp``, and the statement asks for it
only when the stamp in the row is not the one kept (SQL ``CASE``: the subqueries are not run).

The stamp is drawn again, after the change and in its transaction, whenever what a person may
do changes: their groups, their own permissions, their gates (either side of each relation,
add, remove or clear), a group's permissions, name or deletion, a gate's code or deletion, a
permission's or content type's rename or deletion. Whatever changes access without Django's
signals (raw SQL on the relation tables) is seen within ``MAX_AGE``: nothing is kept longer.
What is read on every request anyway (the token's revocation and expiry, the account's
``is_active`` and ``is_superuser``, the organisation) is never kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from cuakhau.core.stamps import KeptByStamp, new_stamp
from cuakhau.reference.models import Gate

from .models import UserProfile

# Nothing kept is trusted for longer: the bound on a change made without signals.
MAX_AGE = 60.0


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    user_perms: frozenset[str]
    group_perms: frozenset[str]
    gate_ids: frozenset[int]
    gate_codes: tuple[str, ...]


# Per token (its key's hash): the owner's access under the owner's stamp.
KEPT = KeptByStamp(limit=4096, max_age=MAX_AGE)


# ---------------------------------------------------------------------------------------------
# Drawing the stamp again when access changes


def renew(*, user_ids=None, profile_ids=None, everyone: bool = False) -> None:
    """A new stamp for these people (by user or profile id), or for everyone."""
    if everyone:
        profiles = UserProfile.objects.all()
    elif user_ids:
        profiles = UserProfile.objects.filter(user_id__in=list(user_ids))
    elif profile_ids:
        profiles = UserProfile.objects.filter(pk__in=list(profile_ids))
    else:
        return
    profiles.update(access_stamp=new_stamp())


def _members(group_ids) -> list[int]:
    return list(
        get_user_model().objects.filter(groups__in=list(group_ids)).values_list("pk", flat=True)
    )


def _holders_of_gates(gate_ids) -> list[int]:
    return list(UserProfile.objects.filter(gates__in=list(gate_ids)).values_list("pk", flat=True))


def _relation_changed(forward_renews, reverse_renews, reverse_before_clear):
    """An ``m2m_changed`` receiver: ``forward_renews(instance pk)`` when the relation changes
    from its owning side, ``reverse_renews(pks)`` when it changes from the other; a clear from
    the other side names no pks, so they are read before it (``reverse_before_clear``)."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if action == "pre_clear" and reverse:
            instance._cuakhau_access_cleared = reverse_before_clear(instance.pk)
        elif action in ("post_add", "post_remove", "post_clear"):
            if not reverse:
                forward_renews(instance.pk)
            elif action == "post_clear":
                reverse_renews(getattr(instance, "_cuakhau_access_cleared", []))
            else:
                reverse_renews(pk_set or [])

    return receiver


def _user_side(through_reverse_lookup):
    # user.groups / user.user_permissions: the user; from a group or permission: its users.
    return _relation_changed(
        lambda user_pk: renew(user_ids=[user_pk]),
        lambda user_pks: renew(user_ids=user_pks),
        lambda other_pk: list(
            get_user_model()
            .objects.filter(**{through_reverse_lookup: other_pk})
            .values_list("pk", flat=True)
        ),
    )


_groups_changed = _user_side("groups")
_user_permissions_changed = _user_side("user_permissions")
# group.permissions: the group's members; from a permission (permission.group_set): the
# members of the groups named.
_group_permissions_changed = _relation_changed(
    lambda group_pk: renew(user_ids=_members([group_pk])),
    lambda group_pks: renew(user_ids=_members(group_pks)),
    lambda permission_pk: list(
        Group.objects.filter(permissions=permission_pk).values_list("pk", flat=True)
    ),
)
# profile.gates: the profile; from a gate (gate.officers): the profiles named.
_gates_changed = _relation_changed(
    lambda profile_pk: renew(profile_ids=[profile_pk]),
    lambda profile_pks: renew(profile_ids=profile_pks),
    lambda gate_pk: _holders_of_gates([gate_pk]),
)


def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:  # a role is a group's name
        renew(user_ids=_members([instance.pk]))


def _group_deleting(sender, instance, **kwargs):
    instance._cuakhau_access_members = _members([instance.pk])


def _group_deleted(sender, instance, **kwargs):
    renew(user_ids=getattr(instance, "_cuakhau_access_members", []))


def _gate_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:  # a gate's code is part of what is kept
        renew(profile_ids=_holders_of_gates([instance.pk]))


def _gate_deleting(sender, instance, **kwargs):
    instance._cuakhau_access_holders = _holders_of_gates([instance.pk])


def _gate_deleted(sender, instance, **kwargs):
    renew(profile_ids=getattr(instance, "_cuakhau_access_holders", []))


def _names_changed(sender, instance, created=False, raw=False, **kwargs):
    # A permission's codename or a content type's app label is part of every kept permission.
    if not created and not raw:
        renew(everyone=True)


def connect() -> None:
    User = get_user_model()
    relations = (
        (User.groups.through, _groups_changed),
        (User.user_permissions.through, _user_permissions_changed),
        (Group.permissions.through, _group_permissions_changed),
        (UserProfile.gates.through, _gates_changed),
    )
    for through, receiver in relations:
        m2m_changed.connect(receiver, sender=through, dispatch_uid=f"access-{through.__name__}")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="access-group-saved")
    pre_delete.connect(_group_deleting, sender=Group, dispatch_uid="access-group-deleting")
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid="access-group-deleted")
    post_save.connect(_gate_saved, sender=Gate, dispatch_uid="access-gate-saved")
    pre_delete.connect(_gate_deleting, sender=Gate, dispatch_uid="access-gate-deleting")
    post_delete.connect(_gate_deleted, sender=Gate, dispatch_uid="access-gate-deleted")
    for model in (Permission, ContentType):
        post_save.connect(_names_changed, sender=model, dispatch_uid=f"access-{model.__name__}")
        post_delete.connect(
            _names_changed, sender=model, dispatch_uid=f"access-{model.__name__}-deleted"
        )
