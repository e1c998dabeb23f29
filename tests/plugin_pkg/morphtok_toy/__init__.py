"""A third-party package extending morphtok through its entry points only (tests/test_plugins.py).

It registers a 4th arm (``onesplit``), a toy Indonesian language engine (``id``), a one-subtask
benchmark family (``toy_affix``), an LSF scheduler (``lsf``) and an LR schedule (``constant``).
Nothing in morphtok names any of them.
"""
