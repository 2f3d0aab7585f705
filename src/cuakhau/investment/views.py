"""Pages of the investment register: the list with the zone's totals, a project, the import.
Views translate HTTP into ``services`` and ``imports`` calls only."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core import listing, spreadsheets
from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors
from cuakhau.core.forms import RefusedStep
from cuakhau.core.statemachine import IllegalTransition

from . import imports, services
from .choices import ProjectAction
from .forms import ActionForm, FilterForm, ImportForm
from .models import InvestmentProject

SESSION_KEY = "investment_import"


def projects(request):
    form = FilterForm(request.GET or None)
    filters = services.Filters()
    if listing.applies(form):
        filters = services.Filters(**{k: v or "" for k, v in form.cleaned_data.items()})
    refused = listing.refused(form)
    found = services.filter_projects(filters)
    return render(
        request,
        "investment/projects.html",
        {
            "form": form,
            # A refused filter lists no project and no totals, not the whole register's
            # (``core.listing``).
            "projects": found.none() if refused else found,
            "refused": refused,
            "totals": None if refused else services.zone_totals(found),
            "may_manage": services.may_manage(request.user),
        },
        status=listing.status_of(refused),
    )


def project(request, code):
    return _project_page(request, get_object_or_404(InvestmentProject, code=code.upper()))


def _project_page(request, item, refused: RefusedStep | None = None):
    """The project; after a refused status change, the page again with why beside its form."""
    actions = [(a, ProjectAction(a).label) for a in services.actions_for(request.user, item)]
    return render(
        request,
        "investment/project.html",
        {
            "refused": refused,
            "project": item,
            "usd_registered": services.to_usd(item.registered_capital_vnd, item.usd_rate),
            "usd_disbursed": services.to_usd(item.disbursed_capital_vnd, item.usd_rate),
            "share": services.disbursement_share(
                item.registered_capital_vnd, item.disbursed_capital_vnd
            ),
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
def act(request, code, action):
    item = get_object_or_404(InvestmentProject, code=code.upper())
    form = ActionForm(request.POST)

    def refused(errors):
        return _project_page(request, item, RefusedStep.of(request, action, errors, "reason", 500))

    if not form.is_valid():
        # A reason too long or with a control character: refused, never dropped.
        return refused(m for ms in form.errors.values() for m in ms)
    try:
        services.transition(
            request.user, item, action, form.cleaned_data["reason"], context_of(request)
        )
    except IllegalTransition as exc:
        return refused([exc])
    except FieldErrors as exc:
        return refused(m for ms in exc.errors.values() for m in ms)
    messages.success(request, _("Status changed."))
    return redirect("investment:project", code=item.code)


def import_page(request):
    """Upload → preview (nothing saved) → confirm. The checked rows wait in the session."""
    form = ImportForm()
    preview = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = imports.read_spreadsheet(upload.name, upload.read())
            except imports.ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                preview = imports.check(sheet)
                if preview.ok:
                    preview.token = spreadsheets.remember(request.session, SESSION_KEY, sheet)
    status = 422 if request.method == "POST" and (preview is None or not preview.ok) else 200
    return render(
        request,
        "investment/import.html",
        {"form": form, "preview": preview, "columns": imports.COLUMNS},
        status=status,
    )


@require_POST
def import_confirm(request):
    sheet = spreadsheets.recall(request.session, SESSION_KEY, request.POST.get("token"))
    if sheet is None:
        messages.error(request, _("That preview has expired: send the file again."))
        return redirect("investment:import")
    try:
        created = imports.import_projects(request.user, sheet, context=context_of(request))
    except imports.ImportRejected as exc:
        spreadsheets.forget(request.session, SESSION_KEY)
        return render(
            request,
            "investment/import.html",
            {
                "form": ImportForm(),
                "preview": imports.Check(rows=[], errors=exc.errors),
                "columns": imports.COLUMNS,
            },
            status=422,
        )
    spreadsheets.forget(request.session, SESSION_KEY)
    messages.success(request, _("%(n)d projects imported.") % {"n": len(created)})
    return redirect("investment:projects")


def example_file(request):
    return FileResponse(
        open(imports.EXAMPLE_FILE, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename="vi-du-du-an-dau-tu.csv",
        content_type="text/csv; charset=utf-8",
    )
