"""Which language a page speaks.

1. A visitor who never chose: the browser's (``Accept-Language``, read by Django's
   LocaleMiddleware, which runs before this one).
2. A visitor who chose in the top bar: that choice, kept in the language cookie.
3. A signed-in person who chose (in the top bar or the profile): the profile's language,
   whatever the browser or the cookie say — signing in switches to it.

A person whose profile has no language yet is spoken to as a visitor (cookie, else browser)
until they choose; the cookie alone is not taken for their choice, since on a shared booth
tablet it may be the previous person's. The cookie follows the profile, so the sign-in page
after logging out still speaks the last person's language.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import translation

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def remember_language(response, language: str) -> None:
    """The language cookie, for a year (the person's choice, not a session's)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


def shared_by_caches(response) -> bool:
    """An answer any cache may keep and hand to others (the published keys): it carries no
    cookie of this browser's, which a shared cache set to ignore ``Set-Cookie`` would give to
    every later reader (the next page of this browser's sets them)."""
    return "public" in response.get("Cache-Control", "")


class UserLanguageMiddleware:
    """Speak the signed-in person's profile language (set after LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._profile_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if (
            language
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            and not shared_by_caches(response)
        ):
            remember_language(response, language)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    @staticmethod
    def _profile_language(request) -> str:
        return profile_language(getattr(request, "user", None))


def profile_language(user) -> str:
    """The language the person chose ("" if none): the one they are spoken to in, on every page
    and in every API answer, token-authenticated ones included (``core.policy``)."""
    if user is None or not user.is_authenticated:
        return ""
    profile = getattr(user, "profile", None)
    if profile is None or profile.language not in LANGUAGE_CODES:
        return ""
    return profile.language


def speak_profile_language(request, user) -> None:
    """For a caller known only once its token is read (after this middleware ran)."""
    language = profile_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Who the session is signed in as, readable by the pages' scripts (the session cookie is not):
# the gate console, loaded offline from its service worker's copy, offers to queue actions only
# for the person still signed in, and drops its copy of another's page.
SIGNED_IN_COOKIE = "cuakhau_signed_in"


class SignedInCookieMiddleware:
    """Keep ``SIGNED_IN_COOKIE`` the session's user id, with the session cookie's lifetime.

    Placed before (outside) SessionMiddleware: it sees the session cookie that one sets or
    deletes. Signing out, or a session found ended, deletes it and asks the browser to drop its
    HTTP cache (``Clear-Site-Data``), so no page of the last person's is shown from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        name = settings.SESSION_COOKIE_NAME
        kept = request.COOKIES.get(SIGNED_IN_COOKIE)
        sent = response.cookies.get(name)
        if session is None or (sent is None and kept is None and name not in request.COOKIES):
            return response  # no session in this browser (a device, a token): nothing to say
        if sent is None and shared_by_caches(response):
            return response
        # Already read by then (the page's user), never a query of its own.
        who = str(session.get(SESSION_KEY) or "")
        if not who:
            if kept is not None or (sent is not None and not sent.value):
                response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
                response.headers["Clear-Site-Data"] = '"cache"'
        elif kept != who or sent is not None:
            response.set_cookie(
                SIGNED_IN_COOKIE,
                who,
                max_age=None if session.get_expire_at_browser_close() else session.get_expiry_age(),
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,
            )
        return response
