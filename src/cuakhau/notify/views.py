"""The notifications page: what was sent to whom, on which channel, and what became of it."""

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render

from cuakhau.accounts.roles import ADMINISTRATOR, roles_of
from cuakhau.core import listing

from .forms import MessageFilterForm
from .models import AttemptOutcome, DeliveryAttempt, Message


def _sees_provider_errors(user) -> bool:
    """The provider's own words (English, codes) are for the administrator who takes them up
    with the provider; everyone else reads the reason in their language."""
    return ADMINISTRATOR in roles_of(user)


@login_required
def messages(request):
    form = MessageFilterForm(request.GET or None)
    # An address that could not be used is shown in the list without a query per message.
    queryset = Message.objects.annotate(
        has_skipped=Exists(
            DeliveryAttempt.objects.filter(message=OuterRef("pk"), outcome=AttemptOutcome.SKIPPED)
        )
    )
    if listing.applies(form):
        queryset = form.filter(queryset)
    # A refused status, channel or page shows no message, not them all (``core.listing``).
    listed = listing.listing(request, queryset, 50, form=form)
    return render(
        request,
        "notify/messages.html",
        {
            "form": form,
            "page": listed.page,
            "listed": listed,
            "provider_errors": _sees_provider_errors(request.user),
        },
        status=listed.status,
    )


@login_required
def message(request, pk):
    found = get_object_or_404(Message, pk=pk)
    return render(
        request,
        "notify/message.html",
        {
            "message": found,
            "attempts": found.attempts.all(),
            "provider_errors": _sees_provider_errors(request.user),
        },
    )
