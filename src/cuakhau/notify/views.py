"""The notifications page: what was sent to whom, on which channel, and what became of it."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Channel, Message, MessageStatus


@login_required
def messages(request):
    queryset = Message.objects.all()
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    if status in MessageStatus.values:
        queryset = queryset.filter(status=status)
    if channel in Channel.values:
        queryset = queryset.filter(channel=channel)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/messages.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": MessageStatus.choices,
            "channels": Channel.choices,
        },
    )


@login_required
def message(request, pk):
    found = get_object_or_404(Message, pk=pk)
    return render(
        request, "notify/message.html", {"message": found, "attempts": found.attempts.all()}
    )
