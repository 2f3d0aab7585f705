"""Web pages for trips. Each view binds a form, calls a service and renders; no rules here."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core import listing
from cuakhau.core.context import context_of
from cuakhau.core.documents import extension_of, kept_name
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import whole_number
from cuakhau.core.statemachine import IllegalTransition

from . import services
from .filters import TripFilterForm
from .forms import CargoLineFormSet, DocumentForm, ReasonForm, TripForm, initial_from_trip

LINES_PREFIX = "lines"
# A refusal htmx fetched: page.js puts its sentence beside the button that asked (never a page).
PLAIN = "text/plain; charset=utf-8"


def _trip_or_404(request, reference):
    try:
        return services.find_trip(request.user, reference)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from None


@login_required
def trip_list(request):
    form = TripFilterForm(request.GET or None)
    qs = services.visible_trips(request.user)
    if listing.applies(form):
        qs = form.filter(qs)
    # A refused filter or page shows no trip, not the list unfiltered (``core.listing``).
    listed = listing.listing(request, qs.order_by("-expected_arrival", "-id"), 25, form=form)
    partial = bool(request.htmx and request.htmx.target == "trip-rows")
    return render(
        request,
        "trips/_trip_rows.html" if partial else "trips/trip_list.html",
        {
            "form": form,
            "page": listed.page,
            "listed": listed,
            "query": listed.query,
            "partial": partial,
            "can_declare": request.user.has_perm("trips.declare_trip")
            and services.organisation_of(request.user) is not None,
        },
        status=listed.status,
    )


def _bind(request, trip=None):
    if request.method == "POST":
        form = TripForm(request.POST)
        lines = CargoLineFormSet(request.POST, prefix=LINES_PREFIX)
        reason = ReasonForm(request.POST)
    elif trip is not None:
        trip_initial, lines_initial = initial_from_trip(trip)
        form = TripForm(initial=trip_initial)
        lines = CargoLineFormSet(initial=lines_initial, prefix=LINES_PREFIX)
        reason = ReasonForm()
    else:
        form = TripForm(initial={"direction": "export"})
        lines = CargoLineFormSet(
            initial=[{"currency": "USD", "origin_country": "VN"}], prefix=LINES_PREFIX
        )
        reason = ReasonForm()
    return form, lines, reason


def _declaration(form, lines) -> tuple[dict, list]:
    """The posted declaration, and which formset form each kept cargo line came from."""
    data = form.declaration()
    kept = [line_form for line_form in lines.forms if not line_form.is_removed()]
    data["cargo_lines"] = [line_form.line() for line_form in kept]
    return data, kept


def _unreadable_numbers(form, kept) -> list[str]:
    """The paths of the numbers the page could not read, as the service names them."""
    paths = list(form.unreadable_numbers)
    for index, line_form in enumerate(kept):
        paths += [f"cargo_lines.{index}.{name}" for name in line_form.unreadable_numbers]
    return paths


def _show_errors(form, lines, kept, reason, errors: dict[str, list[str]]):
    form.is_valid()
    lines.is_valid()
    reason.is_valid()
    for path, messages_ in errors.items():
        parts = path.split(".")
        if parts[0] == "cargo_lines" and len(parts) == 3:
            target, field = kept[int(parts[1])], parts[2]
        elif parts[0] == "cargo_lines":
            lines._non_form_errors = lines.error_class(list(lines.non_form_errors()) + messages_)
            continue
        elif parts[0] == "reason":
            target, field = reason, "reason"
        else:
            target, field = form, (parts[0] if parts[0] in form.fields else None)
        for message in messages_:
            target.add_error(field, message)


def _edit(request, trip=None, *, amend=False):
    form, lines, reason = _bind(request, trip)
    # The lines' count itself missing or beyond the limit: which lines were meant is unknown,
    # so nothing is read and nothing saved (an edit would otherwise lose the lines not read).
    readable = request.method == "POST" and not lines.non_form_errors()
    data, kept = _declaration(form, lines) if readable else (None, [])
    if request.method == "POST" and not readable:
        form.is_valid()
        messages.error(request, _("The declaration has errors: see the marked fields."))
    elif readable and (unreadable := _unreadable_numbers(form, kept)):
        # A number whose separators do not read as this page writes numbers ("1.5" on a
        # Vietnamese page): guessing could store a thousand times too little or too much.
        # Nothing is saved, yet every other error is said with it, not at the next try.
        try:
            errors = services.declaration_errors(
                request.user,
                trip,
                data,
                submitting=request.POST.get("action") == "submit",
                amending=amend,
                reason=request.POST.get("reason", ""),
                refused=unreadable,
            )
        except services.TripPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        _show_errors(form, lines, kept, reason, errors)
        messages.error(request, _("The declaration has errors: see the marked fields."))
    elif readable:
        action = request.POST.get("action", "save")
        context = context_of(request)
        # The trip as this page read it: a change made meanwhile is not silently undone.
        as_read = request.POST.get("as_read")
        try:
            if amend:
                trip = services.amend_trip(
                    request.user,
                    trip,
                    data,
                    request.POST.get("reason", ""),
                    context,
                    as_read=as_read,
                )
                messages.success(
                    request,
                    _("Trip %(ref)s amended (version %(v)d).")
                    % {"ref": trip.reference, "v": trip.version},
                )
            elif action == "submit":
                trip = services.save_and_submit(request.user, trip, data, context, as_read=as_read)
                messages.success(request, _("Trip %(ref)s submitted.") % {"ref": trip.reference})
            elif trip is None:
                trip = services.create_draft(request.user, data, context)
                messages.success(request, _("Draft %(ref)s saved.") % {"ref": trip.reference})
            else:
                trip = services.update_draft(request.user, trip, data, context, as_read=as_read)
                messages.success(request, _("Draft %(ref)s saved.") % {"ref": trip.reference})
            return redirect("trips:detail", reference=trip.reference)
        except FieldErrors as exc:
            _show_errors(form, lines, kept, reason, exc.errors)
            messages.error(request, _("The declaration has errors: see the marked fields."))
        except services.TripPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except IllegalTransition as exc:
            messages.error(request, str(exc))
    if trip is not None:
        as_read = request.POST.get("as_read") if request.method == "POST" else None
        as_read = as_read or services.read_stamp(trip)
    return render(
        request,
        "trips/trip_form.html",
        {
            "form": form,
            "lines": lines,
            "reason_form": reason,
            "trip": trip,
            "amend": amend,
            "as_read": as_read if trip is not None else "",
        },
    )


@login_required
def trip_new(request):
    if (
        not request.user.has_perm("trips.declare_trip")
        or services.organisation_of(request.user) is None
    ):
        raise PermissionDenied(_("Only an enterprise user can declare trips."))
    return _edit(request)


@login_required
def trip_edit(request, reference):
    trip = _trip_or_404(request, reference)
    if not services.can_declare_for(request.user, trip):
        raise PermissionDenied(_("You may not edit this trip."))
    if not trip.is_editable:
        messages.error(request, _("A submitted trip is changed through an amendment."))
        return redirect("trips:detail", reference=trip.reference)
    return _edit(request, trip)


@login_required
def trip_amend(request, reference):
    trip = _trip_or_404(request, reference)
    if "amend" not in services.allowed_actions(request.user, trip):
        raise PermissionDenied(_("You may not amend this trip."))
    return _edit(request, trip, amend=True)


@login_required
def trip_detail(request, reference):
    return trip_page(request, _trip_or_404(request, reference))


def trip_page(request, trip, *, status: int = 200, **refused):
    """The trip's page; after a refused action of one of its panels (``refused``, e.g. the
    cash form's errors and what was typed), the page again with why beside the fields."""
    # Read once: the page lists them, and whether quarantine must inspect follows from them.
    prefetch_related_objects([trip], "cargo_lines__containers")
    return render(
        request,
        "trips/trip_detail.html",
        {
            "trip": trip,
            "lines": trip.cargo_lines.all(),
            "inspected": services.inspections_shown(trip, request.user),
            "market_warning": services.market_warning(trip),
            "timeline": services.timeline_for(trip, request.user),
            "show_addresses": services.sees_gate_details(request.user),
            "versions": services.version_changes(trip),
            "documents": trip.documents.all(),
            "actions": services.allowed_actions(request.user, trip),
            "reason_form": ReasonForm(),
            "document_form": DocumentForm(),
            "can_attach": services.may_attach(request.user, trip),
            # As its cargo lines: a draft's documents only (a submitted one's were relied on).
            "can_remove_documents": trip.is_editable
            and services.can_declare_for(request.user, trip),
            "max_upload_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
            **refused,
        },
        status=status,
    )


