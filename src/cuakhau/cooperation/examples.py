"""A few real-looking rows of the cooperation register, every one marked as example data.

The subjects come from what the province reports of its talks with the Yunnan side (issue 12,
``data/SOURCES.md``): designating a gate for fresh fruit, the Ma Lù Thàng – Kim Thủy Hà
bridge, upgrading the gates to international status. Dates, owners, minutes, delegations and
amounts are invented. Free texts are written in Vietnamese, as the board writes them.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from .choices import AgreementKind, AidSector, CommitmentStatus, Side
from .models import (
    Agreement,
    AidProject,
    Commitment,
    CommitmentTransition,
    Counterpart,
    Delegation,
    Meeting,
)

COUNTERPARTS = {
    "jinping": (
        "UBND huyện Kim Bình",
        "Jinping County People's Government",
        "金平苗族瑶族傣族自治县人民政府",
        "CN",
    ),
    "honghe": (
        "UBND châu Hồng Hà",
        "Honghe Prefecture People's Government",
        "红河哈尼族彝族自治州人民政府",
        "CN",
    ),
    "yn_commerce": (
        "Sở Thương mại tỉnh Vân Nam",
        "Yunnan Department of Commerce",
        "云南省商务厅",
        "CN",
    ),
    "yn_foreign": (
        "Văn phòng Ngoại vụ tỉnh Vân Nam",
        "Yunnan Foreign Affairs Office",
        "云南省人民政府外事办公室",
        "CN",
    ),
    "kr_locality": (
        "Quận Gangseo, thành phố Busan",
        "Gangseo District, Busan",
        "釜山广域市江西区",
        "KR",
    ),
}


@transaction.atomic
def load_examples() -> dict:
    """Idempotent: a second call finds the rows already there."""
    if Counterpart.objects.filter(is_example=True).exists():
        return {"counterparts": Counterpart.objects.filter(is_example=True).count()}
    parties = {
        key: Counterpart.objects.create(
            name_vi=vi, name_en=en, name_zh=zh, country=country, is_example=True
        )
        for key, (vi, en, zh, country) in COUNTERPARTS.items()
    }
    memorandum = Agreement.objects.create(
        kind=AgreementKind.MEMORANDUM,
        title="Biên bản ghi nhớ về tăng cường hợp tác kinh tế, thương mại qua cặp cửa khẩu "
        "Ma Lù Thàng – Kim Thủy Hà",
        signed_on=dt.date(2023, 9, 14),
        subject="Tạo thuận lợi thông quan nông sản, phối hợp nâng cấp cặp cửa khẩu, xây cầu "
        "biên giới.",
        document="Lưu trữ Sở Ngoại vụ Lai Châu, hồ sơ số VD-2023-17",
        is_example=True,
    )
    memorandum.parties.set([parties["honghe"], parties["jinping"]])
    twinning = Agreement.objects.create(
        kind=AgreementKind.TWINNING,
        title="Thỏa thuận thiết lập quan hệ hữu nghị và hợp tác",
        signed_on=dt.date(2022, 11, 3),
        subject="Giao lưu văn hóa, đào tạo nghề, hỗ trợ nông nghiệp.",
        document="Lưu trữ Sở Ngoại vụ Lai Châu, hồ sơ số VD-2022-09",
        is_example=True,
    )
    twinning.parties.set([parties["kr_locality"]])
    talks = Meeting.objects.create(
        held_on=dt.date(2024, 3, 21),
        place="Huyện Kim Bình, Vân Nam",
        title="Hội đàm giữa lãnh đạo tỉnh Lai Châu và châu Hồng Hà",
        agreement=memorandum,
        minutes="Hai bên thống nhất thúc đẩy chỉ định cặp cửa khẩu cho quả tươi, khởi công cầu "
        "biên giới Ma Lù Thàng – Kim Thủy Hà và hoàn thiện hồ sơ nâng cấp cặp cửa khẩu lên "
        "cửa khẩu quốc tế. (Biên bản ví dụ.)",
        is_example=True,
    )
    talks.counterparts.set([parties["honghe"], parties["jinping"]])
    working = Meeting.objects.create(
        held_on=dt.date(2025, 8, 12),
        place="Khu kinh tế cửa khẩu Ma Lù Thàng",
        title="Họp nhóm công tác liên hợp về cửa khẩu",
        minutes="Rà soát tiến độ các cam kết tại hội đàm tháng 3/2024. (Biên bản ví dụ.)",
        is_example=True,
    )
    working.counterparts.set([parties["jinping"], parties["yn_commerce"]])
    commitments = [
        (
            talks,
            "Đề xuất chỉ định cặp cửa khẩu Ma Lù Thàng – Kim Thủy Hà nhập khẩu quả tươi",
            Side.BOTH,
            "Sở Công Thương Lai Châu",
            dt.date(2024, 12, 31),
            CommitmentStatus.IN_PROGRESS,
            "",
        ),
        (
            talks,
            "Khởi công cầu biên giới Ma Lù Thàng – Kim Thủy Hà",
            Side.BOTH,
            "Sở Giao thông vận tải Lai Châu",
            dt.date(2025, 6, 30),
            CommitmentStatus.OPEN,
            "",
        ),
        (
            talks,
            "Hoàn thiện hồ sơ nâng cấp cặp cửa khẩu lên cửa khẩu quốc tế",
            Side.VIETNAM,
            "Ban Quản lý Khu kinh tế tỉnh Lai Châu",
            dt.date(2027, 6, 30),
            CommitmentStatus.IN_PROGRESS,
            "",
        ),
        (
            working,
            "Trao đổi danh sách doanh nghiệp xuất khẩu chuối đã đăng ký",
            Side.COUNTERPART,
            "Cục Hải quan Kim Thủy Hà",
            dt.date(2025, 9, 30),
            CommitmentStatus.FULFILLED,
            "Danh sách 42 doanh nghiệp nhận ngày 18/9/2025 (công văn ví dụ số 315).",
        ),
    ]
    for meeting, subject, side, owner, due, status, evidence in commitments:
        c = Commitment.objects.create(
            meeting=meeting,
            subject=subject,
            side=side,
            owner=owner,
            due_date=due,
            status=status,
            evidence=evidence,
            done_on=dt.date(2025, 9, 18) if evidence else None,
            is_example=True,
        )
        # Its history starts, as a commitment recorded on the page does, with its recording.
        CommitmentTransition.objects.create(
            commitment=c, action="record", source="", target=CommitmentStatus.OPEN
        )
        if status != CommitmentStatus.OPEN:
            CommitmentTransition.objects.create(
                commitment=c,
                action="start" if status == CommitmentStatus.IN_PROGRESS else "fulfil",
                source=CommitmentStatus.OPEN,
                target=status,
                note=evidence,
            )
    delegations = [
        (dt.date(2024, 3, 20), "Đoàn châu Hồng Hà", "CN", 24, "Hội đàm hợp tác cửa khẩu"),
        (dt.date(2024, 10, 8), "Đoàn Sở Thương mại Vân Nam", "CN", 12, "Khảo sát thương mại"),
        (dt.date(2025, 5, 15), "Đoàn quận Gangseo, Busan", "KR", 9, "Giao lưu hữu nghị"),
        (dt.date(2025, 8, 12), "Nhóm công tác huyện Kim Bình", "CN", 15, "Họp nhóm công tác"),
    ]
    for day, name, country, visitors, purpose in delegations:
        Delegation.objects.create(
            received_on=day,
            from_name=name,
            country=country,
            visitors=visitors,
            purpose=purpose,
            is_example=True,
        )
    AidProject.objects.create(
        title="Cấp nước sinh hoạt cho các bản biên giới huyện Phong Thổ",
        donor="Cơ quan Hợp tác Quốc tế Hàn Quốc (KOICA)",
        donor_country="KR",
        sector=AidSector.INFRASTRUCTURE,
        amount=Decimal("1500000.00"),
        currency="USD",
        amount_vnd=Decimal("36397500000"),
        rate_note="24.265 đ/USD (2024)",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        is_example=True,
    )
    AidProject.objects.create(
        title="Nâng cao năng lực y tế tuyến xã vùng biên",
        donor="Cơ quan Hợp tác Quốc tế Nhật Bản (JICA)",
        donor_country="JP",
        sector=AidSector.HEALTH,
        amount=Decimal("120000000.00"),
        currency="JPY",
        amount_vnd=Decimal("20400000000"),
        rate_note="170 đ/JPY (2023)",
        starts_on=dt.date(2023, 4, 1),
        ends_on=dt.date(2025, 3, 31),
        is_example=True,
    )
    return {"counterparts": len(parties), "commitments": len(commitments)}
