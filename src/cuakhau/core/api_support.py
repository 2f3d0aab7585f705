"""Pieces every app's API uses: request context, pagination, error shapes."""

from django.core.exceptions import ObjectDoesNotExist

from cuakhau.core import context

MAX_PAGE_SIZE = 200


def context_of(request) -> context.RequestContext:
    return context.context_of(request, context.Channel.API)


def paginate(qs, page: int, page_size: int, render) -> dict:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    start = (page - 1) * page_size
    return {"count": qs.count(), "items": [render(o) for o in qs[start : start + page_size]]}


def error_items(errors: dict[str, list[str]], location: str = "body") -> list[dict]:
    """Service errors in the shape django-ninja gives its own 422s: ``loc`` + ``msg``."""
    items = []
    for path, messages in errors.items():
        loc = [location] + [int(p) if p.isdigit() else p for p in path.split(".")]
        for message in messages:
            items.append({"loc": loc, "msg": message, "type": "value_error"})
    return items


def not_found_message(exc: ObjectDoesNotExist) -> str:
    return str(exc) or "Not found."
