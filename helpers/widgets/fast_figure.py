"""A matplotlib figure that re-renders to PNG bytes quickly: the shared canvas of the explorers."""

from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np

MAX_BACKGROUNDS = 16
"""How many backgrounds (frames) a :class:`FastFigure` keeps; the least recently used goes first."""


class FastFigure:
    """A matplotlib figure that re-renders to PNG bytes quickly (for the widgets).

    The static parts (axes, ticks, labels) are drawn once and kept as a background;
    :meth:`png` only re-draws the ``dynamic`` artists on top of it (blitting) and
    encodes the image.  A figure whose frame can change (e.g. its axis limits) passes a
    ``key`` naming the frame: one background is kept per key (at most
    :data:`MAX_BACKGROUNDS`).  Artists that are made anew for every picture (a legend)
    are passed to :meth:`png` as ``artists``.
    """

    def __init__(self, fig, dynamic=()):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.dynamic = list(dynamic)
        self._backgrounds: OrderedDict = OrderedDict()

    def png(self, key=None, artists=None) -> bytes:
        """The figure as PNG bytes: the background of ``key`` plus the dynamic artists (or ``artists``)."""
        from PIL import Image

        artists = self.dynamic if artists is None else list(artists)
        for a in artists:
            a.set_animated(True)
        if key not in self._backgrounds:
            self.canvas.draw()
            self._backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
            while len(self._backgrounds) > MAX_BACKGROUNDS:
                self._backgrounds.popitem(last=False)
        else:
            self._backgrounds.move_to_end(key)
            self.canvas.restore_region(self._backgrounds[key])
        for a in sorted(artists, key=lambda a: a.get_zorder()):
            self.fig.draw_artist(a)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()
