"""Which inspections a trip needs, recording them, and clearing the trip when all passed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Count, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cuakhau.accounts import roles
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.inputs import check_text
from cuakhau.core.prepared import Prepared, insert
from cuakhau.core.retry import lock_rows
from cuakhau.core.wording import join_words, mid_sentence
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip

from .models import Agency, Inspection, InspectionKind, QuarantineSample, Result, SampleResult

AGENCY_OF_ROLE = {
    roles.CUSTOMS: Agency.CUSTOMS,
    roles.BORDER_GUARD: Agency.BORDER_GUARD,
    roles.QUARANTINE: Agency.QUARANTINE,
}


def requires_quarantine(trip: Trip) -> bool:
    from cuakhau.market.services import requires_quarantine as market_rule

    return market_rule(trip)


def current_channel(trip: Trip) -> str | None:
    from cuakhau.risk.services import current_assessment

    assessment = current_assessment(trip)
    return assessment.channel if assessment else None


def required_agencies(trip: Trip) -> list[str]:
    """Customs (by channel) and border guard always; quarantine for plant and animal products."""
    agencies = [Agency.CUSTOMS, Agency.BORDER_GUARD]
    if requires_quarantine(trip):
        agencies.append(Agency.QUARANTINE)
    return agencies


def latest(trip: Trip) -> dict[str, Inspection]:
    found: dict[str, Inspection] = {}
    # The model's ordering is (trip, started_at, id): ``all()`` keeps it and reads the trip's
    # prefetched inspections when a list (the queue) prefetched them.
    for inspection in trip.inspections.all():
        found[inspection.agency] = inspection
    return found


def outstanding(trip: Trip) -> list[str]:
    """Agencies the truck still waits for: each required one whose latest inspection has not
    passed, and any other that inspected it and has not (yet) passed it. An officer who
    inspects a truck the rules did not send them holds it until they record a pass: a fail or
    a hold an officer recorded is never ignored at the clearance."""
    done = latest(trip)
    required = required_agencies(trip)
    waiting_for = [*required, *(a for a in Agency.values if a in done and a not in required)]
    return [a for a in waiting_for if not (a in done and done[a].result == Result.PASS)]


def agency_of(user) -> str | None:
    for role, agency in AGENCY_OF_ROLE.items():
        if role in roles.roles_of(user):
            return agency
    return None


def _check_officer(officer, trip: Trip, agency: str) -> None:
    _check_permission(officer, trip, agency)
    _check_state(trip)


def _check_permission(officer, trip: Trip, agency: str) -> None:
    user_roles = roles.roles_of(officer)
    if roles.ADMINISTRATOR not in user_roles and (
        agency_of(officer) != agency or not trips.works_at(officer, trip.gate)
    ):
        raise trips.TripPermissionDenied(
            _("Only a %(agency)s officer of this gate records this inspection.")
            % {"agency": mid_sentence(Agency(agency).label)}
        )


def _check_state(trip: Trip) -> None:
    # Before any field: what was typed is moot for a truck not inside (and no field of the
    # request is at fault: a 409, not a 422 on a "trip" the body never had).
    if trip.status != TripStatus.ARRIVED:
        raise StateRefused(_("Inspections are recorded for trucks checked in and not yet cleared."))


def _only_said(errors: dict) -> dict[str, list[str]]:
    """``errors`` without the fields refused before the check (kept empty so as not to be
    checked again)."""
    return {path: messages for path, messages in errors.items() if messages}


def _text_into(errors: dict, model, name: str, value) -> str:
    """``value`` as its column stores it, or "" with its refusal kept in ``errors`` (a field
    there already is not checked again)."""
    if name in errors:
        return ""
    try:
        return check_text(value, model, name)
    except ValidationError as exc:
        errors[name] = exc.messages
        return ""


@transaction.atomic(savepoint=False)
def release_green_channel(trip: Trip, channel: str) -> Inspection | None:
    """At check-in, a green-channel truck needs no customs check: record the release so
    clearance can follow.

    ``channel``: the channel the check-in has just assessed. Nothing is read: until this
    check-in the truck was paid, not inside, and officers record inspections only for trucks
    inside, so customs has recorded nothing of it (no transition leads back to paid). No
    savepoint: a failure here fails the check-in's whole transaction, which is what it wants.
    """
    if channel != "green":
        return None
    now = timezone.now()
    release = Inspection(
        trip=trip,
        agency=Agency.CUSTOMS,
        kind=InspectionKind.GREEN_CHANNEL,
        started_at=now,
        ended_at=now,
        result=Result.PASS,
        automatic=True,
        # The system's own words, shown in the reader's language (the page translates them for
        # an automatic release); stored as the untranslated message, not in whoever's tongue
        # happened to trigger it.
        notes=gettext_noop("Released by the green channel."),
    )
    return insert(release)


# What customs does for a truck of each channel (a green one needs nothing but the release).
CUSTOMS_CHECK_OF_CHANNEL = {
    "yellow": InspectionKind.DOCUMENT_CHECK,
    "red": InspectionKind.PHYSICAL,
}
# What an officer may say they start; a green-channel release is the system's alone.
MANUAL_KINDS = (InspectionKind.DOCUMENT_CHECK, InspectionKind.PHYSICAL, InspectionKind.SAMPLING)
RANK_OF_KIND = {InspectionKind.DOCUMENT_CHECK: 1, InspectionKind.PHYSICAL: 2}
# The system's words on a customs check opened again, stored untranslated (as the release's).
REOPENED_NOTES = {
    "yellow": gettext_noop(
        "The risk channel was raised to yellow: customs checks the documents again."
    ),
    "red": gettext_noop("The risk channel was raised to red: customs inspects the truck."),
}


def reopen_customs(sender, assessment, previous, **kwargs) -> Inspection | None:
    """The channel of a truck inside went up (a weighbridge reading far from the declaration):
    customs' pass was given for the lower channel (a green-channel release, a document check)
    and no longer clears it. A customs check fitting the new channel is opened, so customs is
    outstanding again until an officer records its result.

    Called in the reassessment's transaction, which holds the trip's lock (``risk.record``).
    """
    trip = assessment.trip
    kind = CUSTOMS_CHECK_OF_CHANNEL.get(assessment.channel)
    if trip.status != TripStatus.ARRIVED or kind is None:
        return None
    last = (
        Inspection.objects.filter(trip_id=trip.pk, agency=Agency.CUSTOMS)
        .order_by("-started_at", "-id")
        .first()
    )
    if last is None or (last.ended_at is not None and last.result != Result.PASS):
        # Nothing recorded yet (customs checks for the channel it is shown), or a fail or hold
        # that keeps customs outstanding anyway.
        return None
    if last.ended_at is None:
        # An inspection under way goes on, as the check the new channel asks for.
        if RANK_OF_KIND.get(last.kind, 0) < RANK_OF_KIND[kind]:
            last.kind = kind
            last.save(update_fields=["kind"])
        return last
    now = timezone.now()
    return insert(
        Inspection(
            trip=trip,
            agency=Agency.CUSTOMS,
            kind=kind,
            started_at=now,
            automatic=True,
            notes=REOPENED_NOTES[assessment.channel],
        )
    )


@transaction.atomic
def start_inspection(officer, trip: Trip, agency: str | None = None, kind: str = "") -> Inspection:
    trip = lock_rows(Trip.objects).get(pk=trip.pk)
    agency = agency or agency_of(officer)
    if agency not in Agency.values:
        raise FieldErrors({"agency": [_("Choose customs, border guard or quarantine.")]})
    if kind and kind not in MANUAL_KINDS:
        raise FieldErrors(
            {
                "kind": [
                    _("Choose the check you start: %(kinds)s.")
                    % {"kinds": join_words(InspectionKind(k).label for k in MANUAL_KINDS)}
                ]
            }
        )
    _check_officer(officer, trip, agency)
    open_one = trip.inspections.filter(agency=agency, ended_at=None).first()
    if open_one is not None:
        return open_one
    return Inspection.objects.create(
        trip=trip,
        agency=agency,
        kind=kind or _default_kind(trip, agency),
        started_at=timezone.now(),
        officer=officer,
        started_by=officer,
    )


def _default_kind(trip: Trip, agency: str) -> str:
    # Customs' check follows the channel: the failed-inspections rule counts physical ones.
    if agency != Agency.CUSTOMS:
        return ""
    return CUSTOMS_CHECK_OF_CHANNEL.get(current_channel(trip) or "", "")


def result_errors(
    officer, trip: Trip, result, notes="", agency=None, *, refused=()
) -> dict[str, list[str]]:
    """What ``record_result`` would refuse in its fields, all at once (``refused``: fields
    refused already, not checked again nor said again); writes nothing. A caller who may not
    record it is refused first (``TripPermissionDenied``)."""
    errors = dict.fromkeys(refused, [])
    _result_of(officer, trip, result, notes, agency, errors)
    return _only_said(errors)


def _result_of(officer, trip: Trip, result, notes, agency, errors: dict):
    """(agency, notes as stored, the agency's open inspection, its latest) of a result, each refusal kept
    in ``errors``: a result the page could not read no longer hid a fail without its notes, nor
    a trip already out of the gate."""
    agency = agency or agency_of(officer)
    if agency not in Agency.values:
        # An administrator belongs to no agency: they must say which one they record for.
        errors.setdefault("agency", [_("Choose customs, border guard or quarantine.")])
        agency = None
    else:
        _check_permission(officer, trip, agency)
    _check_state(trip)
    if "result" not in errors and result not in Result.values:
        errors["result"] = [_("Choose pass, fail or hold.")]
    notes = _text_into(errors, Inspection, "notes", notes)
    if "notes" not in errors and result in (Result.FAIL, Result.HOLD) and not notes:
        errors["notes"] = [_("Say what was found.")]
    if agency is None:
        return None, notes, None, None
    # The agency's open inspection (only ever its latest), and its last fail or noted pass:
    # a hold between a fail and a pass overturns nothing (a trip has a handful of these).
    recent = list(trip.inspections.filter(agency=agency).order_by("-started_at", "-id"))
    inspection = recent[0] if recent and recent[0].ended_at is None else None
    standing = next(
        (
            i
            for i in recent
            if i.ended_at is not None
            and (i.result == Result.FAIL or (i.result == Result.PASS and i.notes))
        ),
        None,
    )
    if (
        result == Result.PASS
        and "notes" not in errors
        and not notes
        and standing
        and standing.result == Result.FAIL
    ):
        # The fail stays in the record (and out of the enterprise's count of failures): the
        # pass that overturns it says why.
        errors["notes"] = [_("This truck failed this inspection: say why it passes now.")]
    # A pending sample of the trip's, not only of this inspection: a hold closes the
    # inspection its samples were taken in, and the pass that follows it is a new record
    # without samples. (A positive one of an earlier inspection may be followed by a pass
    # after treatment: that is the officer's recorded decision.)
    pending = Q(inspection__trip=trip, result=SampleResult.PENDING)
    if inspection is not None:
        pending |= Q(inspection=inspection) & ~Q(result=SampleResult.NEGATIVE)
    if (
        agency == Agency.QUARANTINE
        and result == Result.PASS
        and QuarantineSample.objects.filter(pending).exists()
    ):
        errors.setdefault("result", []).append(
            _("A sample is still pending or positive: the consignment cannot pass quarantine.")
        )
    return agency, notes, inspection, recent[0] if recent else None


@transaction.atomic
def record_result(
    officer,
    trip: Trip,
    result: str,
    notes: str = "",
    agency: str | None = None,
    context: RequestContext = SYSTEM,
) -> Inspection:
    """Close the agency's inspection with pass, fail or hold; clear the trip if nothing is left.
    Every field is checked before any is refused.

    The decision the agency's latest inspection already holds, by the same officer, with no
    inspection opened since, is that decision sent again (a page submitted twice, a request
    resent over a poor network): it is answered with the inspection that holds it, marked
    ``repeated``, and recorded once. Kept twice, one truck's fail counted as two against its
    enterprise in the risk rules' record of failed inspections."""
    trip = lock_rows(Trip.objects).get(pk=trip.pk)
    errors: dict[str, list[str]] = {}
    agency, notes, inspection, latest = _result_of(officer, trip, result, notes, agency, errors)
    if errors:
        raise FieldErrors(errors)
    if (
        inspection is None
        and latest is not None
        and (latest.result, latest.notes, latest.officer_id) == (result, notes, officer.pk)
    ):
        latest.repeated = True
        return latest
    if inspection is None:
        inspection = Inspection.objects.create(
            trip=trip,
            agency=agency,
            kind=_default_kind(trip, agency),
            started_at=timezone.now(),
            officer=officer,
            started_by=officer,
        )
    inspection.result = result
    inspection.notes = notes
    inspection.ended_at = timezone.now()
    # The officer who decides it; who started it stays in ``started_by``.
    inspection.officer = officer
    # A check the system opened (the channel was raised) is the officer's once they decide it.
    inspection.automatic = False
    inspection.save()
    if not outstanding(trip):
        # The system clears the truck, on the act of the officer whose result was the last one.
        trips.gate_transition(trip, "clear", None, context, on_behalf_of=officer)
    return inspection


def sample_errors(
    officer, trip: Trip, sample_code, description, laboratory="", *, refused=()
) -> dict[str, list[str]]:
    """What ``take_sample`` would refuse in its fields, all at once (``refused``: fields
    refused already); writes nothing. A caller who may not take it is refused first."""
    errors = dict.fromkeys(refused, [])
    _sample_of(officer, trip, sample_code, description, laboratory, errors)
    return _only_said(errors)


def _sample_of(officer, trip: Trip, sample_code, description, laboratory, errors: dict):
    """(the sample's texts as stored, the quarantine inspection under way or None), each
    refusal kept in ``errors``."""
    _check_permission(officer, trip, Agency.QUARANTINE)
    _check_state(trip)
    text = {
        name: _text_into(errors, QuarantineSample, name, value)
        for name, value in (
            ("sample_code", sample_code),
            ("description", description),
            ("laboratory", laboratory),
        )
    }
    if "sample_code" not in errors and not text["sample_code"]:
        errors["sample_code"] = [_("Enter the sample code.")]
    if "description" not in errors and not text["description"]:
        errors["description"] = [_("Say what was sampled.")]
    open_one = trip.inspections.filter(agency=Agency.QUARANTINE, ended_at=None).first()
    if (
        "sample_code" not in errors
        and open_one is not None
        and open_one.samples.filter(sample_code=text["sample_code"]).exists()
    ):
        errors["sample_code"] = [
            _("Sample %(code)s is already recorded.") % {"code": text["sample_code"]}
        ]
    return text, open_one


@transaction.atomic
def take_sample(
    officer, trip: Trip, sample_code: str, description: str, laboratory: str = ""
) -> QuarantineSample:
    """A sample of the quarantine inspection under way (started by it if none is); every field
    is checked before any is refused."""
    trip = lock_rows(Trip.objects).get(pk=trip.pk)
    errors: dict[str, list[str]] = {}
    text, inspection = _sample_of(officer, trip, sample_code, description, laboratory, errors)
    if errors:
        raise FieldErrors(errors)
    if inspection is None:
        inspection = Inspection.objects.create(
            trip=trip,
            agency=Agency.QUARANTINE,
            kind=InspectionKind.SAMPLING,
            started_at=timezone.now(),
            officer=officer,
            started_by=officer,
        )
    return QuarantineSample.objects.create(
        inspection=inspection, taken_at=timezone.now(), taken_by=officer, **text
    )


def sample_result_errors(
    officer, sample: QuarantineSample, result, finding="", *, refused=()
) -> dict[str, list[str]]:
    """What ``record_sample_result`` would refuse in its fields, all at once (``refused``:
    fields refused already); writes nothing. A caller who may not record it is refused
    first."""
    errors = dict.fromkeys(refused, [])
    _sample_result_of(officer, sample, result, finding, errors)
    return _only_said(errors)


def _sample_result_of(officer, sample: QuarantineSample, result, finding, errors: dict) -> str:
    """The finding as stored, each refusal kept in ``errors``."""
    trip = sample.inspection.trip
    _check_permission(officer, trip, Agency.QUARANTINE)
    _check_state(trip)
    if sample.result != SampleResult.PENDING:
        # A laboratory's result is part of the record: a negative turned positive after the
        # consignment passed (or the reverse) would rewrite what the pass was decided on.
        errors["result"] = [
            _("Sample %(code)s already has its result: %(result)s.")
            % {"code": sample.sample_code, "result": sample.get_result_display()}
        ]
    elif "result" not in errors and result not in (SampleResult.NEGATIVE, SampleResult.POSITIVE):
        errors["result"] = [_("Choose negative or positive.")]
    finding = _text_into(errors, QuarantineSample, "finding", finding or "")
    if "finding" not in errors and result == SampleResult.POSITIVE and not finding:
        errors["finding"] = [_("Name the pest or disease found.")]
    return finding


@transaction.atomic
def record_sample_result(
    officer, sample: QuarantineSample, result: str, finding: str = ""
) -> QuarantineSample:
    # Read again under its lock, with its trip: two results sent at once are one, then a
    # refusal.
    sample = lock_rows(QuarantineSample.objects.select_related("inspection__trip")).get(
        pk=sample.pk
    )
    errors: dict[str, list[str]] = {}
    finding = _sample_result_of(officer, sample, result, finding, errors)
    if errors:
        raise FieldErrors(errors)
    sample.result = result
    sample.finding = finding
    sample.result_at = timezone.now()
    sample.save()
    return sample


_FAILED_SINCE = Prepared(
    lambda organisation, since: (
        # What the rule says it weighs: physical inspections of the goods the enterprise
        # failed; not a driver's papers or a document check, and not a fail the same agency
        # turned into a pass for that trip afterwards (a pass over a fail needs its reason).
        Inspection.objects.filter(
            result=Result.FAIL, ended_at__gte=since, kind=InspectionKind.PHYSICAL
        )
        .filter(
            ~Exists(
                Inspection.objects.filter(
                    trip_id=OuterRef("trip_id"),
                    agency=OuterRef("agency"),
                    result=Result.PASS,
                    ended_at__gt=OuterRef("ended_at"),
                )
            )
        )
        # Counted from the failures, never from the organisation's trips: SQLite's statistics
        # hold one average per index column, a rare "fail" looks as common as "pass", and the
        # plan went through every trip of the company instead (20 ms for one of 13,000 trips
        # on the 90-day demo, at each of its check-ins). ``+ 0`` leaves the organisation no
        # index to start from; failures in a window are few at any gate.
        .annotate(
            organisation_key=ExpressionWrapper(
                F("trip__organisation_id") + 0, output_field=BigIntegerField()
            )
        )
        .filter(organisation_key=organisation)
        .order_by()
        .values("organisation_key")
        .annotate(failures=Count("pk"))
        .values_list("failures")
    ),
    organisation=int,
    since=dt.datetime,
)


def failed_inspections(organisation, since) -> int:
    """The organisation's record, for the risk rules."""
    rows = _FAILED_SINCE.values(organisation=organisation.pk, since=since)
    return rows[0][0] if rows else 0


def failed_inspections_column(organisation, since):
    """``failed_inspections`` as a column of another query (the risk assessment read at
    check-in): the same count, without a statement of its own. ``organisation`` is its id."""
    from django.db.models import IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    return Coalesce(
        Subquery(_FAILED_SINCE.build(organisation=organisation, since=since)[:1]),
        Value(0),
        output_field=IntegerField(),
    )
