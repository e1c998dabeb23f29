"""The whole study: the phase runner (:mod:`.runner`), the phases in order (:mod:`.phases`),
``study plan`` (:mod:`.plan`), ``doctor`` and the ``morphtok study`` CLI.

The study is the top layer below the ``morphtok`` command: it may import every layer below it,
and none of them imports it (tests/test_architecture.py).
"""
