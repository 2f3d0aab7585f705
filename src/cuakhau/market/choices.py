from django.db import models
from django.utils.translation import gettext_lazy as _


class Requirement(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    PHYTOSANITARY = "phytosanitary", _("phytosanitary certificate required")
    VETERINARY = "veterinary", _("veterinary certificate required")
    DESIGNATED_GATES_ONLY = "designated_gates_only", _("designated gates only")
    NOT_PERMITTED = "not_permitted", _("not permitted (no market access yet)")
    SUSPENDED = "suspended", _("suspended")


class RuleDirection(models.TextChoices):
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    # Every trip whose goods end up in the rule's destination country, whatever the customs
    # regime: China's fruit-entry rules apply to a re-exported Thai durian as to a Vietnamese one.
    ANY = "any", _("any direction")


# Requirements answer three separate questions about a cargo line; the most specific rule wins
# within each question, never across them (a banana needs both a certificate and a designated
# gate, and an outbreak suspends whatever access the product otherwise has).
ACCESS = frozenset(
    {
        Requirement.ALLOWED,
        Requirement.PHYTOSANITARY,
        Requirement.VETERINARY,
        Requirement.NOT_PERMITTED,
    }
)
ROUTING = frozenset({Requirement.DESIGNATED_GATES_ONLY})
SUSPENSION = frozenset({Requirement.SUSPENDED})
CERTIFICATE = frozenset({Requirement.PHYTOSANITARY, Requirement.VETERINARY})
