import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from cuakhau.core.context import context_of
from cuakhau.core.downloads import content_disposition
from cuakhau.core.errors import FieldErrors

from . import services
from .forms import RevokeForm
from .models import Receipt, ReceiptStatus, VerificationStatus


@require_safe
def jwks(request):
    """The public keys of every receipt that may still be valid (RFC 7517 JWK Set)."""
    response = JsonResponse(services.key_store().jwks())
    response["Access-Control-Allow-Origin"] = "*"
    # The same time a rotated key waits before it signs (publish first, sign later).
    response["Cache-Control"] = f"public, max-age={services.jwks_cache_seconds()}"
    return response


@require_safe
def revocations(request):
    response = JsonResponse(services.revocation_list())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    return response


def _receipt_or_404(request, number) -> Receipt:
    try:
        return services.visible_receipt(request.user, number)
    except ObjectDoesNotExist:
        raise Http404() from None


@login_required
def receipt_detail(request, number):
    return _page(request, _receipt_or_404(request, number))


def _page(request, receipt: Receipt, revoke_form: RevokeForm | None = None, status: int = 200):
    state, state_text = services.receipt_state(receipt)
    # The form only where it can be used: a cashier of the gate, a receipt still standing.
    may_revoke = (
        receipt.status == ReceiptStatus.VALID
        and receipt.used_at is None
        and services.is_cashier(request.user, receipt.gate)
    )
    return render(
        request,
        "receipts/receipt.html",
        {
            "receipt": receipt,
            "state": state,
            "state_text": state_text,
            "revoke_form": (revoke_form or RevokeForm()) if may_revoke else None,
            "jwks_url": services.jwks_url(),
            # Shown whether or not the form still is: "already revoked", "used at the exit".
            "revoke_refused": revoke_form.non_field_errors() if revoke_form else [],
        },
        status=status,
    )


@login_required
@require_POST
def revoke(request, number):
    receipt = _receipt_or_404(request, number)
    services.check_cashier(request.user, receipt.gate)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        # A kind the form refused does not hide a missing reason or a receipt used already.
        form.refuse(
            services.revoke_errors(
                receipt, form.cleaned_data.get("kind"), form.cleaned_data.get("reason"), form.errors
            )
        )
        return _page(request, receipt, form, status=422)
    try:
        services.revoke_receipt(
            receipt,
            request.user,
            form.cleaned_data["kind"],
            form.cleaned_data["reason"],
            context_of(request),
        )
    except FieldErrors as exc:
        # Back to the page as the cashier left it, each refusal beside its field.
        form.refuse(exc.errors)
        receipt.refresh_from_db()
        return _page(request, receipt, form, status=422)
    messages.success(request, _("Receipt %(n)s revoked.") % {"n": receipt.number})
    return redirect("receipts:detail", number=receipt.number)


@login_required
def receipt_pdf(request, number):
    from .pdf import receipt_pdf as render_pdf

    receipt = _receipt_or_404(request, number)
    response = HttpResponse(render_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{receipt.number}.pdf", as_attachment=False
    )
    return response


@login_required
def verify_page(request):
    token = (request.POST.get("token") or request.GET.get("token") or "").strip()
    gate = (request.POST.get("gate") or request.GET.get("gate") or "").strip().lower() or None
    result = receipt = verdict = claims_gate = error = None
    if len(token) > services.MAX_TOKEN_CHARS:
        # No receipt is this long: it is neither verified nor written back into the page.
        error = _(
            "This is not a receipt code: it is longer than any receipt (%(n)d characters)."
        ) % {"n": services.MAX_TOKEN_CHARS}
        token = ""
    try:
        gate = services.checking_gate(gate)
    except FieldErrors as exc:
        error, token = exc.errors["gate"][0], ""
    if token:
        result, receipt = services.verify_receipt(token, gate)
        verdict = VerificationStatus(result.status).label
        claims_gate = services.gate_of_claims(result.claims, receipt)
    gates = request.user.profile.gates.all() if hasattr(request.user, "profile") else []
    return render(
        request,
        "receipts/verify.html",
        {
            "token": token,
            "gate": gate,
            "error": error,
            "result": result,
            "verdict": verdict,
            "claims_gate": claims_gate,
            "receipt": receipt,
            "gates": gates,
        },
    )


@require_safe
@cache_control(max_age=60)
def offline_page(request):
    """A self-contained page that verifies receipts in the browser, with no network needed."""
    bundle = services.offline_bundle()
    return render(
        request,
        "receipts/offline.html",
        {
            "bundle_json": json.dumps(bundle),
            "fee_items": services.fee_item_labels(),
            "gate_names": services.gate_names(),
        },
    )
