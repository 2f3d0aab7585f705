# Amounts in đồng are read by Chinese traders as 1,234,567 (thousands), as on invoices.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
