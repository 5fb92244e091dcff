"""PNG pictures for admins: scores of shown matches by feedback, and a model's training curve.

Labels are words, not emoji: matplotlib's bundled font (DejaVu Sans) has no emoji glyphs, so
"👍" would render as an empty box. Counts and epochs are whole numbers on the axes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def _threshold(ax, x: float, name: str, style: str, color: str) -> None:
    """A vertical threshold line with its name and value written beside it, at the top."""
    ax.axvline(x, color=color, linestyle=style, linewidth=1.2)
    ax.annotate(f"{name} {x:g}", xy=(x, 1), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", ha="left", va="top",
                fontsize=8, color=color)


def score_histogram(up: list[float], down: list[float], display: float, notify: float) -> bytes:
    """Where "this is mine" and "not mine" fall on the score scale: are the thresholds right?"""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    bins = list(range(0, 101, 5))
    ax.hist([up, down], bins=bins, label=[f"this is mine ({len(up)})",
                                          f"not mine ({len(down)})"],
            color=["#2e7d32", "#c62828"], alpha=0.8)
    _threshold(ax, display, "display", "--", "#222222")
    _threshold(ax, notify, "notify", ":", "#555555")
    ax.set_xlim(0, 100)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max(1, ax.get_ylim()[1]))
    ax.set_xlabel("score of the shown match")
    ax.set_ylabel("matches")
    ax.set_title("Shown matches by the student's answer")
    if not up and not down:
        ax.text(50, 0.5, "no answers yet", ha="center", va="center", color="#777777")
    ax.legend(fontsize=8, loc="upper left")
    return _png(fig)


def training_curve(history: list[dict], title: str) -> bytes:
    """Loss and held-out top-1 per epoch."""
    epochs = [h["epoch"] for h in history]
    fig, loss_ax = plt.subplots(figsize=(6, 3.4))
    loss_ax.plot(epochs, [h.get("loss") for h in history], "o-", color="#1565c0", label="loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    loss_ax.set_ylabel("training loss", color="#1565c0")
    top_ax = loss_ax.twinx()
    top_ax.plot(epochs, [h.get("top1") for h in history], "s-", color="#ef6c00",
                label="held-out top-1")
    top_ax.set_ylabel("held-out top-1", color="#ef6c00")
    top_ax.set_ylim(0, 1)
    loss_ax.set_title(title)
    return _png(fig)
