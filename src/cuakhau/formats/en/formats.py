# English for readers at a Vietnam–China gate, not in the United States: the day before the
# month, written so it cannot be misread (30 Nov 2026), and a 24-hour clock as at the gate.
from django.conf.locale.en.formats import *  # noqa: F403
from django.conf.locale.en.formats import DATE_INPUT_FORMATS as _DATE_INPUTS
from django.conf.locale.en.formats import DATETIME_INPUT_FORMATS as _DATETIME_INPUTS

from cuakhau.formats import ISO_DATE_INPUT, ISO_DATETIME_INPUT, iso_first

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = iso_first(_DATE_INPUTS, ISO_DATE_INPUT)
DATETIME_INPUT_FORMATS = iso_first(_DATETIME_INPUTS, ISO_DATETIME_INPUT)
