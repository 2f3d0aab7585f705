"""The starter catalogue and the official schedule, loaded from ``desk/data/`` (see SOURCES.md).

Loading again updates what changed, through the same version history the admin uses, and
never deletes. A procedure a person has corrected since (in the admin) is left as they made it:
``setup`` reloads on every run, and must not put the starter data's guesses back. So is a day of
the official schedule a person added, changed or deleted in the admin (its log says which).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from cuakhau.core.spreadsheets import DataFileError, file_number

from . import agencies
from .models import MAX_PROCESSING_DAYS, MAX_PROCESSING_HOURS, Confidence, Procedure, ScheduleDay
from .services import record_procedure_change

DATA = Path(__file__).parent / "data"


def _int(
    row: dict,
    number: int,
    column: str,
    file: str = "procedures.csv",
    most: int | None = None,
    least: int = 0,
) -> int | None:
    # As every import reads a number (``core.spreadsheets.file_number``): "1e3" or "NaN" is
    # an error naming its row and column, not a traceback of ``int``. Out of the column's
    # range, it is the same error, not the database's (both columns hold no negative number).
    value = file_number(row[column], file=file, row=number, column=column, whole=True)
    if value is not None and (value < least or (most is not None and value > most)):
        limit = f"from {least} to {most}" if most is not None else f"{least} or more"
        raise DataFileError(
            f"{file}, row {number}, column {column}: {value} is out of range ({limit})."
        )
    return value


def procedure_key(row: dict) -> str:
    return slugify(row["name_en"])[:60].strip("-")


def agency_values(agency_vi: str) -> dict:
    """The agency in three languages (``data/agencies.csv``) and the default stages in each
    language the agency's name is known in."""
    names = agencies.agency_names(agency_vi)
    return {
        "agency": names["vi"],
        "agency_en": names["en"],
        "agency_zh": names["zh"],
        "stages": agencies.default_stages(names["vi"], "vi"),
        "stages_en": agencies.default_stages(names["en"], "en") if names["en"] else "",
        "stages_zh": agencies.default_stages(names["zh"], "zh") if names["zh"] else "",
    }


@transaction.atomic
def corrected_by_a_person(procedure: Procedure) -> bool:
    """Its current state comes from a person's edit (the loader records no one)."""
    latest = procedure.versions.order_by("-version").first()
    return latest is not None and latest.replaced_by_id is not None


def load_procedures(path: Path | None = None) -> tuple[int, int, int]:
    """Returns (created, updated, kept as a person corrected them)."""
    path = path or DATA / "procedures.csv"
    with open(DATA / "procedures_zh.csv", encoding="utf-8") as f:
        chinese = {r["name_en"]: r["name_zh"] for r in csv.DictReader(f)}
    created = updated = kept = 0
    with open(path, encoding="utf-8") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            key = procedure_key(row)
            values = {
                "national_code": row["code"].strip(),
                "name_vi": row["name_vi"].strip(),
                "name_en": row["name_en"].strip(),
                "name_zh": chinese.get(row["name_en"].strip(), ""),
                **agency_values(row["agency"].strip()),
                "legal_basis": row["legal_basis"].strip(),
                "required_documents": "\n".join(
                    d.strip() for d in row["required_documents"].split(";") if d.strip()
                ),
                "fee_vnd": _int(row, number, "fee_vnd", path.name),
                "processing_days": _int(
                    row, number, "processing_days", path.name, most=MAX_PROCESSING_DAYS
                ),
                # A time the law gives in working hours (a C/O form E), else empty.
                "processing_hours": _int(
                    row, number, "processing_hours", path.name, most=MAX_PROCESSING_HOURS, least=1
                )
                if row.get("processing_hours") is not None
                else None,
                "confidence": row["confidence"].strip() or Confidence.UNCERTAIN,
                "source": row["source"].strip(),
                "notes": row["notes"].strip(),
            }
            if values["processing_days"] is not None and values["processing_hours"] is not None:
                raise DataFileError(
                    f"{path.name}, row {number}: give processing_days or processing_hours, "
                    "not both."
                )
            procedure = Procedure.objects.filter(key=key).first()
            if procedure is None:
                Procedure.objects.create(key=key, **values)
                created += 1
                continue
            if corrected_by_a_person(procedure):
                kept += 1
                continue
            for name, value in values.items():
                setattr(procedure, name, value)
            before = procedure.version
            record_procedure_change(procedure, None, "starter catalogue reloaded")
            if procedure.version != before:
                procedure.save()
                updated += 1
    return created, updated, kept


def days_a_person_changed() -> set[dt.date]:
    """The schedule's days an administrator added, changed or deleted in the admin, read from
    its log (``ScheduleDay.__str__`` starts with the day; the admin keeps a day read-only once
    saved, so a moved day is a deletion and an addition, each logged with its day)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ScheduleDay)
    ).values_list("object_repr", flat=True)
    days = set()
    for text in entries:
        try:
            days.add(dt.date.fromisoformat(text.split(" ", 1)[0]))
        except ValueError:
            continue
    return days


@transaction.atomic
def load_schedule(path: Path | None = None) -> int:
    """Loads the shipped days; a day a person decided in the admin is left as they decided it
    (an uncertain swap an administrator checked and deleted came back with every ``setup``, and
    moved the deadlines of the files filed after it)."""
    path = path or DATA / "schedule.csv"
    decided = days_a_person_changed()
    count = 0
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["day"])
            if day in decided:
                continue
            ScheduleDay.objects.update_or_create(
                day=day,
                defaults={
                    "kind": row["kind"],
                    "note": row["note"],
                    "source": row["source"],
                    "confidence": row["confidence"],
                },
            )
            count += 1
    return count


def load_all() -> dict:
    created, updated, kept = load_procedures()
    return {
        "created": created,
        "updated": updated,
        "kept": kept,
        "schedule_days": load_schedule(),
    }
