"""The notifications page: what was sent to whom, on which channel, and what became of it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from cuakhau.core import listing

from .forms import MessageFilterForm
from .models import Message


@login_required
def messages(request):
    form = MessageFilterForm(request.GET or None)
    queryset = Message.objects.all()
    if listing.applies(form):
        queryset = form.filter(queryset)
    # A refused status, channel or page shows no message, not them all (``core.listing``).
    listed = listing.listing(request, queryset, 50, form=form)
    return render(
        request,
        "notify/messages.html",
        {"form": form, "page": listed.page, "listed": listed},
        status=listed.status,
    )


@login_required
def message(request, pk):
    found = get_object_or_404(Message, pk=pk)
    return render(
        request, "notify/message.html", {"message": found, "attempts": found.attempts.all()}
    )
