import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.desk.loading import load_all
from cuakhau.desk.models import Procedure

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="don-de-nghi.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def desk_data_dir(settings, tmp_path):
    settings.DESK_DOCUMENT_DIR = tmp_path / "desk-documents"


@pytest.fixture
def catalogue(reference_data, desk_officer):
    """The starter catalogue, and the desk it is filed at by default open: Ma Lù Thàng's has
    its officer (only a gate with a desk officer receives files)."""
    load_all()
    return Procedure.objects.get(key__startswith="amendment-of-an-investment")


@pytest.fixture
def desk_officer(mlt):
    return create_user("motcua", PASSWORD, roles.DESK, gates=[mlt])


@pytest.fixture
def supervisor(mlt):
    user = create_user("truongbophan", PASSWORD, roles.DESK, gates=[mlt])
    user.user_permissions.add(Permission.objects.get(codename="reassign_application"))
    return user


def applicant_data(procedure, **overrides):
    data = {
        "procedure": procedure.key,
        "applicant_name": "Lò Thị Mai",
        "organisation_name": "Công ty TNHH Thương mại Ma Lù Thàng",
        "id_number": "0100109106",
        "phone": "0912 345 678",
        "email": "mai@example.vn",
        "language": "vi",
        "address": "Xã Ma Ly Pho, Phong Thổ, Lai Châu",
        "note": "",
    }
    data.update(overrides)
    return data


def at(day: dt.date, hour=9):
    from zoneinfo import ZoneInfo

    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
