"""Augmented training pairs: many voices, reproducible, and never a text of an evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.lexicon import language_style, normalize
from training.augment import (
    HELD_OUT_VOICES,
    TRAIN_VOICES,
    VOICES,
    augment,
    item_of,
    romanize,
    voice_split,
)
from training.pairs import load_pairs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_pairs():
    return load_pairs(ROOT / "data" / "text_pairs.json")


def test_same_seed_gives_the_same_pairs_and_another_seed_others(seed_pairs) -> None:
    first = augment(seed_pairs, TRAIN_VOICES, 2, seed=7)
    assert first == augment(seed_pairs, TRAIN_VOICES, 2, seed=7)
    other = augment(seed_pairs, TRAIN_VOICES, 2, seed=8)
    assert {p.key() for p in first} != {p.key() for p in other}


def test_at_least_1200_pairs_in_many_voices_tagged_augmented(seed_pairs) -> None:
    extra = augment(seed_pairs, TRAIN_VOICES, 2)
    assert len(seed_pairs) + len(extra) >= 1200
    assert {p.source for p in extra} == {"augmented"}
    assert not {p.key() for p in extra} & {p.key() for p in seed_pairs}
    styles = {language_style(p.anchor) for p in extra}
    assert styles == {"en", "si", "singlish", "mixed"}
    voices = {p.origin.split(":")[1].split("@")[0].split("/")[0] for p in extra}
    assert voices == {v.name for v in TRAIN_VOICES}
    kinds = {p.origin.split(":")[0] for p in extra}
    assert kinds == {"voices", "wording", "script", "details"}


def _eval_texts() -> set[str]:
    texts = set()
    for path in sorted((ROOT / "data" / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.add(normalize(json.loads(line)["text"]))
    return texts


def test_never_emits_a_text_of_the_evaluation_sets(seed_pairs) -> None:
    forbidden = _eval_texts()
    assert len(forbidden) > 400
    for seed in (0, 1, 42):
        for voices in (TRAIN_VOICES, HELD_OUT_VOICES):
            for pair in augment(seed_pairs, voices, 4, seed):
                for text in (pair.anchor, pair.positive, pair.negative):
                    assert text is None or normalize(text) not in forbidden, text


def test_sinhala_script_is_typed_the_ways_students_spell_it() -> None:
    text = "මගේ පසුම්බිය නැති වුණා, ඒකේ NIC එක තියෙනවා"
    assert romanize(text, VOICES["undergrad-th"]) == "mage pasumbiya nathi wuna, eke NIC eka thiyenawa"
    assert romanize(text, VOICES["t-v-doubler"]) == "mage pasumbiya nati vunaa, eke NIC eka tiyenavaa"


def test_held_out_split_has_unseen_items_in_unseen_voices(seed_pairs) -> None:
    train, test = voice_split(seed_pairs)
    assert not {item_of(p) for p in train} & {item_of(p) for p in test}
    assert not {normalize(p.anchor) for p in train} & {normalize(p.anchor) for p in test}
    heard = {p.origin for p in train if p.source == "augmented"}
    held = {v.name for v in HELD_OUT_VOICES}
    assert heard and not any(name in origin for origin in heard for name in held)
    assert any(p.source == "augmented" for p in test)
    assert {language_style(p.anchor) for p in test} == {"en", "si", "singlish", "mixed"}
