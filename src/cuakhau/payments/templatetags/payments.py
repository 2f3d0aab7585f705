from django import template
from django.conf import settings
from django.utils import timezone

from cuakhau.fees.services import current_assessment
from cuakhau.payments import providers, services
from cuakhau.receipts.models import RevokeKind
from cuakhau.receipts.services import valid_receipt_of

register = template.Library()


@register.inclusion_tag("payments/_trip_fees.html", takes_context=True)
def trip_fees_panel(context, trip):
    """Fees, the balance (due or to refund), how to pay it and the receipt, on the trip page."""
    assessment = current_assessment(trip)
    receipt = valid_receipt_of(trip)
    balance = services.balance_of(trip)
    instructions = None
    if assessment and receipt is None and balance.due_vnd > 0 and trip.status == "submitted":
        instructions = providers.bank_provider().instructions(trip, balance.due_vnd)
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
        # Receipts replaced because their signing key was compromised: the payer must know.
        "replaced": trip.receipts.filter(revoke_kind=RevokeKind.REPLACED)
        .select_related("replaced_by")
        .order_by("revoked_at"),
        "paid": balance.paid_vnd,
        "due": balance.due_vnd,
        "balance": balance,
        "instructions": instructions,
        "payments": trip.payments.all(),
        "demo_mode": settings.DEMO_MODE,
        "can_record_cash": can_record_cash and trip.status == "submitted",
        # After a refused cash entry (``views.record_cash``): why, and what was typed.
        "cash_refused": context.get("cash_refused"),
    }


@register.filter
def clock(value):
    """A stored time as HH:MM in the current time zone: what ``|date:"H:i"`` shows, without
    the whole date-format machinery for each of a page's few hundred rows."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.hour:02d}:{local.minute:02d}"
