"""Pages of the cooperation register: counterparts and agreements, meetings with their minutes,
the commitments (what was promised, what is late), delegations and aid. Views only translate
HTTP into ``services`` calls."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core import listing
from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors
from cuakhau.core.forms import RefusedStep
from cuakhau.core.statemachine import IllegalTransition

from . import services
from .choices import CommitmentAction
from .forms import ActionForm, CommitmentFilterForm
from .models import Agreement, Commitment, Counterpart, Meeting

# The province reports delegations and aid "since 2020".
REPORTED_SINCE = dt.date(2020, 1, 1)


def overview(request):
    return render(
        request,
        "cooperation/overview.html",
        {
            "counterparts": Counterpart.objects.all(),
            "agreements": Agreement.objects.prefetch_related("parties"),
            "meetings": Meeting.objects.prefetch_related("counterparts"),
            "summary": services.commitment_summary(),
            "totals": services.external_totals(REPORTED_SINCE),
            "record_kinds": _record_kinds(
                request, ("counterpart", "agreement", "meeting", "commitment")
            ),
        },
    )


# Commitments a page lists, as the API's pages (``page``); the summary above counts them all.
COMMITMENTS_PAGE = 50


def commitments(request):
    form = CommitmentFilterForm(request.GET or None)
    today = timezone.localdate()
    # A refused filter or page shows no commitment, not every one (``core.listing``); the
    # commitments of the page only are read, with their meeting.
    found = (
        Commitment.objects.none()
        if listing.refused(form)
        else services.commitments(form.shown(), today)
    )
    listed = listing.listing(request, found, COMMITMENTS_PAGE, form=form)
    rows = [(c, services.is_late(c, today)) for c in listed.page]
    return render(
        request,
        "cooperation/commitments.html",
        {
            "rows": rows,
            "form": form,
            "refused": listed.refused,
            "listed": listed,
            "page": listed.page,
            "summary": services.commitment_summary(today),
        },
        status=listed.status,
    )


def commitment(request, pk):
    return _commitment_page(
        request, get_object_or_404(Commitment.objects.select_related("meeting"), pk=pk)
    )


def _commitment_page(request, item, refused: RefusedStep | None = None):
    """The commitment; after a refused step, the page again with why beside its form."""
    actions = [(a, CommitmentAction(a).label) for a in services.actions_for(request.user, item)]
    return render(
        request,
        "cooperation/commitment.html",
        {
            "refused": refused,
            "commitment": item,
            "late": services.is_late(item),
            "actions": actions,
            # A step the page no longer offers (the status changed meanwhile, an address
            # typed by hand): its refusal above the forms, never a 422 that says nothing.
            "refused_elsewhere": refused is not None
            and refused.action not in {a for a, _label in actions},
            "form": ActionForm(),
        },
        status=422 if refused else 200,
    )


@require_POST
def act(request, pk, action):
    item = get_object_or_404(Commitment.objects.select_related("meeting"), pk=pk)
    form = ActionForm(request.POST)

    def refused(errors):
        step = RefusedStep.of(request, action, errors, "note", services.NOTE_LENGTH)
        return _commitment_page(request, item, step)

    if not form.is_valid():
        # A note too long or with a control character: refused, never dropped.
        return refused(form.errors.get("note", []))
    try:
        services.transition(
            request.user, item, action, form.cleaned_data["note"], context_of(request)
        )
    except IllegalTransition as exc:
        return refused([exc])
    except FieldErrors as exc:
        return refused(m for ms in exc.errors.values() for m in ms)
    messages.success(request, _("Status changed."))
    return redirect("cooperation:commitment", pk=item.pk)


def meeting(request, pk):
    item = get_object_or_404(Meeting.objects.select_related("agreement"), pk=pk)
    today = timezone.localdate()
    return render(
        request,
        "cooperation/meeting.html",
        {
            "meeting": item,
            "rows": [(c, services.is_late(c, today)) for c in item.commitments.all()],
        },
    )


def external(request):
    # The lists are the rows the totals above them count (since 2020, every one of them): the
    # aid table listed projects ended before 2020 and the delegations stopped at 200, so
    # neither added up to its total.
    return render(
        request,
        "cooperation/external.html",
        {
            "totals": services.external_totals(REPORTED_SINCE),
            "delegations": services.delegations_since(REPORTED_SINCE),
            "aid": services.aid_since(REPORTED_SINCE),
            "record_kinds": _record_kinds(request, ("delegation", "aid")),
        },
    )


def record(request, kind):
    """Add a row to the register: a counterpart, an agreement, a meeting, a commitment made in
    one, a delegation received or an aid project (the board; errors beside their fields)."""
    from django.http import Http404

    from .forms import record_forms

    kinds = record_forms()
    if kind not in kinds:
        raise Http404
    model_class, form_class = kinds[kind]
    form = form_class(request.POST or None)
    item = None
    if request.method == "POST" and form.is_valid():
        try:
            item = services.record(
                form.save(commit=False), form.save_m2m, request.user, context_of(request)
            )
        except FieldErrors as exc:
            _say(form, exc.errors)
    elif form.is_bound:
        # A repeat of a row already recorded is said with the fields the form refused: the
        # form's instance holds those it could read.
        _say(form, services.duplicate_errors(form.instance, refused=form.errors))
    if item is not None:
        messages.success(request, _("Recorded."))
        if kind == "commitment":
            return redirect("cooperation:commitment", pk=item.pk)
        if kind == "meeting":
            return redirect("cooperation:meeting", pk=item.pk)
        if kind in ("delegation", "aid"):
            return redirect("cooperation:external")
        return redirect("cooperation:overview")
    return render(
        request,
        "cooperation/record.html",
        {"form": form, "kind": kind, "title": model_class._meta.verbose_name},
        status=422 if form.is_bound else 200,
    )


def _say(form, errors) -> None:
    for name, field_messages in errors.items():
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def _record_kinds(request, kinds) -> list[tuple[str, str]]:
    """The 'add' links of a page, for those who keep the register."""
    if not services.may_manage(request.user):
        return []
    from .forms import record_forms

    forms_by_kind = record_forms()
    return [(kind, forms_by_kind[kind][0]._meta.verbose_name) for kind in kinds]