ACTIONS = {
    "submit": lambda user, trip, reason, ctx: services.submit_trip(user, trip, ctx),
    "cancel": services.cancel_trip,
    "reject": services.reject_trip,
}


@login_required
@require_POST
def trip_action(request, reference, action):
    trip = _trip_or_404(request, reference)
    if action not in ACTIONS:
        return HttpResponseBadRequest(_("Unknown action."))
    try:
        ACTIONS[action](request.user, trip, request.POST.get("reason", ""), context_of(request))
        messages.success(request, services.trip_action_labels()[action])
    except FieldErrors as exc:
        # The page again with the reason as typed and why beside it: a redirect lost a long
        # cancellation reason refused for its length, and said so far from the field.
        reason_form = ReasonForm(request.POST)
        reason_form.is_valid()
        reason_form.errors.pop("reason", None)  # the service's refusal is the one to show
        for path, msgs in exc.errors.items():
            for message in msgs:
                if path == "reason":
                    reason_form.add_error("reason", message)
                else:
                    messages.error(request, f"{services.path_label(path)}: {message}")
        return trip_page(request, trip, status=422, reason_form=reason_form)
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    except services.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("trips:detail", reference=trip.reference)


@login_required
@require_POST
def trip_document(request, reference):
    trip = _trip_or_404(request, reference)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_document(
                request.user,
                trip,
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                context_of(request),
            )
        except FieldErrors as exc:
            for path, msgs in exc.errors.items():
                for message in msgs:
                    form.add_error(path if path in form.fields else None, message)
        except services.TripPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except IllegalTransition as exc:
            # Sent from a page read before the trip moved on: why, beside the file.
            form.add_error("file", str(exc))
            return trip_page(request, trip, status=409, document_form=form)
        else:
            messages.success(request, _("Document attached."))
            return redirect("trips:detail", reference=trip.reference)
    elif services.may_attach(request.user, trip):
        # A kind the form refused does not hide a file that is no document: each beside its
        # field, at once.
        more = services.document_errors(
            trip, form.cleaned_data.get("kind"), form.cleaned_data.get("file"), form.errors
        )
        for path, msgs in more.items():
            for message in msgs:
                form.add_error(path, message)
    # The trip again, why beside the kind or the file.
    return trip_page(request, trip, status=422, document_form=form)


