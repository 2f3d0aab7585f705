# Amounts in đồng are read by Chinese traders as 1,234,567 (thousands), as on invoices; Django's
# Chinese formats group by ten thousand with no separator.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATE_INPUTS
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIME_INPUTS

from cuakhau.formats import ISO_DATE_INPUT, ISO_DATETIME_INPUT, iso_first

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "n月j日"
DATE_INPUT_FORMATS = iso_first(_DATE_INPUTS, ISO_DATE_INPUT)
DATETIME_INPUT_FORMATS = iso_first(_DATETIME_INPUTS, ISO_DATETIME_INPUT)
