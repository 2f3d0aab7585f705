"""Pages of the one-stop desk: the catalogue, filing and tracking (anyone), the queue, the
counter and the file (desk officers). Views translate HTTP into ``services`` calls only."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.accounts import roles
from cuakhau.core import listing
from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors, StateRefused

from . import codes, services, uploads
from .forms import ActionForm, ApplicationForm, QueueFilterForm, ReassignForm, TrackForm
from .models import Application, FilingChannel, Procedure
from .multipart import reads_uploads, refusal_of

SESSION_KEY = "desk_tracked"


def _remember(request, code: str) -> None:
    """The second factor was shown in this session: its applicant may see this file."""
    tracked = [c for c in request.session.get(SESSION_KEY, []) if c != code]
    request.session[SESSION_KEY] = [code, *tracked][:20]


def _tracked(request, code: str) -> Application:
    # As the code is typed anywhere else: "mc-yj7nblnzh" is the file the session opened.
    code = codes.normalise_code(code) or code
    if code not in request.session.get(SESSION_KEY, []):
        raise Http404(services.NOT_FOUND_MESSAGE())
    application = Application.objects.select_related("procedure").filter(code=code).first()
    if application is None:
        raise Http404(services.NOT_FOUND_MESSAGE())
    return application


def _errors_into(form, refused: dict[str, list[str]], skip=frozenset()) -> None:
    """The service's refusals (``FieldErrors.errors``) beside their fields (``skip``: fields
    the form already refused itself, which the service would only refuse again in other
    words)."""
    for path, errors in refused.items():
        field = path.split(".")[0]
        if field in skip:
            continue
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _file_response(document):
    try:
        handle = open(uploads.path_of(document.stored_name), "rb")  # noqa: SIM115 (FileResponse closes it)
    except (OSError, uploads.UploadRefused):
        raise Http404(_("No such document.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Anyone


def procedures(request):
    return render(
        request,
        "desk/procedures.html",
        {"procedures": Procedure.objects.filter(active=True)},
    )


def procedure(request, key):
    p = get_object_or_404(Procedure, key=key, active=True)
    # Where each entry was checked, and what is left to check, are the catalogue keepers'
    # working notes (in English): the desk's officers see them, an applicant the outcome.
    keepers = {roles.DESK, roles.ADMINISTRATOR}
    return render(
        request,
        "desk/procedure.html",
        {"procedure": p, "show_sources": bool(roles.roles_of(request.user) & keepers)},
    )


def _application_form(request, *, counter=False):
    gates = list(services.desk_gates())
    if counter:
        # At the counter, the officer's own desks (the service refuses another gate's).
        gates = [g for g in gates if services.works_at(request.user, g)]
    default = services.default_gate()
    initial = {
        "procedure": request.GET.get("procedure", ""),
        "language": (get_language() or "vi").lower(),
        "gate": default.code if default in gates else (gates[0].code if gates else ""),
    }
    posted = request.method == "POST"  # an empty post too: every required field is said
    return ApplicationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        procedures=services.fileable_procedures(),
        gates=gates,
        initial=initial,
    )


def _file(request, form, channel):
    """Files the posted application; None with every error on the form (the form's own and
    the service's, all in one answer: a refused e-mail does not hide a refused phone). A post
    whose files Django could not read (``multipart``) files nothing: its refusal is said beside
    the Documents field, with the other fields' errors."""
    refused_upload = refusal_of(request)
    if refused_upload:
        form.is_valid()
        form.add_error("documents", refused_upload)
    if not form.is_valid():
        typed = {name: form.data.get(name, "") for name in form.fields if name != "documents"}
        data = {**typed, **{k: v for k, v in form.cleaned_data.items() if k != "documents"}}
        refused = services.filing_errors(
            data, form.cleaned_data.get("documents", []), actor=request.user, channel=channel
        )
        _errors_into(form, refused, skip=set(form.errors))
        return None
    data = {k: v for k, v in form.cleaned_data.items() if k != "documents"}
    try:
        return services.file_application(
            data,
            form.cleaned_data["documents"],
            actor=request.user,
            channel=channel,
            context=context_of(request),
        )
    except FieldErrors as exc:
        _errors_into(form, exc.errors)
        return None
    except services.TooManyAttempts as exc:
        form.add_error(None, str(exc))
        form.too_many = exc
        return None


@reads_uploads
def apply(request):
    form = _application_form(request)
    if request.method == "POST":
        application = _file(request, form, FilingChannel.ONLINE)
        if application is not None:
            _remember(request, application.code)
            messages.success(request, _("Application received."))
            return redirect("desk:status", code=application.code)
    page = render(request, "desk/apply.html", {"form": form, "counter": False})
    return _said_too_many(page, getattr(form, "too_many", None))


def _said_too_many(page, refusal: services.TooManyAttempts | None):
    if refusal is not None:
        page.status_code = 429
        page["Retry-After"] = str(refusal.retry_after)
    return page


def track(request):
    form = TrackForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            application = services.track(
                form.cleaned_data["code"], form.cleaned_data["phone"], context_of(request)
            )
        except services.TooManyAttempts as exc:
            form.add_error(None, str(exc))
            refusal = exc
        else:
            if application is not None:
                _remember(request, application.code)
                return redirect("desk:status", code=application.code)
            form.add_error(None, services.NOT_FOUND_MESSAGE())
    return _said_too_many(render(request, "desk/track.html", {"form": form}), refusal)


def status(request, code):
    application = _tracked(request, code)
    return render(
        request,
        "desk/status.html",
        {
            "a": application,
            "standing": services.standing(application),
            "history": services.applicant_history(application),
            "documents": application.documents.all(),
        },
    )


def applicant_document(request, code, document_id):
    application = _tracked(request, code)
    try:
        document = services.document_of(application, document_id)
    except Exception:
        raise Http404(_("No such document.")) from None
    return _file_response(document)


# ---------------------------------------------------------------------------------------------
# The desk


QUEUE_PAGE = 50


def queue(request):
    form = QueueFilterForm(request.GET or None)
    refused = listing.refused(form)
    chosen = {"show": "open", "mine": False, "search": None} if refused else form.filters()
    queue = services.desk_queue(request.user, **chosen)  # who may read it: checked first
    # A refused filter or page shows no file, not the whole queue (``core.listing``); the
    # counts are of every file the filters select, not of the page shown.
    listed = listing.listing(request, queue, QUEUE_PAGE, form=form)
    today = services.today()
    calendar = services._calendar_around(today)
    rows = [(a, services.standing(a, calendar, today)) for a in listed.page]
    overdue, soon_due = (0, 0) if listed.refused else services.queue_counts(queue, today, calendar)
    return render(
        request,
        "desk/queue.html",
        {
            "rows": rows,
            "form": form,
            "refused": listed.refused,
            "listed": listed,
            "page": listed.page,
            "mine": chosen["mine"],
            "overdue": overdue,
            "soon_due": soon_due,
        },
        status=listed.status,
    )


@reads_uploads
def counter(request):
    form = _application_form(request, counter=True)
    if request.method == "POST":
        application = _file(request, form, FilingChannel.COUNTER)
        if application is not None:
            messages.success(
                request, _("Application %(code)s received.") % {"code": application.code}
            )
            return redirect("desk:application", code=application.code)
    return render(request, "desk/apply.html", {"form": form, "counter": True})


def _find(request, code):
    try:
        return services.find_for_desk(request.user, code)
    except Application.DoesNotExist:
        raise Http404(_("No application %(code)s.") % {"code": code}) from None


def application(request, code, action_form=None, failed_action=""):
    """The file's page; after a refused action, that action's form ``action_form`` again with
    what the officer typed, each error beside its field (HTTP 422), whatever the file's state."""
    a = _find(request, code)
    labels = services.action_labels()
    actions = [
        (
            name,
            labels[name],
            action_form if name == failed_action and action_form else ActionForm(action=name),
        )
        for name in services.allowed_actions(request.user, a)
    ]
    reassign_form = None
    if services.may_reassign(request.user):
        reassign_form = ReassignForm(
            officers=services.desk_officers(a.gate),
            initial={"assignee": getattr(a.assignee, "username", "")},
        )
    # What cannot be shown beside a field of the forms on the page: a refusal of no field, or
    # of an action this page no longer offers (the file moved on meanwhile).
    action_errors = []
    if action_form is not None:
        offered = any(name == failed_action for name, _label, _form in actions)
        action_errors = action_form.errors_not_shown(offered=offered)
    return render(
        request,
        "desk/application.html",
        {
            "a": a,
            "standing": services.standing(a),
            "history": services.history(a),
            "documents": a.documents.all(),
            "actions": actions,
            "action_errors": action_errors,
            "failed_action": failed_action,
            "reassign_form": reassign_form,
            "may_take": services.may_take(request.user, a),
            "assignee_left": services.assignee_left(a),
        },
        status=422 if failed_action else 200,
    )


@reads_uploads
@require_POST
def act(request, code, action):
    a = _find(request, code)
    form = ActionForm(request.POST, request.FILES, action=action)
    refused_upload = refusal_of(request)
    if refused_upload:
        form.is_valid()
        form.add_error("documents", refused_upload)
    if form.is_valid():
        try:
            services.act(
                request.user,
                a,
                action,
                reason=form.cleaned_data["reason"] or "",
                new_date=form.cleaned_data["new_date"],
                result_note=form.cleaned_data["result_note"] or "",
                documents=form.cleaned_data["documents"],
                context=context_of(request),
            )
        except FieldErrors as exc:
            _errors_into(form, exc.errors)
        except services.IllegalTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, services.action_labels().get(action, action))
            return redirect("desk:application", code=a.code)
    else:
        # The fields the form took are checked as the action would: a date typed wrong does
        # not hide a missing reason until the next post.
        cleaned = form.cleaned_data
        try:
            refused = services.action_errors(
                request.user,
                a,
                action,
                reason=cleaned.get("reason") or "",
                new_date=cleaned.get("new_date"),
                documents=cleaned.get("documents") or [],
                refused=set(form.errors),
            )
        except services.IllegalTransition as exc:
            form.add_error(None, str(exc))
        else:
            _errors_into(form, refused, skip=set(form.errors))
    return application(request, code, action_form=form, failed_action=action)


@require_POST
def take(request, code):
    a = _find(request, code)
    try:
        services.take(request.user, a, context_of(request))
    except StateRefused as exc:
        messages.error(request, str(exc))
    except FieldErrors as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    return redirect("desk:application", code=a.code)


@require_POST
def reassign(request, code):
    a = _find(request, code)
    form = ReassignForm(request.POST, officers=services.desk_officers(a.gate))
    assignee = None
    if form.is_valid():
        assignee = (
            services.desk_officers(a.gate).filter(username=form.cleaned_data["assignee"]).first()
        )
    try:
        services.reassign(request.user, a, assignee, context_of(request))
    except FieldErrors as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Reassigned."))
    return redirect("desk:application", code=a.code)


def document(request, code, document_id):
    a = _find(request, code)
    try:
        d = services.document_of(a, document_id)
    except Exception:
        raise Http404(_("No such document.")) from None
    return _file_response(d)
