"""The board's historical figures: upload → preview (nothing saved) → confirm; the list of
imports with an undo. Views translate HTTP into ``imports`` calls only."""

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cuakhau.core import spreadsheets
from cuakhau.reference.localize import country_name
from cuakhau.trips.choices import Direction

from . import imports
from .models import ImportBatch

SESSION_KEY = "stats_import"
PREVIEW_ROWS = 50


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _page(request, form, preview=None, status=200):
    return render(
        request,
        "stats/import.html",
        {
            "form": form,
            "preview": preview,
            "summary": imports.summary(preview) if preview and preview.ok else [],
            "first_rows": _shown(preview.rows[:PREVIEW_ROWS]) if preview and preview.ok else [],
            "more_rows": max(0, len(preview.rows) - PREVIEW_ROWS) if preview else 0,
            "columns": imports.LAYOUT.columns,
            "batches": imports.batches(),
        },
        status=status,
    )


def _shown(rows):
    return [
        {
            **row,
            "direction_label": Direction(row["direction"]).label,
            "partner_name": country_name(row["partner"]),
        }
        for row in rows
    ]


def import_page(request):
    """Upload → preview (nothing saved). The checked rows wait in the session for the confirm."""
    if request.method != "POST":
        return _page(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    preview = None
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
    ok = preview is not None and preview.ok
    return _page(request, form, preview, status=200 if ok else 422)


@require_POST
def import_confirm(request):
    sheet = spreadsheets.recall(request.session, SESSION_KEY, request.POST.get("token"))
    if sheet is None:
        messages.error(request, _("That preview has expired: send the file again."))
        return redirect("stats:import")
    try:
        batch = imports.import_history(request.user, sheet)
    except imports.ImportRejected as exc:
        # The figures changed since the preview (another import, the platform's own months).
        spreadsheets.forget(request.session, SESSION_KEY)
        return _page(request, ImportForm(), spreadsheets.Check(rows=[], errors=exc.errors), 422)
    spreadsheets.forget(request.session, SESSION_KEY)
    messages.success(
        request,
        _("%(n)d rows imported (import no. %(batch)d).") % {"n": batch.rows, "batch": batch.pk},
    )
    return redirect("stats:import")


@require_POST
def import_undo(request, batch_id):
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    rows = imports.undo_import(request.user, batch)
    messages.success(
        request,
        _("Import no. %(batch)d undone: its %(n)d rows are deleted.")
        % {"batch": batch_id, "n": rows},
    )
    return redirect("stats:import")


def example_file(request):
    return FileResponse(
        open(imports.EXAMPLE_FILE, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename="vi-du-so-lieu-lich-su.csv",
        content_type="text/csv; charset=utf-8",
    )
