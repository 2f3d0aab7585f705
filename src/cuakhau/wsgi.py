import contextlib
import datetime as dt
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do at start what the first requests after a restart would otherwise each pay for.

    The URLconf (every view module) and its reverse index, the desk's holiday calendar, the
    template engine with its tag libraries and the base page every page extends, and the
    translation catalogs are loaded once; then everything alive is moved out of the garbage
    collector's sight (``gc.freeze``), since it lives as long as the process: without that, a
    full collection in an early request walks the whole framework again (about 100 ms).
    """
    from django.conf import settings
    from django.template import TemplateDoesNotExist, engines
    from django.urls import get_resolver
    from django.utils import translation

    from cuakhau.desk.calendar import vietnam_days_off

    len(get_resolver().reverse_dict)
    # The desk's working days: the ``holidays`` package loads every country's rules and its
    # lunar calendar on first use, 1 to 3 s the first desk page of each worker paid.
    vietnam_days_off([dt.date.today().year])
    for engine in engines.all():
        with contextlib.suppress(TemplateDoesNotExist):
            engine.get_template("base.html")
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # activating a language loads its catalogs
    translation.deactivate()
    gc.collect()
    gc.freeze()


_warm_up()
