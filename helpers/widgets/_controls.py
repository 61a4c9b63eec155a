"""The parts the live explorers share, built one way: sliders that act on release, a status line, an image."""

from __future__ import annotations


def slider(kind, description: str, **kwargs):
    """An ipywidgets slider of class ``kind`` that redraws only when released, its label shown in full."""
    return kind(
        description=description, continuous_update=False, style={"description_width": "initial"}, **kwargs
    )


def status_and_image():
    """The status line (HTML) above a live figure, and the figure itself (a PNG image)."""
    import ipywidgets as widgets

    return widgets.HTML(), widgets.Image(format="png")
