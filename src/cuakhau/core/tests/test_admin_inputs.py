"""The administration's forms answer a bad value beside its field, as every other form does:
they saved what the services refuse, and pages that read it then failed."""

import pytest
from django.core.exceptions import ValidationError

from cuakhau.gate.models import Device
from cuakhau.slots.models import SlotCapacity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["camera\x1b[31m", "cổng\u202e", "   "])
def test_a_device_the_service_would_refuse_is_an_error_on_the_form(admin_client, mlt, name):
    page = admin_client.post(
        "/admin/gate/device/add/", {"gate": mlt.pk, "kind": "plate_camera", "name": name}
    )
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not Device.objects.exists()


def test_a_device_name_taken_at_the_gate_is_an_error_on_the_form(admin_client, mlt):
    post = {"gate": mlt.pk, "kind": "plate_camera", "name": "Camera làn 1"}
    assert admin_client.post("/admin/gate/device/add/", post).status_code == 302
    again = admin_client.post("/admin/gate/device/add/", post)
    assert again.status_code == 200 and "already has a device" in again.content.decode()
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    "quotas",
    ['"abc"', "[1, 2]", "1", '{"perishable": "x"}', '{"perishable": null}', '{"perishable": -5}',
     '{"perishable": 1e308}', "NaN", '{"perishable": 999}', '{"nobody": 2}'],
)  # fmt: skip
def test_reserved_seats_the_hour_cannot_hold_are_refused(admin_client, mlt, quotas):
    post = {
        "gate": mlt.pk,
        "direction": "export",
        "weekday": 0,
        "hour": 8,
        "lanes": 2,
        "trucks_per_lane_hour": 10,
        "quotas": quotas,
    }
    page = admin_client.post("/admin/slots/slotcapacity/add/", post)
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not SlotCapacity.objects.exists()
    taken = admin_client.post(
        "/admin/slots/slotcapacity/add/", {**post, "quotas": '{"perishable": 4}'}
    )
    assert taken.status_code == 302
    assert SlotCapacity.objects.get().quotas == {"perishable": 4}


@pytest.mark.parametrize("prefix", ["١٢", "０８", "08a"])
def test_an_hs_prefix_is_ascii_digits(prefix):
    from django.core.exceptions import ValidationError

    from cuakhau.market.models import validate_hs_prefix

    with pytest.raises(ValidationError):
        validate_hs_prefix(prefix)
    validate_hs_prefix("0810")


@pytest.mark.parametrize("text", ["Sầu riêng\x1b[31m", "Thanh long\u202e", "nul\x00"])
def test_every_admin_text_is_cleaned_as_the_other_forms_are(admin_client, text):
    """A market rule's product name was saved with an escape sequence through the admin."""
    from cuakhau.slots.models import PriorityClass

    post = {"code": "sau-rieng", "name_vi": text, "name_en": "Durian", "name_zh": "榴莲", "rank": 1}
    page = admin_client.post("/admin/slots/priorityclass/add/", post)
    # Django's own check says a NUL first ("Null characters are not allowed").
    said = page.content.decode()
    assert page.status_code == 200 and ("control character" in said or "Null char" in said)
    assert not PriorityClass.objects.filter(code="sau-rieng").exists()
    saved = admin_client.post("/admin/slots/priorityclass/add/", {**post, "name_vi": "Sầu riêng"})
    assert saved.status_code == 302, saved.content.decode()[:2000]


BEYOND_64_BITS = 10**20


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/slots/booking/?gate={BEYOND_64_BITS}",
        f"/admin/gate/device/?gate__id__exact={BEYOND_64_BITS}",
        f"/admin/fees/feeschedule/?gate={BEYOND_64_BITS}",
    ],
)
def test_an_id_no_row_can_have_finds_nothing_on_every_database(admin_client, mlt, url):
    """SQLite's driver cannot bind an integer past 64 bits: a foreign key's filter or a list
    of ids answered 500 there (200 on PostgreSQL)."""
    assert admin_client.get(url).status_code in (200, 302)


def test_out_of_range_keys_match_nothing_and_exclude_nothing(mlt):
    from cuakhau.reference.models import Gate
    from cuakhau.slots.models import SlotCapacity

    SlotCapacity.objects.create(
        gate=mlt, direction="export", weekday=0, hour=8, lanes=2, trucks_per_lane_hour=10
    )
    everyone = Gate.objects.count()
    assert not Gate.objects.filter(pk__in=[BEYOND_64_BITS, -BEYOND_64_BITS]).exists()
    assert list(Gate.objects.filter(pk__in=[BEYOND_64_BITS, mlt.pk])) == [mlt]
    assert Gate.objects.exclude(pk__in=[BEYOND_64_BITS]).count() == everyone
    assert not SlotCapacity.objects.filter(gate=BEYOND_64_BITS).exists()
    assert not SlotCapacity.objects.filter(gate__in=[str(BEYOND_64_BITS)]).exists()
    assert SlotCapacity.objects.exclude(gate=BEYOND_64_BITS).count() == 1


