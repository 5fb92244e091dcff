"""PNG pictures for admins: scores of shown matches by 👍/👎, and a model's training curve."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def score_histogram(up: list[float], down: list[float], display: float, notify: float) -> bytes:
    """Where 👍 and 👎 fall on the score scale: are the thresholds in the right place?"""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    bins = list(range(0, 101, 5))
    ax.hist([up, down], bins=bins, label=[f"👍 this is mine ({len(up)})",
                                          f"👎 not mine ({len(down)})"],
            color=["#2e7d32", "#c62828"], alpha=0.8)
    ax.axvline(display, color="k", linestyle="--", linewidth=1, label="display")
    ax.axvline(notify, color="#555", linestyle=":", linewidth=1, label="notify")
    ax.set_xlabel("score of the shown match")
    ax.set_ylabel("matches")
    ax.set_title("Shown matches by feedback")
    ax.legend(fontsize=8)
    return _png(fig)


def training_curve(history: list[dict], title: str) -> bytes:
    """Loss and held-out top-1 per epoch."""
    epochs = [h["epoch"] for h in history]
    fig, loss_ax = plt.subplots(figsize=(6, 3.4))
    loss_ax.plot(epochs, [h.get("loss") for h in history], "o-", color="#1565c0", label="loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("training loss", color="#1565c0")
    top_ax = loss_ax.twinx()
    top_ax.plot(epochs, [h.get("top1") for h in history], "s-", color="#ef6c00",
                label="held-out top-1")
    top_ax.set_ylabel("held-out top-1", color="#ef6c00")
    top_ax.set_ylim(0, 1)
    loss_ax.set_title(title)
    return _png(fig)
