"""cuakhau: a digital land border gate and the border economic zone around it."""

__version__ = "0.1.0"