def test_keys_and_moments_past_the_ends_order_as_the_ends_do(mlt):
    """A filter past the end of what a column holds answers as the end itself would."""
    import datetime

    from django.contrib.auth.models import User

    from cuakhau.slots.models import SlotCapacity

    SlotCapacity.objects.create(
        gate=mlt, direction="export", weekday=0, hour=8, lanes=2, trucks_per_lane_hour=10
    )
    capacities = SlotCapacity.objects
    assert capacities.filter(gate__lt=BEYOND_64_BITS).count() == 1
    assert capacities.filter(gate__lte=BEYOND_64_BITS).count() == 1
    assert capacities.filter(gate__gte=-BEYOND_64_BITS).count() == 1
    assert capacities.filter(gate__gt=-BEYOND_64_BITS).count() == 1
    assert not capacities.filter(gate__gt=BEYOND_64_BITS).exists()
    assert not capacities.filter(gate__gte=BEYOND_64_BITS).exists()
    assert not capacities.filter(gate__lt=-BEYOND_64_BITS).exists()
    assert capacities.exclude(gate__gte=BEYOND_64_BITS).count() == 1

    User.objects.create_user("hung", date_joined=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    seventh_hour = datetime.timezone(datetime.timedelta(hours=7))
    first_day = datetime.datetime(1, 1, 1, tzinfo=seventh_hour)  # year 0 in UTC
    people = User.objects
    assert people.filter(date_joined__gte=first_day).count() == 1
    assert people.filter(date_joined__gt=first_day).count() == 1
    assert not people.filter(date_joined__lt=first_day).exists()
    assert not people.filter(date_joined=first_day).exists()
    assert people.exclude(date_joined=first_day).count() == 1
    assert (
        people.filter(date_joined__range=(first_day, datetime.datetime.now(datetime.UTC))).count()
        == 1
    )
    assert not people.filter(date_joined__in=[first_day]).exists()
    assert people.filter(date_joined__year__gt=0).count() == 1
    assert people.filter(date_joined__year__lt=99999).count() == 1
    assert not people.filter(date_joined__year=0).exists()
    assert not people.filter(date_joined__year__gte=99999).exists()
    assert not people.filter(date_joined__iso_year=10**20).exists()
    assert people.filter(date_joined__year=2026).count() == 1


def _probes(model):
    """Each filterable column, with values past both of its ends."""
    from django.db import models

    big = str(BEYOND_64_BITS)
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateTimeField):
            yield from (
                f"{field.name}__gte=0001-01-01", f"{field.name}__lt=9999-12-31 23:59:59",
                f"{field.name}=0001-01-01", f"{field.name}__year=0", f"{field.name}__year=1",
            )  # fmt: skip
        elif isinstance(field, models.DateField):
            yield from (f"{field.name}__year=0", f"{field.name}__year__lt=99999")
        elif isinstance(field, (models.ForeignKey, models.IntegerField, models.AutoField)):
            yield from (
                f"{field.name}__gte={big}",
                f"{field.name}__lt=-{big}",
                f"{field.name}__in={big}",
            )


def test_no_filter_of_any_administration_list_fails_on_a_value_past_its_column(admin_client):
    """The administration's lists answered 500 on SQLite for ``?date_joined=0001-01-01`` and for
    ``?gate__gte=`` 20 digits, on 31 lists; Django itself refuses only what it cannot parse."""
    from django.contrib import admin

    failures = []
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for probe in _probes(model):
            try:
                status = admin_client.get(f"{url}?{probe}").status_code
            except Exception as error:  # noqa: BLE001 — the test client re-raises a 500's cause
                status = repr(error)
            if status not in (200, 302):
                failures.append((url, probe, status))
    assert not failures


def test_every_constraint_a_form_can_break_says_so_in_words():
    """A constraint's default message is its internal name ("Constraint
    “slot_capacity_weekday_or_date” is violated."); a unique set of fields without a condition
    gets Django's "… with this … already exists", which names the fields."""
    from django.apps import apps
    from django.db.models import UniqueConstraint
    from django.utils import translation

    unworded = []
    for model in apps.get_models():
        if not model.__module__.startswith("cuakhau."):
            continue
        for constraint in model._meta.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and constraint.fields
                and not constraint.condition
            ):
                continue
            message = constraint.violation_error_message
            with translation.override("en"):
                in_english = str(message)
            worded = message != constraint.default_violation_error_message
            for language in ("vi", "zh-hans"):
                with translation.override(language):
                    worded = worded and str(message) != in_english
            if not worded:
                unworded.append(constraint.name)
    assert not unworded


