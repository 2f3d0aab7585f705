import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from cuakhau.core.api_support import CodeOf, Moment, NumberOf, OneOf, Text, TextOf

from .choices import ContainerSize, Direction, QuantityUnit, TripStatus, VehicleType
from .models import CargoLine, Trip, TripTransition
from .services import ARRIVAL_HORIZON, MAX_CARGO_LINES, TRIP_MACHINE

# The service refuses an arrival in the past with its own message; this window only keeps
# out the dates no page could show (year 1 or 9999).
# One without its UTC offset is the gate's local time (the service reads it on the gate's clock).
Arrival = Moment(past=dt.timedelta(days=366), future=ARRIVAL_HORIZON, naive_kept=True)
# An identifier as typed may carry separators and spaces the stored form does not.
Identifier = Text(40)
Reason = Text(2000, multiline=True)


class CargoLineIn(Schema):
    hs_code: Identifier = Field(
        ..., description="HS 2022 subheading (6 digits) or national 8-digit line"
    )
    description: TextOf(CargoLine, "description")
    quantity: NumberOf(CargoLine, "quantity")
    unit: OneOf(QuantityUnit) = Field(..., description="UN/ECE Rec. 20 unit code")
    gross_weight_kg: NumberOf(CargoLine, "gross_weight_kg")
    net_weight_kg: NumberOf(CargoLine, "net_weight_kg")
    value: NumberOf(CargoLine, "value")
    currency: Text(3) = Field(..., description="ISO 4217, e.g. VND, CNY, USD")
    origin_country: Text(2) = Field(..., description="ISO 3166-1 alpha-2")
    packages: NumberOf(CargoLine, "packages")
    phytosanitary_certificate: TextOf(CargoLine, "phytosanitary_certificate") = ""
    customs_declaration: TextOf(CargoLine, "customs_declaration") = ""
    container_numbers: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_CARGO_LINES,
        description="ISO 6346 numbers of the containers holding this line. A container named "
        "on several lines holds them all (a mixed load); each is added to the trip's containers.",
    )


class TripIn(Schema):
    gate: Text(8) = Field(..., description="Gate code, e.g. mlt (Ma Lu Thang), hng (Huu Nghi)")
    direction: OneOf(Direction)
    expected_arrival: Arrival = Field(
        ...,
        description="With its UTC offset (2026-12-02T08:30:00+07:00, or Z), or without one: "
        "then it is the gate's local time (Vietnam, UTC+07:00), whatever the caller's own.",
    )
    tractor_plate: Identifier = Field(..., examples=["25C-123.45", "云G12345"])
    trailer_plate: Identifier = ""
    vehicle_type: OneOf(VehicleType) = VehicleType.TRUCK
    capacity_tonnes: NumberOf(Trip, "capacity_tonnes") | None = Field(
        None, description="Rated capacity; the fee bracket"
    )
    container_size: OneOf(ContainerSize) = ContainerSize.NONE
    driver_name: TextOf(Trip, "driver_name")
    driver_nationality: Text(2) = Field(..., description="ISO 3166-1 alpha-2")
    driver_document_number: TextOf(Trip, "driver_document_number")
    driver_phone: TextOf(Trip, "driver_phone")
    container_numbers: list[Identifier] = Field(
        default_factory=list,
        max_length=MAX_CARGO_LINES,
        description="ISO 6346 numbers of every container the vehicle carries, including empty "
        "ones; the lines' containers are added to them.",
    )
    cargo_lines: list[CargoLineIn] = Field(default_factory=list, max_length=MAX_CARGO_LINES)


class ReasonIn(Schema):
    reason: Reason = ""


class AmendIn(Schema):
    reason: Reason
    declaration: TripIn
    version: NumberOf(Trip, "version") | None = Field(
        None,
        description="The trip's `version` the amendment was made on: if the trip was amended "
        "since, nothing is saved (422 at `version`), so a change made meanwhile is never "
        "silently undone. Without it, the amendment replaces whatever is there.",
    )


class CargoLineOut(Schema):
    line_no: int
    hs_code: str
    description: str
    quantity: Decimal
    unit: CodeOf(QuantityUnit)
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
    # The timeline's steps include the ones no transition of the table takes ("create").
    action: CodeOf(TRIP_MACHINE, "action")
    from_status: CodeOf(TRIP_MACHINE, "state", blank=True)  # "" for the declaration's start
    to_status: CodeOf(TRIP_MACHINE, "state")
    actor: str | None
    at: dt.datetime
    reason: str
    channel: CodeOf(TripTransition, "channel")
    remote_addr: str | None
    version: int


class TripSummaryOut(Schema):
    reference: str
    status: TripStatus
    version: int
    gate: str
    # None while a draft leaves it to be chosen (a draft may leave any text field empty).
    direction: Direction | None
    expected_arrival: dt.datetime
    organisation: str
    tractor_plate: str
    trailer_plate: str
    vehicle_type: CodeOf(VehicleType)
    capacity_tonnes: Decimal | None
    container_size: CodeOf(ContainerSize)  # "" for no container
    driver_name: str


class TripOut(TripSummaryOut):
    driver_nationality: str
    driver_document_number: str
    driver_phone: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    container_numbers: list[str]
    cargo_lines: list[CargoLineOut]
    timeline: list[TransitionOut]
    allowed_actions: list[CodeOf(TRIP_MACHINE, "action")]


class TripPage(Schema):
    count: int
    items: list[TripSummaryOut]
