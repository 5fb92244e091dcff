"""Folding 👍/👎 and returns into text_pairs.json: exact, idempotent, safe under concurrency."""

from __future__ import annotations

import json
import threading

import pytest

from hoyamu.reports import ReportInput
from training.pairs import Pair, PairsError, load_pairs, update_pairs, write_pairs

SEED = [Pair("lost my black wallet at the library", "black wallet found in library",
             lang="en", category="Wallet")]


async def _lost_and_found(core, lost_text: str, found_texts: list[str], owner: int = 1):
    found_ids = []
    for i, text in enumerate(found_texts):
        found = await core.reports.report(ReportInput(kind="found", text=text, user_id=100 + i))
        found_ids.append(found.item.id)
    lost = await core.reports.report(ReportInput(kind="lost", text=lost_text, user_id=owner))
    match_of = {m.item.id: m.match_id for m in await _all_matches(core, lost)}
    return lost, found_ids, match_of


async def _all_matches(core, lost):
    views = await core.reports.search(lost.item.text, kind="lost", limit=10, min_score=0)
    for view in views:
        view.match_id = await core.reports.record_match(lost.item.id, view.item.id, view.parts)
    return views


async def test_fold_adds_exactly_the_expected_pairs(core, settings) -> None:
    write_pairs(settings.text_pairs_path, SEED)
    lost_text = "mage nil pata calculator eka LH 2 eke nathi una"
    right, wrong = "Blue Casio calculator found in lecture hall 2", "Black Sharp calculator in LH 5"
    lost, (right_id, wrong_id), match_of = await _lost_and_found(core, lost_text, [right, wrong])
    await core.feedback.vote(match_of[wrong_id], 1, up=True)   # first thought it was theirs...
    await core.feedback.vote(match_of[wrong_id], 1, up=False)  # ...changed: counts as 👎 only
    await core.feedback.vote(match_of[right_id], 1, up=True)

    added = await core.feedback.fold()
    pairs = load_pairs(settings.text_pairs_path)
    assert added == 2
    assert pairs[0] == SEED[0]  # hand-written pairs untouched, first
    new = [(p.anchor, p.positive, p.negative, p.source) for p in pairs[1:]]
    assert new == [(lost_text, right, None, "feedback"), (lost_text, right, wrong, "feedback")]
    assert all(p.origin and p.origin.startswith("feedback:") for p in pairs[1:])

    assert await core.feedback.fold() == 0  # folding twice adds nothing
    assert load_pairs(settings.text_pairs_path) == pairs


async def test_returned_items_fold_and_downvotes_wait_for_a_positive(core, settings) -> None:
    write_pairs(settings.text_pairs_path, SEED)
    lost_text = "lost my green Nike water bottle at the gym"
    right, wrong = "Green Nike bottle found near the gym lockers", "Blue Milton bottle at the gym"
    lost, (right_id, wrong_id), match_of = await _lost_and_found(core, lost_text, [right, wrong])
    await core.feedback.vote(match_of[wrong_id], 1, up=False)
    assert await core.feedback.fold() == 0  # kept for later: no positive yet

    claims = core.claims
    view = await claims.create(match_of[right_id], 1, None)
    await claims.decide(view.claim.id, view.claim.finder_id, True)
    await claims.mark_returned(view.claim.id, 1)
    assert await core.feedback.fold() == 2
    pairs = load_pairs(settings.text_pairs_path)
    assert [(p.source, p.negative) for p in pairs[1:]] == [("return", None),
                                                           ("feedback", wrong)]


async def test_evaluation_texts_never_enter(core, settings) -> None:
    eval_dir = settings.data_dir / "eval"
    eval_dir.mkdir(parents=True)
    lost_text = "lost a pink umbrella at the bus halt"
    (eval_dir / "queries.jsonl").write_text(json.dumps({"id": "q1", "text": lost_text}) + "\n")
    lost, (found_id,), match_of = await _lost_and_found(core, lost_text,
                                                        ["Pink umbrella found at the bus halt"])
    await core.feedback.vote(match_of[found_id], 1, up=True)
    assert await core.feedback.fold() == 0


def test_concurrent_updates_lose_nothing(tmp_path) -> None:
    path = tmp_path / "pairs.json"
    write_pairs(path, SEED)

    def add(n: int) -> None:
        for i in range(15):
            update_pairs(path, lambda current, n=n, i=i: current + [
                Pair(f"lost item {n}-{i}", f"found item {n}-{i}", source="feedback")])

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pairs = load_pairs(path)
    assert len(pairs) == 1 + 4 * 15
    json.loads(path.read_text())  # always a whole, valid file


VARIANTS = ["Black wallet near the library", "  black   wallet near the LIBRARY ",
            "BLACK WALLET, near the library!"]


async def test_identical_or_variant_texts_are_never_written_as_a_pair(core, settings,
                                                                      caplog) -> None:
    """Students copy-paste: a lost and a found report with the same text (up to spaces, case,
    punctuation), confirmed as a match, must not write an entry the loader would refuse."""
    write_pairs(settings.text_pairs_path, SEED)
    claims = core.claims
    for i, found_text in enumerate(VARIANTS):
        owner = 50 + i
        lost, (found_id,), match_of = await _lost_and_found(core, VARIANTS[0], [found_text],
                                                            owner=owner)
        await core.feedback.vote(match_of[found_id], owner, up=True)
        view = await claims.create(match_of[found_id], owner, None)
        await claims.decide(view.claim.id, view.claim.finder_id, True)
        await claims.mark_returned(view.claim.id, owner)
    with caplog.at_level("WARNING", logger="training.pairs"):
        assert await core.feedback.fold() == 0
    assert load_pairs(settings.text_pairs_path) == SEED  # still loads, nothing added
    assert "are the same text" in caplog.text and "claim:" in caplog.text  # logged with origin


def test_writers_refuse_what_the_loader_would_reject(tmp_path) -> None:
    path = tmp_path / "pairs.json"
    write_pairs(path, SEED)
    for anchor, positive in zip(VARIANTS, VARIANTS[1:], strict=False):
        bad = Pair(anchor, positive, source="feedback", origin="claim:1")
        with pytest.raises(PairsError, match="same text") as error:
            write_pairs(path, [*SEED, bad])
        assert error.value.index == 1 and error.value.file == "pairs.json"
        with pytest.raises(PairsError, match="same text"):
            update_pairs(path, lambda current, bad=bad: [*current, bad])
    assert load_pairs(path) == SEED  # nothing was written


def test_a_hand_edited_file_names_its_bad_entry(tmp_path) -> None:
    path = tmp_path / "text_pairs.json"
    path.write_text(json.dumps([p.to_json() for p in SEED] + [
        {"anchor": "Lost my keys", "positive": "lost my KEYS!"}]), encoding="utf-8")
    with pytest.raises(PairsError) as error:
        load_pairs(path)
    assert error.value.index == 1 and error.value.file == "text_pairs.json"
    assert str(error.value) == "text_pairs.json entry 1: 'anchor' and 'positive' are the same text"
