# Django's Vietnamese formats define the separators but no grouping, so 7100000 ₫ would show
# unseparated; Vietnamese writes 7.100.000 ₫.
from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
