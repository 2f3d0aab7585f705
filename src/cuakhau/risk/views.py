"""The customs manager's rules page. Each view binds a form, calls a service and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import RuleEditForm, SettingsForm
from .models import RuleSet

HISTORY_SHOWN = 20


def _page(
    request,
    *,
    bound_rule: tuple[int, RuleEditForm] | None = None,
    settings_form=None,
    ruleset=None,
    rules=None,
):
    ruleset = ruleset or services.active_ruleset()
    rows = []
    for rule in ruleset.rules.all() if rules is None else rules:
        if bound_rule and bound_rule[0] == rule.pk:
            rows.append((rule, bound_rule[1]))
        else:
            rows.append((rule, RuleEditForm.for_rule(rule)))
    return render(
        request,
        "risk/rules.html",
        {
            "ruleset": ruleset,
            "rows": rows,
            "settings_form": settings_form or SettingsForm.for_ruleset(ruleset),
            "can_change": services.can_change_rules(request.user),
            "history": RuleSet.objects.select_related("created_by")[:HISTORY_SHOWN],
        },
    )


def _active_with_rules() -> RuleSet:
    # Read once for a refused change: the check of what the form read and the page alike.
    ruleset = services.active_ruleset()
    prefetch_related_objects([ruleset], "rules")
    return ruleset


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Only customs managers may change the risk rules."))


def _report(request, form, summary: str) -> None:
    # Errors of no one field (a stale version, nothing changed) go to the top of the page.
    messages.error(request, " ".join([summary, *form.non_field_errors()]))


@login_required
def rules(request):
    if not services.can_view_rules(request.user):
        raise PermissionDenied(_("Only customs managers and auditors may read the risk rules."))
    return _page(request)


@login_required
@require_POST
def edit_rule(request, rule_id):
    _require(services.can_change_rules(request.user))
    form = RuleEditForm(request.POST, prefix=f"rule-{rule_id}")
    errors = {}
    read = form.is_valid()
    if read:
        try:
            ruleset = services.new_ruleset_version(
                request.user,
                [form.edit(rule_id)],
                form.cleaned_data["note"],
                base_version=form.cleaned_data["base_version"],
            )
        except services.RiskValidationError as exc:
            errors = exc.errors
        else:
            messages.success(
                request, _("Saved as version %(v)d, now active.") % {"v": ruleset.version}
            )
            return redirect("risk:rules")
    # The page shows the rules again: read once, they also tell the form the rule's kind, whose
    # parameters its help and its errors name (no rule: a stale id, which the service refused).
    ruleset = _active_with_rules()
    rules = list(ruleset.rules.all())
    if not read:
        # A score the form could not read does not hide a ratio above 1 nor an empty note:
        # what it did read is checked as the change would be, each error beside its field.
        errors = services.ruleset_errors(
            [form.edit(rule_id)],
            form.cleaned_data.get("note"),
            base_version=form.cleaned_data.get("base_version"),
            refused=form.refused_paths("rules.0."),
            current=ruleset,
        )
    form.describe(next((rule for rule in rules if rule.pk == rule_id), None))
    form.show_errors(errors, "rules")
    _report(request, form, _("The rule was not changed."))
    return _page(request, bound_rule=(rule_id, form), ruleset=ruleset, rules=rules)


@login_required
@require_POST
def edit_settings(request):
    _require(services.can_change_rules(request.user))
    form = SettingsForm(request.POST, prefix="settings")
    read = form.is_valid()
    if read:
        try:
            ruleset = services.new_ruleset_version(
                request.user,
                [],
                form.cleaned_data["note"],
                settings=form.settings(),
                base_version=form.cleaned_data["base_version"],
            )
        except services.RiskValidationError as exc:
            form.show_errors(exc.errors, "settings")
        else:
            messages.success(
                request, _("Saved as version %(v)d, now active.") % {"v": ruleset.version}
            )
            return redirect("risk:rules")
    ruleset = _active_with_rules()
    if not read:
        # As a rule's form: what the form read is checked too (red above yellow, an empty
        # note), the fields it refused left as it said them.
        errors = services.ruleset_errors(
            [],
            form.cleaned_data.get("note"),
            settings=form.settings(),
            base_version=form.cleaned_data.get("base_version"),
            refused=form.refused_paths("settings."),
            current=ruleset,
        )
        form.show_errors(errors, "settings")
    _report(request, form, _("The settings were not changed."))
    return _page(request, settings_form=form, ruleset=ruleset)
