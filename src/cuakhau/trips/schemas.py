import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .choices import ContainerSize, Direction, QuantityUnit, TripStatus, VehicleType


class CargoLineIn(Schema):
    hs_code: str = Field(..., description="HS 2022 subheading (6 digits) or national 8-digit line")
    description: str
    quantity: Decimal
    unit: QuantityUnit = Field(..., description="UN/ECE Rec. 20 unit code")
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    value: Decimal
    currency: str = Field(..., description="ISO 4217, e.g. VND, CNY, USD")
    origin_country: str = Field(..., description="ISO 3166-1 alpha-2")
    packages: int
    phytosanitary_certificate: str = ""
    customs_declaration: str = ""
    container_numbers: list[str] = Field(default_factory=list, description="ISO 6346")


class TripIn(Schema):
    gate: str = Field(..., description="Gate code, e.g. mlt (Ma Lu Thang), hng (Huu Nghi)")
    direction: Direction
    expected_arrival: dt.datetime
    tractor_plate: str = Field(..., examples=["25C-123.45", "云G12345"])
    trailer_plate: str = ""
    vehicle_type: VehicleType = VehicleType.TRUCK
    capacity_tonnes: Decimal | None = Field(None, description="Rated capacity; the fee bracket")
    container_size: ContainerSize = ContainerSize.NONE
    driver_name: str
    driver_nationality: str = Field(..., description="ISO 3166-1 alpha-2")
    driver_document_number: str
    driver_phone: str
    cargo_lines: list[CargoLineIn] = Field(default_factory=list)


class ReasonIn(Schema):
    reason: str = ""


class AmendIn(Schema):
    reason: str
    declaration: TripIn


class CargoLineOut(Schema):
    line_no: int
    hs_code: str
    description: str
    quantity: Decimal
    unit: str
    gross_weight_kg: Decimal
    net_weight_kg: Decimal
    value: Decimal
    currency: str
    origin_country: str
    packages: int
    phytosanitary_certificate: str
    customs_declaration: str
    container_numbers: list[str]


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    at: dt.datetime
    reason: str
    channel: str
    remote_addr: str | None
    version: int


class TripSummaryOut(Schema):
    reference: str
    status: TripStatus
    version: int
    gate: str
    direction: Direction
    expected_arrival: dt.datetime
    organisation: str
    tractor_plate: str
    trailer_plate: str
    vehicle_type: str
    capacity_tonnes: Decimal | None
    container_size: str
    driver_name: str


class TripOut(TripSummaryOut):
    driver_nationality: str
    driver_document_number: str
    driver_phone: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    cargo_lines: list[CargoLineOut]
    timeline: list[TransitionOut]
    allowed_actions: list[str]


class TripPage(Schema):
    count: int
    items: list[TripSummaryOut]
