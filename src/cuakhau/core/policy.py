"""How the one policy table (``cuakhau.policy``) is enforced, for the API and the web alike.

A rule says which roles (and which kinds of gate device) may call an endpoint, which gate the
caller must work at (named by a path parameter) and which record the path names (a trip, a
receipt …), which must be one the caller may see. The checks run before any handler: a handler
never loads a record and then wonders whether the caller may have it. Whatever a rule refuses
is refused the same way everywhere: 401 (or the login page) for nobody, 403 for the wrong role
or gate, 404 for a record the caller may not see, so a refusal never tells another
organisation's data apart from data that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security.http import HttpBearer
from ninja.utils import check_csrf

from cuakhau.accounts import roles
from cuakhau.core.wording import join_words

# Any signed-in person, whatever their role: their own profile, the reference lists.
SIGNED_IN = "*"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] = frozenset()
    # Django permissions that admit a person whatever their role (an administrator may grant
    # one officer a single permission in the admin).
    perms: frozenset[str] = frozenset()
    devices: frozenset[str] = frozenset()
    public: bool = False
    gate: str = ""  # the path parameter naming the gate the caller must work at
    record: str = ""  # the kind of record the path names, which the caller must be able to see
    why: str = ""

    def describe(self) -> str:
        """One line for the API docs: who may call this operation."""
        if self.public:
            return "Public: no credential (the caller proves itself in the request)."
        who = (
            "any signed-in person"
            if SIGNED_IN in self.roles
            else ", ".join(sorted(str(r) for r in self.roles))
        )
        parts = [f"roles: {who}"] if self.roles else ["no person"]
        if self.perms:
            parts.append("or permission " + ", ".join(sorted(self.perms)))
        if self.devices:
            parts.append("devices: " + ", ".join(sorted(self.devices)))
        if self.gate:
            parts.append(f"only at a gate the caller works at (`{self.gate}`)")
        if self.record:
            parts.append(f"only a {self.record} the caller may see")
        text = "; ".join(parts).capitalize() + "."
        return f"{text} {self.why}".strip()


def allow(*who: str, perms=(), devices=(), gate: str = "", record: str = "", why: str = "") -> Rule:
    unknown = set(who) - set(roles.ALL) - {SIGNED_IN}
    if unknown:
        raise ValueError(f"unknown roles in policy: {sorted(unknown)}")
    return Rule(
        roles=frozenset(who),
        perms=frozenset(perms),
        devices=frozenset(devices),
        gate=gate,
        record=record,
        why=why,
    )


PUBLIC = Rule(public=True)


class NotSignedIn(Exception):
    """No credential, or one that is unknown, expired or revoked (HTTP 401 / login page)."""


# ---------------------------------------------------------------------------------------------
# Records a path can name, each looked up from the caller's own scope


def _trip(principal, value):
    from cuakhau.trips import services as trips

    if _is_device(principal):
        from cuakhau.gate.services import at_gate
        from cuakhau.trips import references

        if not references.is_valid_reference(value):
            raise ObjectDoesNotExist(_("No trip %(ref)s.") % {"ref": value})
        found = at_gate(principal.gate).filter(reference=references.normalise_reference(value))
        if not found.exists():
            raise ObjectDoesNotExist(_("No trip %(ref)s.") % {"ref": value})
        return
    trips.find_trip(principal, value)


def _receipt(principal, value):
    from cuakhau.receipts import services as receipts

    receipts.visible_receipt(principal, value)


def _sample(principal, value):
    from cuakhau.inspections.models import QuarantineSample
    from cuakhau.trips import services as trips

    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not QuarantineSample.objects.filter(
        trips.of_visible_trip(principal, "inspection__trip"), pk=pk
    ).exists():
        raise ObjectDoesNotExist(_("No sample %(id)s.") % {"id": value})


def _token(principal, value):
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not principal.api_tokens.filter(pk=pk).exists():
        raise ObjectDoesNotExist(_("No such token."))


def _desk_application(principal, value):
    # A desk officer sees their gates' files only: another gate's is not found (404).
    from cuakhau.desk import services as desk

    if _is_device(principal):
        raise ObjectDoesNotExist(_("No such application."))
    desk.find_for_desk(principal, value)


@dataclass(frozen=True)
class RecordKind:
    params: tuple[str, ...]
    check: Callable = field(compare=False)


RECORDS = {
    "trip": RecordKind(("reference", "trip_reference"), _trip),
    "receipt": RecordKind(("number",), _receipt),
    "sample": RecordKind(("sample_id",), _sample),
    "token": RecordKind(("token_id",), _token),
    "desk_application": RecordKind(("code",), _desk_application),
}


def _is_device(principal) -> bool:
    return bool(getattr(principal, "is_device", False))


def _gate_of(code, request=None):
    gate = _gate_by_code().first(code=str(code or "").lower())
    if gate is None:
        raise ObjectDoesNotExist(_("No gate %(code)s.") % {"code": str(code)[:20]})
    if request is not None:
        # The handler needs the same row: it takes it from here instead of reading it again.
        request.policy_gate = gate
    return gate


@cache
def _gate_by_code():
    from cuakhau.core.prepared import Prepared
    from cuakhau.reference.models import Gate

    # Every gate-scoped request reads its gate: compiled once per process.
    return Prepared(lambda code: Gate.objects.filter(code=code).order_by("pk")[:1], code=str)


def gate_checked_for(request, code: str):
    """The gate the policy read for this request, if it is the one named ``code``."""
    gate = getattr(request, "policy_gate", None)
    if gate is not None and gate.code == str(code or "").lower():
        return gate
    return None


def enforce(rule: Rule, principal, params: dict, request=None) -> None:
    """Refuse unless ``principal`` (a user, a device or None) may call under ``rule``.

    Raises NotSignedIn, PermissionDenied or ObjectDoesNotExist.
    """
    if rule.public:
        return
    if principal is None or not (_is_device(principal) or principal.is_authenticated):
        raise NotSignedIn()
    if _is_device(principal):
        if principal.kind not in rule.devices:
            raise PermissionDenied(_("A gate device may not call this."))
        if rule.gate and str(params.get(rule.gate, "")).lower() != principal.gate.code:
            raise PermissionDenied(_("This device is registered for another gate."))
    else:
        held = roles.roles_of(principal)
        permitted = any(principal.has_perm(p) for p in rule.perms)
        if SIGNED_IN not in rule.roles and not held & rule.roles and not permitted:
            if not rule.roles and not rule.perms:  # devices only (a camera's plate reads)
                raise PermissionDenied(_("Only a gate device may call this."))
            raise PermissionDenied(
                _("This is for: %(roles)s.")
                % {"roles": join_words(roles.LABELS[r] for r in sorted(rule.roles))}
            )
        if rule.gate:
            gate = _gate_of(params.get(rule.gate), request)
            reads_everywhere = held & rule.roles & roles.READ_ALL_ROLES
            if not reads_everywhere and not _works_at(principal, gate):
                raise PermissionDenied(_("Only the officers of this gate may do this."))
    if rule.record:
        kind = RECORDS[rule.record]
        for name in kind.params:
            if name in params:
                kind.check(principal, params[name])


def _works_at(user, gate) -> bool:
    from cuakhau.trips.services import works_at

    return works_at(user, gate)


# ---------------------------------------------------------------------------------------------
# The API: one authentication callback per operation, carrying that operation's rule


def authenticate_request(request):
    """The caller of an API request: a user or a device by bearer token, else the session user.

    A bearer credential that is unknown, expired or revoked is refused outright (401), whatever
    the method: it never falls back to the session, and so never to a CSRF refusal.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.strip().partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw:
            raise NotSignedIn()
        from cuakhau.gate.models import Device

        if raw.startswith(Device.PREFIX):
            from cuakhau.gate.services import authenticate_device

            device = authenticate_device(raw)
            if device is None:
                raise NotSignedIn()
            request.device = device
            return device
        from cuakhau.accounts.services import authenticate_token

        user = authenticate_token(raw)
        if user is None:
            raise NotSignedIn()
        request.user = user
        from cuakhau.accounts.middleware import speak_profile_language

        speak_profile_language(request, user)
        return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
    exempt = getattr(request, "_ninja_csrf_exempt", False)
    if unsafe and not exempt and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed: reload the page and try again."))
    return user


