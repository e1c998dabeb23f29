"""Filipino (Tagalog) language engine: affixes, lexicon, analyzer, generator, syllables.

Other phases reach it through :func:`morphtok.lang.engine.get_engine` ("fil"); the
functions below stay for direct use.

>>> from morphtok.lang.fil import analyze, inflect, syllabify
>>> analyze("nagluluto")[0].root
'luto'
>>> inflect("kain", "-um-")
'kumain'
>>> syllabify("problema")
['pro', 'ble', 'ma']
"""

from morphtok.lang.fil.affixes import Affix, inventory
from morphtok.lang.fil.analyzer import Analysis, Morpheme, analyze
from morphtok.lang.fil.generator import inflect, reduplicate
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.phonology import stress_type, strip_diacritics, syllabify, syllable_count

__all__ = [
    "Affix",
    "Analysis",
    "Lexicon",
    "Morpheme",
    "analyze",
    "inflect",
    "inventory",
    "reduplicate",
    "strip_diacritics",
    "stress_type",
    "syllable_count",
    "syllabify",
]
