from django.http import HttpRequest
from ninja import Field, Router, Schema

from cuakhau.core.api_support import CodeOf, Text, WholeNumber, label_of

from . import services
from .models import Confidence, Gate

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
    confidence: CodeOf(Confidence)
    confidence_label: str
    handles_freight: bool

    @staticmethod
    def resolve_confidence_label(obj) -> str:
        return label_of(Confidence, obj.confidence)


class HSCodeOut(Schema):
    code: str
    display_code: str
    description: str = Field(description="The HS text in English")
    description_vi: str = Field(description="The official Vietnamese name (Circular 31/2022)")
    context_vi: str = Field(description="The Vietnamese name with its heading's path")
    name_zh: str = Field(description="Chinese product names (curated; no official HS text)")
    name: str = Field(description="The name in the request's language, or a fallback")
    name_language: str = Field(description="The language of `name`: vi, en or zh")
    name_is_fallback: bool = Field(description="`name` is not in the request's language")

    @staticmethod
    def resolve_name_language(obj) -> str:
        return obj.name.lang

    @staticmethod
    def resolve_name_is_fallback(obj) -> bool:
        return obj.name.is_fallback


@router.get(
    "/gates",
    response=list[GateOut],
    summary="The border gates",
    description=(
        "Every border gate on cuakhau, with its names in vi / en / zh, province, counterpart "
        "gate and UN/LOCODEs; `handles_freight` says whether trips may be declared for it."
    ),
)
def list_gates(request: HttpRequest):
    return list(Gate.objects.all())


@router.get(
    "/hs",
    response=list[HSCodeOut],
    summary="Search HS 2022 subheadings",
)
def search_hs(request: HttpRequest, q: Text(100) = "", limit: WholeNumber(1, 50) = 15):
    """By code prefix, or by words in Vietnamese (tone marks optional), English or Chinese.

    Names come in the request's language (``Accept-Language`` or the profile's); where none
    exists in it, ``name`` is another language's, said by ``name_language``.

    An autocomplete for a declaration's cargo lines: the best ``limit`` matches (1 to 50),
    not a list to page through.
    """
    return list(services.search_hs_codes(q, min(max(limit, 1), 50)))