@login_required
@require_POST
def trip_document_remove(request, reference, document_id):
    trip = _trip_or_404(request, reference)
    try:
        services.remove_document(request.user, trip, document_id, context_of(request))
    except services.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from None
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Document removed."))
    return redirect("trips:detail", reference=trip.reference)


@login_required
def cargo_line_row(request):
    """One more cargo line for the form (htmx), and the formset's new total."""
    try:
        # As every whole number of a page is read: int() took "+3", " 3" and "1_0".
        index = whole_number(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0"))
    except ValidationError:
        return HttpResponseBadRequest(
            _("The number of cargo lines is not a whole number."), content_type=PLAIN
        )
    if not 0 <= index < services.MAX_CARGO_LINES:
        return HttpResponseBadRequest(
            _("At most %(n)d cargo lines per trip.") % {"n": services.MAX_CARGO_LINES},
            content_type=PLAIN,
        )
    formset = CargoLineFormSet(prefix=LINES_PREFIX)
    line_form = formset.form(
        prefix=f"{LINES_PREFIX}-{index}",
        initial={"currency": "USD", "origin_country": "VN"},
        use_required_attribute=False,
    )
    line_form.fields["DELETE"] = formset.empty_form.fields["DELETE"]
    return render(
        request,
        "trips/_cargo_line.html",
        {"line": line_form, "index": index, "new_total": index + 1},
    )


@login_required
def trip_document_file(request, reference, document_id):
    """Documents are served only to those who may see the trip (never from a public folder)."""
    from django.http import FileResponse

    trip = _trip_or_404(request, reference)
    try:
        document = trip.documents.get(pk=document_id)
    except ObjectDoesNotExist:
        raise Http404() from None
    response = FileResponse(
        document.file.open("rb"),
        # Always a download, never shown inline from this site: the type was judged by the
        # first bytes only, and what follows them (a PDF's scripts, HTML after "%PDF-") is
        # the uploader's, to be opened outside our origin.
        as_attachment=True,
        content_type=document.content_type,
        # As kept since the upload names it; a document kept before under the sender's own
        # name ("invoice.html") is handed back ending in what it is, never opened as a page.
        filename=kept_name(document.original_name, extension_of(document.content_type)),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
