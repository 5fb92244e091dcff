"""Folding verified feedback into feedback_pairs.json: exact, idempotent, append-only, safe under
concurrency; the seed file is never written."""

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


async def _claim(core, match_id: int, owner: int, accept: bool | None = True):
    """The owner claims through a match; the finder accepts (True), declines (False) or not yet."""
    view = await core.claims.create(match_id, owner, None)
    if accept is not None:
        await core.claims.decide(view.claim.id, view.claim.finder_id, accept)
    return view


def _folded(settings) -> list[Pair]:
    return load_pairs(settings.feedback_pairs_path)


async def test_only_verified_signals_fold_and_the_seed_file_is_never_rewritten(core,
                                                                                settings) -> None:
    write_pairs(settings.text_pairs_path, SEED)
    seed_bytes = settings.text_pairs_path.read_bytes()
    lost_text = "mage nil pata calculator eka LH 2 eke nathi una"
    right, wrong = "Blue Casio calculator found in lecture hall 2", "Black Sharp calculator in LH 5"
    lost, (right_id, wrong_id), match_of = await _lost_and_found(core, lost_text, [right, wrong])
    await core.feedback.vote(match_of[wrong_id], 1, up=True)   # first thought it was theirs...
    await core.feedback.vote(match_of[wrong_id], 1, up=False)  # ...changed: counts as 👎 only
    await core.feedback.vote(match_of[right_id], 1, up=True)
    view = await _claim(core, match_of[right_id], 1, accept=None)

    # a 👍 and a claim nobody has accepted prove nothing: no pair, and the 👎 waits for one
    assert await core.feedback.fold() == 0
    assert _folded(settings) == []

    await core.claims.decide(view.claim.id, view.claim.finder_id, True)
    assert await core.feedback.fold() == 2
    new = [(p.anchor, p.positive, p.negative, p.signal) for p in _folded(settings)]
    assert new == [(lost_text, right, None, "accepted"), (lost_text, right, wrong, "down")]
    origins = [p.origin for p in _folded(settings)]
    assert origins[0] == f"claim:{view.claim.id}" and origins[1].startswith("feedback:")
    assert settings.text_pairs_path.read_bytes() == seed_bytes  # the seed file: not one byte

    before = settings.feedback_pairs_path.read_text()
    assert await core.feedback.fold() == 0  # folding twice adds nothing, rewrites nothing
    assert settings.feedback_pairs_path.read_text() == before


async def test_returns_are_positives_declined_claims_hard_negatives(core, settings) -> None:
    write_pairs(settings.text_pairs_path, SEED)
    lost_text = "lost my green Nike water bottle at the gym"
    right, wrong = "Green Nike bottle found near the gym lockers", "Blue Milton bottle at the gym"
    lost, (right_id, wrong_id), match_of = await _lost_and_found(core, lost_text, [right, wrong])
    await _claim(core, match_of[wrong_id], 1, accept=False)   # the finder of the wrong one says no
    assert await core.feedback.fold() == 0  # kept for later: no positive yet
    before = settings.feedback_pairs_path.read_text()

    view = await _claim(core, match_of[right_id], 1)
    await core.claims.hand_back(view.claim.id, 1)
    assert await core.feedback.fold() == 2
    folded = _folded(settings)
    assert [(p.source, p.signal, p.negative) for p in folded] == [
        ("return", "returned", None), ("feedback", "declined", wrong)]
    # append-only: what was in the file stays as it was, in the same key order
    assert settings.feedback_pairs_path.read_text().startswith(before.rstrip().rstrip("]"))
    assert list(json.loads(settings.feedback_pairs_path.read_text())[0]) == [
        "anchor", "positive", "source", "origin", "signal"]


async def test_banned_users_and_unverified_api_verdicts_never_count(core, settings) -> None:
    from sqlalchemy import update

    from storage.models import User

    write_pairs(settings.text_pairs_path, SEED)
    lost_text = "lost a red Toshiba laptop charger in the lab"
    found_text = "Red Toshiba laptop charger left in computer lab 3"
    lost, (found_id,), match_of = await _lost_and_found(core, lost_text, [found_text], owner=7)
    await _claim(core, match_of[found_id], 7)
    await core.feedback.api_feedback("my charger is a Toshiba one, red", str(found_id), True)
    async with core.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == 7).values(is_banned=True))
    assert await core.feedback.fold() == 0  # the banned owner's accepted claim: nothing

    async with core.sessions() as session, session.begin():
        await session.execute(update(User).where(User.id == 7).values(is_banned=False))
    assert await core.feedback.fold() == 1  # the same claim once the ban is lifted
    assert [p.signal for p in _folded(settings)] == ["accepted"]  # the API 👍: not proof


async def test_evaluation_texts_never_enter(core, settings) -> None:
    eval_dir = settings.data_dir / "eval"
    eval_dir.mkdir(parents=True)
    lost_text = "lost a pink umbrella at the bus halt"
    (eval_dir / "queries.jsonl").write_text(json.dumps({"id": "q1", "text": lost_text}) + "\n")
    lost, (found_id,), match_of = await _lost_and_found(core, lost_text,
                                                        ["Pink umbrella found at the bus halt"])
    await _claim(core, match_of[found_id], 1)
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
        view = await claims.create(match_of[found_id], owner, None)
        await claims.decide(view.claim.id, view.claim.finder_id, True)
        await claims.hand_back(view.claim.id, owner)
    with caplog.at_level("WARNING", logger="training.pairs"):
        assert await core.feedback.fold() == 0
    assert load_pairs(settings.text_pairs_path) == SEED  # still loads
    assert _folded(settings) == []  # nothing added
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
