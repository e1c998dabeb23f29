"""The option-only audit: its edit distance, and heuristics that score chance on sets that carry no cue."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from morphtok.bench.audit import HEURISTICS, _edit, audit, edit_reference
from morphtok.bench.schema import Item

TEXT = st.text(alphabet="abkngAB -", max_size=16)


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT)
def test_bit_parallel_edit_distance_equals_the_dynamic_programme(a, b):
    assert _edit(a, b) == edit_reference(a, b) == _edit(b, a)


def _item(k: int, options: list[str], gold: int) -> Item:
    return Item(id=f"i{k}", family="x", subtask="s", prompt={"en": "?"}, answer=options[gold], format="mcq",
                options=options, answer_index=gold)


def test_a_gold_that_perturbs_into_the_distractors_is_found_and_a_rotated_set_is_not():
    words = ["bahay", "buhay", "bihay", "behay", "bohay", "lakad", "likad", "lukad", "lekad", "lokad"]
    leaky, fair = [], []
    for k in range(80):
        word = words[k % len(words)]
        # 1.x style: the gold and three one-edit perturbations of it (the gold is the medoid).
        perturbed = [word, word[1:], word + word[-1], word[:2] + word[3] + word[2] + word[4:]]
        leaky.append(_item(k, perturbed[k % 4:] + perturbed[: k % 4], (4 - k % 4) % 4))
        # 2.0 style: four one-letter variants at one position, the asked one drawn independently.
        family = [w for w in words if w[1:] == word[1:] or w[:1] + w[2:] == word[:1] + word[2:]][:4]
        fair.append(_item(k, family, (k * 7 // 3) % 4))
    assert audit(leaky)["s"]["closest_to_others"] > 0.9
    assert audit(fair)["s"]["max"] < 0.45 and set(HEURISTICS) <= set(audit(fair)["s"])
