from django import template
from django.conf import settings

from cuakhau.fees.services import current_assessment
from cuakhau.payments import providers, services
from cuakhau.receipts.services import valid_receipt_of

register = template.Library()


@register.inclusion_tag("payments/_trip_fees.html", takes_context=True)
def trip_fees_panel(context, trip):
    """Fees, how to pay them and the receipt, on the trip page."""
    assessment = current_assessment(trip)
    receipt = valid_receipt_of(trip)
    paid = services.paid_total(trip) if assessment else 0
    due = (assessment.total_vnd - paid) if assessment else 0
    instructions = None
    if assessment and receipt is None and due > 0 and trip.status == "submitted":
        instructions = providers.bank_provider().instructions(trip, due)
    user = context["request"].user
    from cuakhau.accounts import roles

    user_roles = roles.roles_of(user)
    can_record_cash = bool(user_roles & {roles.GATE_OPERATOR, roles.DESK, roles.ADMINISTRATOR})
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "trip": trip,
        "assessment": assessment,
        "receipt": receipt,
        "paid": paid,
        "due": due,
        "instructions": instructions,
        "payments": trip.payments.all(),
        "demo_mode": settings.DEMO_MODE,
        "can_record_cash": can_record_cash and trip.status == "submitted",
    }
