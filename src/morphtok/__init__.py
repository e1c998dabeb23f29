"""morphtok: does morpheme-preserving tokenization help an LLM with agglutinative morphology?

The study compares three data arms of continued pretraining that differ *only* in
tokenization: ``baseline`` (Gemma 3 BPE as is), ``stochastok`` and ``patok``.
"""

__version__ = "0.1.0"