def not_signed_in_message(request) -> str:
    """Why a request was not taken as anyone's, in the request's language (no profile is
    known): no credential at all, a credential in another form, or a token not accepted."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return _("Sign in, or send an API token: Authorization: Bearer <token>.")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return _("Send the API token as Authorization: Bearer <token>.")
    return _("This token is not accepted: it is unknown, expired or revoked.")


class PolicyAuth(HttpBearer):
    """Authenticates the caller and applies the operation's rule before the handler runs."""

    def __init__(self, key: str, rule: Rule):
        self.key = key
        self.rule = rule
        super().__init__()

    def __call__(self, request):
        try:
            principal = authenticate_request(request)
            if principal is None:
                raise NotSignedIn()
            match = getattr(request, "resolver_match", None)
            enforce(self.rule, principal, match.kwargs if match else {}, request)
        except NotSignedIn:
            raise AuthenticationError(message=not_signed_in_message(request)) from None
        return principal

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        raise NotImplementedError


def operation_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def api_operations(api):
    """(key, operation) for every operation of a NinjaAPI, keyed "METHOD /path"."""
    # The operations that run (and that the OpenAPI describes) are the copies bound to this
    # API, not the routers' templates.
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for operation in path_view.operations:
                for method in operation.methods:
                    yield operation_key(method, "/" + full), operation


