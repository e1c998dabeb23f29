"""The whole study: the phase runner (:mod:`.runner`), the phases in order (:mod:`.phases`),
``study plan`` (:mod:`.plan`), ``doctor`` and the ``morphtok study`` CLI.

The study is the top layer: it may import every phase below it, and nothing imports it.
"""
