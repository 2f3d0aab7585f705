"""The bare reference of bench/gate_bench.py: the smallest transactional check-in on cuakhau's stack.

Django + django-ninja, one model pair, one endpoint, behind gunicorn with the server settings of
``cuakhau serve``. Everything the real check-in does beyond lock-update-insert is left out on
purpose: what remains is the cost of the stack itself.
"""