def install(api, table: dict[str, Rule]) -> None:
    """Give every operation of ``api`` its rule; an operation without one stops start-up."""
    missing = []
    for key, operation in api_operations(api):
        rule = table.get(key)
        if rule is None:
            missing.append(key)
            continue
        operation.auth_callbacks = [] if rule.public else [PolicyAuth(key, rule)]
        note = f"**Who may call:** {rule.describe()}"
        if note not in (operation.description or ""):
            operation.description = "\n\n".join(p for p in (operation.description, note) if p)
    if missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"API operations without a policy: {', '.join(missing)}")


# ---------------------------------------------------------------------------------------------
# The web: a middleware applies the rule of the view's URL name


def is_api_view(view_func) -> bool:
    # django-ninja's path views; they apply their operation's rule themselves.
    return getattr(view_func, "__qualname__", "").startswith("PathView.")


# What a page's function view serves when it declares nothing: it reads (GET, HEAD) and may
# take its own form (POST). Nothing else a browser sends means anything to a page.
PAGE_METHODS = ("GET", "HEAD", "POST")


@cache
def page_methods(view_func) -> tuple[str, ...]:
    """The methods the page ``view_func`` serves, for its 405 and its Allow header.

    A class-based view's are the handlers it defines among ``PAGE_METHODS`` (HEAD with GET, as Django's ``View``
    serves it); a view decorated with ``require_http_methods`` (``require_POST`` …) keeps its
    list, read from the decorator's closure (Django keeps it nowhere else); any other view
    serves ``PAGE_METHODS``. Without this a DELETE or PUT of a page ran its view as a GET."""
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        # Django's form views take PUT as a POST, which no form of a page sends: a page
        # serves at most PAGE_METHODS.
        served = [
            m.upper()
            for m in view_class.http_method_names
            if m.upper() in PAGE_METHODS and hasattr(view_class, m)
        ]
        if "GET" in served and "HEAD" not in served:
            served.insert(served.index("GET") + 1, "HEAD")
        return tuple(served)
    func = view_func
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            return tuple(cell.cell_contents)
        func = getattr(func, "__wrapped__", None)
    return PAGE_METHODS


def view_rule(table: dict[str, Rule], view_name: str) -> Rule | None:
    if view_name in table:
        return table[view_name]
    namespace = view_name.rpartition(":")[0]
    return table.get(f"{namespace}:*") if namespace else None


def may_open(user, path: str) -> bool:
    """Whether the page at ``path`` admits ``user`` by its rule's roles and permissions: what a
    menu asks before it offers a link. The gate and record a path names are not read (the
    menu builds gate links from the person's own gates): no query, where the page itself
    checks them all."""
    from dataclasses import replace

    from django.urls import Resolver404, resolve

    from cuakhau.policy import VIEWS

    try:
        match = resolve(path)
    except Resolver404:
        return False
    rule = view_rule(VIEWS, match.view_name)
    if rule is None:
        return False
    signed_in = user is not None and user.is_authenticated
    try:
        enforce(replace(rule, gate="", record=""), user if signed_in else None, {})
    except (NotSignedIn, PermissionDenied):
        return False
    return True


class PageMethodsMiddleware:
    """Refuses a method the page does not serve (``page_methods``) with a 405 and its Allow
    header, before anything else looks at the request: the CSRF check (a DELETE is refused
    as a method, not as a forged form), the page's rule (which methods a page takes is no
    secret) and the view (which answered it as a GET). ``core.middleware.
    MethodNotAllowedPageMiddleware`` dresses it as a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_api_view(view_func):
            return None  # an operation answers its own 405, in JSON
        served = page_methods(view_func)
        if request.method not in served:
            return HttpResponseNotAllowed(served)
        return None


class PolicyMiddleware:
    """Applies ``cuakhau.policy.VIEWS`` to every page; a page with no rule is refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from cuakhau.core.retry import Busy

        if isinstance(exception, Busy):
            # A page whose transaction kept colliding after its retries: ask to resend, as the
            # API does, rather than a server error.
            response = HttpResponse(
                _("The server is busy; send the request again."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_api_view(view_func):
            return None
        from cuakhau.policy import VIEWS

        match = request.resolver_match
        rule = view_rule(VIEWS, match.view_name if match else "")
        if rule is None:
            raise PermissionDenied(_("This page has no declared access rule."))
        user = getattr(request, "user", None)
        try:
            enforce(
                rule,
                user if user is not None and user.is_authenticated else None,
                view_kwargs,
                request,
            )
        except NotSignedIn:
            return _to_login(request)
        except ObjectDoesNotExist as exc:
            raise Http404(str(exc)) from None
        return None


def _to_login(request):
    from django.conf import settings
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import resolve_url

    if getattr(request, "htmx", False):
        # htmx would follow a redirect and swap the login form into the page it polls: send
        # the whole window to the login page, coming back to the page it was on.
        response = HttpResponse(status=204)
        page = request.htmx.current_url_abs_path or request.get_full_path()
        response["HX-Redirect"] = redirect_to_login(page, resolve_url(settings.LOGIN_URL))[
            "Location"
        ]
        return response
    return redirect_to_login(request.get_full_path())
