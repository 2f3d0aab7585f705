"""A project entered by hand in the administration starts its history, as an imported one
does: who entered it, when, through which channel."""

import pytest
from django.contrib.auth import get_user_model

from cuakhau.investment.models import InvestmentProject, ProjectTransition

pytestmark = pytest.mark.django_db


def test_a_project_entered_in_the_administration_starts_its_history(admin_client):
    added = admin_client.post(
        "/admin/investment/investmentproject/add/",
        {
            "code": "LC-2026-001",
            "name": "Kho ngoại quan Ma Lù Thàng",
            "investor": "Công ty CP Logistics Lai Châu",
            "investor_country": "VN",
            "sector": "logistics",
            "registered_capital_vnd": "120000000000",
            "disbursed_capital_vnd": "0",
            "area_ha": "2.5",
            "location": "xã Ma Ly Pho, huyện Phong Thổ",
            "amendments-TOTAL_FORMS": "0",
            "amendments-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    project = InvestmentProject.objects.get()
    (step,) = ProjectTransition.objects.filter(project=project)
    admin = get_user_model().objects.get(username="admin")
    assert (step.action, step.source, step.target) == ("record", "", "registered")
    assert (step.actor, step.channel) == (admin, "web")
    assert str(step.get_action_display()) == "entered in the register"
