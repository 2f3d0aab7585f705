# Vietnamese writes 7.100.000 ₫ and 30/11/2026. Django's Vietnamese formats define the
# separators but no grouping (7100000 would show unseparated) and write dates 30-11-2026.
from django.conf import global_settings
from django.conf.locale.vi.formats import *  # noqa: F403

from cuakhau.formats import ISO_DATE_INPUT, ISO_DATETIME_INPUT, iso_first

NUMBER_GROUPING = 3
DATE_FORMAT = "d/m/Y"
# "14:05 ngày 30/11/2026", as Vietnamese documents give a moment.
DATETIME_FORMAT = "H:i \\n\\gà\\y d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "d/m"
YEAR_MONTH_FORMAT = "m/Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = iso_first(["%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"], ISO_DATE_INPUT)
DATETIME_INPUT_FORMATS = iso_first(
    ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", *global_settings.DATETIME_INPUT_FORMATS],
    ISO_DATETIME_INPUT,
)