def test_a_capacity_for_both_a_weekday_and_a_date_is_refused_in_words(admin_client, mlt):
    post = {"gate": mlt.pk, "direction": "export", "weekday": 0, "date": "2026-12-07", "hour": 8,
            "lanes": 2, "trucks_per_lane_hour": 10, "quotas": "{}"}  # fmt: skip
    page = admin_client.post("/admin/slots/slotcapacity/add/", post, HTTP_ACCEPT_LANGUAGE="vi")
    said = page.content.decode()
    assert page.status_code == 200 and "không nhập cả hai" not in said
    assert "Hãy nhập đúng một trong hai: thứ trong tuần hoặc ngày." in said
    assert "slot_capacity_weekday_or_date" not in said
    assert not SlotCapacity.objects.exists()


def _admin_forms(admin_user):
    """Each registered admin's add form and its inlines' forms, as the admin builds them."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            yield inline.model, inline.get_formset(request).form


def test_every_admin_number_is_held_to_its_column_and_said_as_written(admin_user):
    """A delegation of -1 visitors was refused with Django's "≥ 0 ." (the form field's own
    ``min_value``) rather than the column's "At least 1."; 20 digits with SQLite's range."""
    from django import forms
    from django.utils import translation

    from cuakhau.core.inputs import limit_as_written, number_limits

    checked = 0
    with translation.override("vi"):
        for model, form_class in _admin_forms(admin_user):
            for name, field in form_class.base_fields.items():
                if not isinstance(field, forms.IntegerField | forms.DecimalField):
                    continue
                limits = number_limits(model, name)
                for typed, word in (("-99999999999999999999", "Tối thiểu"),
                                    ("99999999999999999999", "Tối đa")):  # fmt: skip
                    said = " ".join(form_class(data={name: typed}).errors.get(name, []))
                    assert word in said and "hoặc bằng" not in said, (model, name, said)
                if not isinstance(field, forms.DecimalField) and "ge" in limits:
                    below = str(limits["ge"] - 1)
                    said = form_class(data={name: below}).errors.get(name, [])
                    assert said == [f"Tối thiểu {limit_as_written(limits['ge'])}."], (model, name)
                checked += 1
    assert checked > 20


def test_no_admin_choice_echoes_what_was_sent(admin_user):
    from django import forms

    sent = "Y" * 300 + "\x1b[31m"
    checked = 0
    for _model, form_class in _admin_forms(admin_user):
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.ChoiceField):
                continue
            said = " ".join(str(m) for m in form_class(data={name: sent}).errors.get(name, []))
            assert "YYYY" not in said and "\x1b" not in said, (form_class, name, said)
            checked += 1
    assert checked > 10


def test_every_admin_day_and_moment_is_within_the_days_every_form_takes(admin_user):
    """The administration took year 1 and year 9999 where every page takes 2000-2100: a
    moment in year 1 at UTC+7 could not be stored on SQLite (500)."""
    import datetime

    from django import forms

    checked = 0
    for model, form_class in _admin_forms(admin_user):
        for name, field in form_class().fields.items():
            if isinstance(field, forms.SplitDateTimeField):
                far, near = (
                    (["0001-01-01", "00:00:00"], ["9999-12-31", "23:59:59"]),
                    ["2026-12-04", "08:30:00"],
                )
            elif isinstance(field, forms.DateField | forms.DateTimeField):
                far, near = ("0001-01-01", "9999-12-31"), "2026-12-04"
            else:
                continue
            for value in far:
                with pytest.raises(ValidationError):
                    field.clean(value)
            cleaned = field.clean(near)
            day = cleaned if type(cleaned) is datetime.date else cleaned.date()
            assert day == datetime.date(2026, 12, 4), (model, name)
            checked += 1
    assert checked > 30


def test_a_meeting_in_year_one_is_refused_beside_its_day(admin_client):
    from cuakhau.cooperation.models import Counterpart, Meeting

    jinping = Counterpart.objects.create(
        name_vi="UBND huyện Kim Bình", name_en="Jinping County", name_zh="金平县人民政府",
        country="CN",
    )  # fmt: skip
    post = {"held_on": "0001-01-01", "place": "Lai Châu", "title": "Hội đàm",
            "counterparts": [jinping.pk],
            "commitments-TOTAL_FORMS": "0", "commitments-INITIAL_FORMS": "0"}  # fmt: skip
    page = admin_client.post("/admin/cooperation/meeting/add/", post)
    assert page.status_code == 200 and "errors field-held_on" in page.content.decode()
    saved = admin_client.post("/admin/cooperation/meeting/add/", {**post, "held_on": "2026-11-20"})
    assert saved.status_code == 302 and Meeting.objects.count() == 1
