"""A number's limits are said as the reader writes numbers, everywhere a limit is declared: the
models' validators and every form field of the project (``core.inputs.AtLeast``/``AtMost``)."""

import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation

import cuakhau
from cuakhau.core.inputs import AtLeast, AtMost, DecimalField, IntegerField, limit_as_written
from cuakhau.stats.models import ExchangeRate
from cuakhau.trips.models import CargoLine

DJANGO_LIMITS = (MinValueValidator, MaxValueValidator)


def _bare(validators) -> list:
    return [v for v in validators if type(v) in DJANGO_LIMITS]


def _project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(cuakhau.__path__, "cuakhau."):
        if ".tests" not in module.name and module.name.rsplit(".", 1)[-1] in ("forms", "views"):
            importlib.import_module(module.name)
    found, waiting = [], [forms.BaseForm]
    while waiting:
        for kind in waiting.pop().__subclasses__():
            waiting.append(kind)
            # Django's admin speaks Django's own words; its pages are for the administrators.
            if kind.__module__.startswith("cuakhau.") and ".admin" not in kind.__module__:
                found.append(kind)
    return found


def test_no_model_declares_a_limit_in_djangos_words():
    bare = [
        f"{model._meta.label}.{field.name}"
        for config in apps.get_app_configs()
        if config.name.startswith("cuakhau.")
        for model in config.get_models()
        for field in model._meta.get_fields()
        if _bare(getattr(field, "_validators", ()))
    ]
    assert not bare, bare


def test_no_form_field_says_a_limit_in_djangos_words():
    found = _project_forms()
    assert len(found) > 30, found
    bare = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in found
        for name, field in form.base_fields.items()
        if _bare(field.validators)
    ]
    assert not bare, bare


@pytest.mark.parametrize(
    "language, tiny, huge, year",
    [
        ("vi", "Tối thiểu 0,001.", "Tối đa 1.000.000.000.", "Tối thiểu 2000."),
        ("en", "At least 0.001.", "At most 1,000,000,000.", "At least 2000."),
        ("zh-hans", "至少 0.001。", "至多 1,000,000,000。", "至少 2000。"),
    ],
)
def test_a_limit_is_written_as_the_reader_writes_numbers(language, tiny, huge, year):
    field = DecimalField(min_value=Decimal("0.001"), max_value=10**9, decimal_places=3)
    with translation.override(language):
        for value, said in (("0", tiny), ("2000000000", huge)):
            with pytest.raises(ValidationError) as refused:
                field.clean(value)
            assert refused.value.messages == [said]
        with pytest.raises(ValidationError) as refused:
            IntegerField(min_value=2000).clean("1999")
        assert refused.value.messages == [year]


def test_a_models_own_limit_and_its_own_message_are_kept(db):
    with translation.override("vi"):
        rate = ExchangeRate(units_per_usd=Decimal("0"))
        with pytest.raises(ValidationError) as refused:
            rate.clean_fields(
                exclude=[f.name for f in ExchangeRate._meta.fields if f.name != "units_per_usd"]
            )
        assert refused.value.message_dict["units_per_usd"] == ["Tối thiểu 0,0001."]
    weight = CargoLine._meta.get_field("net_weight_kg")
    assert any(isinstance(v, AtLeast) for v in weight.validators)
    assert AtMost(10**9, "Up to %(limit_value)s.").deconstruct()[0] == "cuakhau.core.inputs.AtMost"
    assert limit_as_written(2026) == "2026" and limit_as_written(-100) == "-100"
