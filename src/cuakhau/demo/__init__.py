"""Demo data for a showcase installation: ``cuakhau demo``."""
