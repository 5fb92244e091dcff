"""The admin's /stats pictures render what the admin should see: every glyph exists in the font,
counts are whole numbers, the threshold lines carry their names."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib.pyplot as plt
import pytest

from hoyamu import charts


def _draw_without_missing_glyphs(draw, caplog) -> bytes:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = draw()
    problems = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [p for p in problems if "missing from" in p or "Glyph" in p], problems
    assert png.startswith(b"\x89PNG")
    return png


def test_score_histogram_has_no_missing_glyphs_and_whole_counts(caplog, monkeypatch) -> None:
    figures = []
    real_png = charts._png
    monkeypatch.setattr(charts, "_png", lambda fig: figures.append(fig) or real_png(fig))
    _draw_without_missing_glyphs(
        lambda: charts.score_histogram([82, 91, 77, 88], [61, 63, 70], 60, 75), caplog)
    ax = figures[0].axes[0]
    ticks = [tick for tick in ax.get_yticks() if 0 <= tick <= ax.get_ylim()[1]]
    assert ticks and all(float(tick).is_integer() for tick in ticks), ticks
    labels = [text.get_text() for text in ax.texts]
    assert "display 60" in labels and "notify 75" in labels
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["this is mine (4)", "not mine (3)"]


def test_empty_histogram_and_training_curve_draw_cleanly(caplog) -> None:
    _draw_without_missing_glyphs(lambda: charts.score_histogram([], [], 60, 75), caplog)
    history = [{"epoch": e, "loss": 1.0 / e, "top1": 0.6 + e / 20} for e in (1, 2, 3)]
    png = _draw_without_missing_glyphs(lambda: charts.training_curve(history, "v2"), caplog)
    image = plt.imread(io.BytesIO(png))
    assert image.shape[0] > 100


@pytest.mark.parametrize("label", ["👍 this is mine"])
def test_the_font_really_lacks_emoji(label: str, caplog) -> None:
    """The check above can fail: drawing an emoji with this font is reported."""
    fig, ax = plt.subplots()
    ax.set_title(label)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    problems = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert any("missing from" in p for p in problems), problems
