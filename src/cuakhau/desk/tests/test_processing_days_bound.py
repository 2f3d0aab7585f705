"""A procedure's processing time is bounded: a time of years (a typing error) is refused beside
its field in the administration and by the catalogue's loader, and is never filed, where it
reached the database (beyond a small integer: a 500 on PostgreSQL) or counted a due date
decades away beyond every calendar the desk reads."""

import csv

import pytest

from cuakhau.core.spreadsheets import DataFileError
from cuakhau.desk import services
from cuakhau.desk.loading import DATA, load_procedures
from cuakhau.desk.models import MAX_PROCESSING_DAYS, Procedure

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db


def _admin_post(procedure: Procedure, **changes) -> dict:
    post = {
        field: "" if getattr(procedure, field) is None else getattr(procedure, field)
        for field in services.PROCEDURE_FIELDS
    }
    post.update(active="on", **changes)
    post.update({"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"})
    return post


@pytest.mark.parametrize("days", [MAX_PROCESSING_DAYS + 1, 30000, 10**12])
def test_the_administration_refuses_a_processing_time_of_years_beside_its_field(
    admin_client, catalogue, days
):
    url = f"/admin/desk/procedure/{catalogue.pk}/change/"
    page = admin_client.post(url, _admin_post(catalogue, processing_days=str(days)))
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert list(errors) == ["processing_days"], errors
    catalogue.refresh_from_db()
    assert catalogue.processing_days == 10 and catalogue.version == 1
    saved = admin_client.post(url, _admin_post(catalogue, processing_days="45"))
    assert saved.status_code == 302
    catalogue.refresh_from_db()
    assert catalogue.processing_days == 45


@pytest.mark.parametrize("days", ["61", "40000", "-3"])
def test_the_loader_names_the_row_of_a_processing_time_out_of_range(reference_data, tmp_path, days):
    with open(DATA / "procedures.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[1]["processing_days"] = days
    path = tmp_path / "procedures.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataFileError) as refused:
        load_procedures(path)
    assert "row 3, column processing_days" in str(refused.value)
    assert "out of range" in str(refused.value)


def test_a_processing_time_stored_beyond_the_bound_is_not_filed(catalogue):
    # A row stored before the bound was kept (the admin and the loader refuse it now).
    Procedure.objects.filter(pk=catalogue.pk).update(processing_days=30000)
    catalogue.refresh_from_db()
    assert not catalogue.can_be_filed
    with pytest.raises(services.FieldErrors) as refused:
        services.file_application(applicant_data(catalogue), [pdf()])
    assert list(refused.value.errors) == ["procedure"]
