from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cuakhau.core.api_support import Text

from . import services
from .models import Gate

router = Router(tags=["reference"])


class GateOut(Schema):
    code: str
    name: str
    name_vi: str
    name_en: str
    name_zh: str
    province: str
    counterpart: str
    gate_class: str
    unlocode_vn: str
    unlocode_cn: str
    time_zone: str
    confidence: str
    handles_freight: bool


class HSCodeOut(Schema):
    code: str
    display_code: str
    description: str


@router.get("/gates", response=list[GateOut])
def list_gates(request: HttpRequest):
    return list(Gate.objects.all())


@router.get("/hs", response=list[HSCodeOut], summary="Search HS 2022 subheadings")
def search_hs(
    request: HttpRequest, q: Text(100) = "", limit: Annotated[int, Field(ge=1, le=50)] = 15
):
    return list(services.search_hs_codes(q, min(max(limit, 1), 50)))
