"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader.

``ENGINE = "cuakhau.core.postgresql"`` (set by the settings for every ``DATABASE_URL`` of
PostgreSQL). See ``base.DatabaseWrapper``.
"""
