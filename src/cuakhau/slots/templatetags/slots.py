"""The trip page's slot panel: the trip's booked hour and its place in the waiting area."""

from django import template
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from cuakhau.core.policy import NotSignedIn, enforce
from cuakhau.trips import services as trips

from .. import services

register = template.Library()


def may_open_slot_page(user, trip) -> bool:
    """Whoever the access table lets open the trip's slot page sees its panel; nobody else."""
    from cuakhau.policy import VIEWS

    try:
        enforce(
            VIEWS["slots:trip"],
            user if user.is_authenticated else None,
            {"reference": trip.reference},
        )
    except (NotSignedIn, PermissionDenied, ObjectDoesNotExist):
        return False
    return True


@register.inclusion_tag("slots/_trip_slot.html", takes_context=True)
def trip_slot_panel(context, trip):
    """Booked hour, status, position and expected call time, and the way to the slot page.

    Drafts have no slot yet, and a trip past the gate keeps only its history: the panel shows
    while the trip may hold a booking, or has one or a place in the waiting area.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_open_slot_page(user, trip):
        return {"show": False}
    standing = services.standing(trip)
    bookable = trip.status in services.BOOKABLE
    if not bookable and standing["booking"] is None and standing["entry"] is None:
        return {"show": False}
    may_book = bookable and trips.can_declare_for(user, trip)
    booking = services.open_booking(trip)
    return {
        "show": True,
        "trip": trip,
        "standing": standing,
        "booking": booking,
        "may_book": may_book,
        # A booking past its cut-off, or whose truck reported, can no longer be moved or
        # cancelled: the panel does not offer it (the slot page says why).
        "may_change": booking is not None and services.change_refusal(booking) is None,
    }
