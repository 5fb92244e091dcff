"""The service layer on the real model, database and index: report, search, close, restart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from hoyamu.core import start_core
from hoyamu.reports import ReportInput
from hoyamu.validation import InvalidInput
from storage.models import Embedding, Item

FOUND = [
    ("Black leather wallet found at the main library counter", "Wallet"),
    ("Blue Samsung phone with a cracked screen, found in lecture hall 3", "Phone"),
    ("A bunch of keys with a red tag found at the bus stop", "Keys"),
    ("Red umbrella left in the science faculty canteen", "Umbrella"),
    ("Ray-Ban sunglasses in a black case found near the gym", "Glasses"),
    ("Grey HP laptop in a black sleeve found in the computer lab", "Laptop"),
    ("පිහිනුම් තටාකය ළඟ රන් මාලයක් හම්බුණා", "Jewellery & Watches"),
    ("කැන්ටිමේ සුදු පාට වතුර බෝතලයක් තිබුණා", "Water Bottle"),
    ("hostel eke kalu backpack ekak thibba", "Bag"),
    ("student ID card of a science faculty student found near the car park", "ID Card"),
]


async def add_found(core) -> dict[str, int]:
    ids = {}
    for text_, _ in FOUND:
        result = await core.reports.report(ReportInput(kind="found", text=text_))
        ids[text_] = result.item.id
    return ids


@pytest.mark.parametrize("query, expected", [
    ("I lost my black wallet in the library", FOUND[0][0]),
    ("පුස්තකාලයේ මගේ කළු පසුම්බිය නැති වුණා", FOUND[0][0]),
    ("library eke mage kalu wallet eka nathi una", FOUND[0][0]),
    ("mage kudaya canteen eke amathaka una, rathu pata", FOUND[3][0]),
    ("lost my gold chain at the swimming pool", FOUND[6][0]),
    ("මගේ HP ලැප්ටොප් එක computer lab එකේ නැති වුණා", FOUND[5][0]),
])
async def test_search_in_three_languages(core, query: str, expected: str) -> None:
    ids = await add_found(core)
    matches = await core.reports.search(query, kind="lost", limit=3, min_score=0)
    assert matches[0].item.id == ids[expected]
    parts = matches[0].parts
    assert parts.tier is None or parts.score >= 60
    assert 0 <= parts.semantic <= 100 and parts.cosine > 0


async def test_both_directions_give_the_same_score(core, settings, encoder) -> None:
    lost_text = "lost my blue Samsung phone in lecture hall 3, screen is cracked"
    found_text = FOUND[1][0]
    first = await core.reports.report(ReportInput(kind="lost", text=lost_text, user_id=1))
    second = await core.reports.report(ReportInput(kind="found", text=found_text, user_id=2))
    # found after lost: the owner is among those to notify, with the same score as a search
    search = await core.reports.search(lost_text, kind="lost", min_score=0)
    assert search[0].item.id == second.item.id
    owner_view = [m for m in second.matches if m.item.id == first.item.id]
    assert owner_view and owner_view[0].parts.score == search[0].parts.score


async def test_closed_items_leave_the_index(core) -> None:
    ids = await add_found(core)
    wallet = ids[FOUND[0][0]]
    await core.items.set_status(wallet, "closed")
    matches = await core.reports.search("black leather wallet library", min_score=0, limit=10)
    assert wallet not in [m.item.id for m in matches]
    with pytest.raises(InvalidInput):
        await core.items.set_status(wallet, "closed")


@pytest.mark.parametrize("bad, code", [
    ("", "empty"), ("   \n\t ", "empty"), ("\x00\x01\x02", "empty"), ("x" * 2001, "too_long"),
    ("😀🎉👍", "no_words"), ("!!!", "no_words"),
])
async def test_bad_descriptions_store_nothing(core, bad: str, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        await core.reports.report(ReportInput(kind="lost", text=bad))
    assert error.value.code == code and error.value.message
    async with core.sessions() as session:
        assert await session.scalar(select(func.count(Item.id))) == 0


async def test_unknown_kind_or_category_is_refused(core) -> None:
    with pytest.raises(InvalidInput, match="Unknown kind"):
        await core.reports.report(ReportInput(kind="stolen", text="black wallet"))
    with pytest.raises(InvalidInput, match="Unknown category"):
        await core.reports.report(ReportInput(kind="lost", text="black wallet", category="Cars"))


async def test_restart_reuses_or_rebuilds_the_index(settings, encoder) -> None:
    core = await start_core(settings, encoder=encoder)
    ids = await add_found(core)
    core.serving.runtime.save_index()
    await core.engine.dispose()
    index_dir = core.serving.runtime.index_dir

    # a clean restart loads the saved index: no re-encoding, same results
    again = await start_core(settings, encoder=encoder)
    assert again.serving.runtime.index.size("found") == len(FOUND)
    hits = await again.reports.search("black wallet library", min_score=0)
    assert hits[0].item.id == ids[FOUND[0][0]]

    # the database changed behind the index's back: it is rebuilt to match
    async with again.sessions() as session, session.begin():
        await session.execute(text("UPDATE items SET status='closed' WHERE id=:i"),
                              {"i": ids[FOUND[0][0]]})
    await again.engine.dispose()
    third = await start_core(settings, encoder=encoder)
    assert third.serving.runtime.index.size("found") == len(FOUND) - 1
    await third.engine.dispose()

    # a corrupt index file is rebuilt from the stored embeddings
    (index_dir / "found.faiss").write_bytes(b"not an index")
    fourth = await start_core(settings, encoder=encoder)
    assert fourth.serving.runtime.index.size("found") == len(FOUND) - 1
    async with fourth.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Embedding)) == len(FOUND)
    await fourth.engine.dispose()


async def test_sqlite_runs_with_wal_and_foreign_keys(core) -> None:
    if core.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    async with core.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
