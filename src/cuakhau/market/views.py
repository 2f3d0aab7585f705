"""The market-access rules page: the rules in force, and declaring a suspension."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cuakhau.core import listing
from cuakhau.core.errors import FieldErrors

from . import services
from .forms import RuleFilterForm, SuspensionForm


@login_required
def rule_list(request):
    can_suspend = request.user.has_perm(services.ADD_PERMISSION)
    suspension = SuspensionForm(request.POST or None, user=request.user) if can_suspend else None
    if request.method == "POST":
        if suspension is None:
            raise PermissionDenied(
                _("Only customs managers and quarantine officers may suspend goods.")
            )
        if suspension.is_valid():
            data = suspension.cleaned_data
            try:
                rule = services.suspend(
                    data["hs_prefix"],
                    direction=data["direction"],
                    destination=data["destination"],
                    gate=data["gate"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    legal_basis=data["legal_basis"],
                    declared_by=data["declared_by"],
                    note=data["note"],
                    actor=request.user,
                )
            except FieldErrors as exc:
                for path, errors in exc.errors.items():
                    field = path if path in suspension.fields else None
                    for error in errors:
                        suspension.add_error(field, error)
            else:
                messages.success(
                    request, _("Suspension recorded as rule %(rule)s.") % {"rule": rule.pk}
                )
                return redirect("market:rules")
        messages.error(request, _("The suspension was not recorded: see the marked fields."))
    filters = RuleFilterForm(request.GET or None)
    rules = services.list_rules(**filters.filters())
    # A refused filter or page lists no rule, not every rule in force (``core.listing``).
    listed = listing.listing(request, rules, 50, form=filters)
    return render(
        request,
        "market/rules.html",
        {
            "filters": filters,
            "page": listed.page,
            "listed": listed,
            "query": listed.query,
            "suspension_form": suspension,
        },
        # A POST that reaches here was refused (a recorded one redirects): 422 as every refused
        # form, whatever the list's own answer.
        status=listed.status if request.method != "POST" else 422,
    )
