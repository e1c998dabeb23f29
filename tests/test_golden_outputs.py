"""Golden outputs: speed work must not change what Patok and the analyzer produce.

Hashes (sha256, first 16 hex digits) of

* Patok's ids for every line of the bundled sample corpus (one document per line,
  ``document_rng(0, "patok", index)``) under the seed parameters and three other settings;
* the analyzer's full ranked analyses (roots, morphemes, exact float scores, confidence)
  of every word type of the bundled corpus, the gold set's words and the lexicon's 3,000
  most frequent forms, each analysed mid-sentence and not.

They live in ``tests/data/golden_outputs.json``. A deliberate behaviour change (a new
analyzer rule, a new Patok rule) changes them: regenerate with

    MORPHTOK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_golden_outputs.py

and say in the commit why the outputs changed. A speed change never needs that.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from morphtok.lang.engine import get_engine
from morphtok.lang.fil.corpus import iter_sample_documents
from morphtok.lang.fil.evaluation import load_gold
from morphtok.segment.processor import build_processor, document_rng

GOLDEN = Path(__file__).parent / "data" / "golden_outputs.json"
PATOK_SETTINGS = {
    "seed": {},
    "all_boundaries_no_expansion": {"affix_awareness": 1.0, "expand_prop": 0.0},
    "windows_of_4": {"contract_prop": 1.0, "num_toks_to_cont": [4], "contract_prob": [1.0], "expand_prop": 0.0},
    "half_contract_more_expansion": {"contract_prop": 0.5, "expand_prop": 0.3, "affix_awareness": 0.5},
}


def _digest(lines) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


def _documents() -> list[str]:
    return [line for doc in iter_sample_documents() for line in doc["text"].split("\n") if line.strip()]


def _analysis_line(analysis) -> str:
    return json.dumps([analysis.word, analysis.root, analysis.prefixes, analysis.infixes, analysis.suffixes,
                       analysis.reduplication, [(m.text, m.type, m.start, m.end) for m in analysis.morphemes],
                       repr(analysis.score), analysis.confident, repr(analysis.confidence), analysis.kind,
                       analysis.clitic], ensure_ascii=False)


def _analyzer_words(engine) -> list[str]:
    types: dict[str, None] = {}
    for doc in _documents():
        for start, end in engine.find_words(doc):
            types.setdefault(doc[start:end])
    for item in load_gold():  # the gold set shipped as package data
        types.setdefault(item.word)
    for word in engine.lexicon.words[:3000]:
        types.setdefault(word)
    return list(types)


def _current() -> dict[str, str]:
    from morphtok.segment.tokenizer import load_tokenizer

    tokenizer = load_tokenizer()
    documents = _documents()
    out = {}
    for name, params in PATOK_SETTINGS.items():
        processor = build_processor("patok", tokenizer, **params)
        out[f"patok/{name}"] = _digest(
            " ".join(map(str, processor.process(doc, document_rng(0, "patok", index))))
            for index, doc in enumerate(documents))
    engine = get_engine("fil")
    out["analyzer"] = _digest(
        f"{mid}\t" + "\t".join(_analysis_line(a) for a in engine.analyse(word, mid_sentence=mid))
        for word in _analyzer_words(engine) for mid in (False, True))
    return out


@pytest.fixture(scope="module")
def current() -> dict[str, str]:
    return _current()


def test_outputs_match_the_golden_hashes(current):
    if os.environ.get("MORPHTOK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = sorted(k for k in expected.keys() | current.keys() if expected.get(k) != current.get(k))
    assert not changed, (
        f"outputs changed for {changed}; if that is a deliberate behaviour change, regenerate "
        f"(MORPHTOK_UPDATE_GOLDEN=1, see {Path(__file__).name}) and say why in the commit")


def test_golden_hashes_are_sensitive(current, gemma_tokenizer):
    # A hash that ignores its input would pass the test above forever: one more word changes it.
    processor = build_processor("patok", gemma_tokenizer)
    documents = _documents()
    moved = _digest(" ".join(map(str, processor.process(doc, document_rng(1, "patok", index))))
                    for index, doc in enumerate(documents[:5]))
    assert moved != current["patok/seed"]
    assert len(set(current.values())) == len(current)
