"""Figure helpers: the project style, PDF + PNG output and caption text."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = Path(__file__).with_name("kasglass.mplstyle")


def use_style() -> None:
    """Apply the project's matplotlib style."""
    plt.style.use(str(STYLE))


def save(fig, paths) -> None:
    """Save ``fig`` to every path in ``paths`` (PDF and PNG), creating folders; closes the
    figure."""
    for p in paths:
        Path(p).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p)
    plt.close(fig)


def footer(fig, text: str) -> None:
    """Small caption line under the axes with the parameters that produced the figure."""
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=7, wrap=True)
