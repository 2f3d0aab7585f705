"""Django's SQLite backend, with writers queued in the kernel rather than on the busy timeout.

``ENGINE = "cuakhau.core.sqlite"``. See ``base.DatabaseWrapper``.
"""
