"""Direct labels that do not overlap: plan names written beside their points and lines.

With a dozen or more plans a legend of colours is hard to read; a name beside
each point (or at the end of each line) is not, as long as the names do not
cover each other. `label_points` tries positions around each point, nearest
first, and keeps the first whose text box overlaps no other label and no point
(a thin leader line joins a label placed further out); `label_line_ends` stacks
names at the right end of lines, pushed apart vertically by the least amount
that separates them. Both measure text with the figure's own renderer, so they
work the same on every headless backend.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox

RADII = (5, 12, 22, 34, 48, 66, 88, 115)  # points from the marker, nearest first
ANGLES = (30, -30, 150, -150, 90, -90, 0, 180, 60, -60, 120, -120)  # degrees


def label_points(
    ax, xs, ys, names, colors=None, fontsize=8, marker_points=5.0, segments=()
) -> list:
    """Write each name beside its point (data coordinates) so that no two names
    overlap and no name covers a point or one of `segments` (pairs of data points,
    e.g. error bars); returns the text artists."""
    fig = ax.figure
    renderer = _renderer(fig)
    to_pixels = ax.transData.transform
    scale = fig.dpi / 72.0
    points = to_pixels(np.column_stack([xs, ys]))
    pad = marker_points * scale
    taken = [Bbox([[x - pad, y - pad], [x + pad, y + pad]]) for x, y in points]
    for start, end in segments:
        (x0, y0), (x1, y1) = to_pixels([start, end])
        taken.append(Bbox([[min(x0, x1) - 1, min(y0, y1) - 1], [max(x0, x1) + 1, max(y0, y1) + 1]]))
    frame = ax.get_window_extent(renderer)
    texts = [None] * len(names)
    crowd = [sum(np.hypot(*(points - q).T) < 60 * scale) for q in points]
    for i in np.argsort(crowd, kind="stable")[::-1]:  # crowded points choose first
        name = names[i]
        color = "black" if colors is None else colors[i]
        text = None
        for radius in RADII:
            for angle in ANGLES:
                dx, dy = radius * np.cos(np.radians(angle)), radius * np.sin(np.radians(angle))
                leader = radius > RADII[1]
                candidate = _annotate(ax, name, (xs[i], ys[i]), (dx, dy), color, fontsize, leader)
                box = _text_box(candidate, renderer).expanded(1.04, 1.1)
                inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                if inside and not any(box.overlaps(t) for t in taken):
                    text = candidate
                    break
                candidate.remove()
            if text is not None:
                break
        if text is None:  # nowhere free: the nearest position, drawn anyway
            text = _annotate(ax, name, (xs[i], ys[i]), (RADII[0], RADII[0]), color, fontsize)
        taken.append(_text_box(text, renderer))
        texts[i] = text
    return texts


def _renderer(fig):
    """The figure's renderer, giving it the Agg canvas if it has none (figures made
    without pyplot start with a canvas that cannot measure text)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _text_box(annotation, renderer) -> Bbox:
    """The box of an annotation's text alone (not its leader line), in pixels."""
    annotation.update_positions(renderer)  # places the text at its offset
    return Text.get_window_extent(annotation, renderer)


def _annotate(ax, name, xy, offset, color, fontsize, leader=False):
    dx, dy = offset
    ha = "left" if dx > 1 else "right" if dx < -1 else "center"
    va = "bottom" if dy > 1 else "top" if dy < -1 else "center"
    arrow = {"arrowstyle": "-", "color": color, "lw": 0.6, "shrinkA": 0, "shrinkB": 3}
    return ax.annotate(
        name,
        xy,
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=fontsize,
        color=color,
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        arrowprops=arrow if leader else None,
    )


def label_line_ends(ax, x_end, y_ends, names, colors, fontsize=8, gap_points=2.0) -> list:
    """Write each name right of the axes at its line's last value, moved up or down as
    little as needed so the names do not overlap; a short elbow in the margin joins a
    moved name to its line, so joins never cross a name. Returns the text artists."""
    fig = ax.figure
    height = (fontsize + gap_points) * fig.dpi / 72.0  # pixels one label needs
    ys = np.array([ax.transData.transform((x_end, y))[1] for y in y_ends])
    order = np.argsort(ys)
    positions = np.empty_like(ys)
    positions[order] = _spread(ys[order], height)
    to_data = ax.transData.inverted().transform
    margin = ax.get_yaxis_transform()  # x in axes fraction, y in data
    x0 = ax.transAxes.inverted().transform(ax.transData.transform((x_end, 0)))[0]
    texts = []
    for i, name in enumerate(names):
        target = to_data((0, positions[i]))[1]
        ax.plot(
            [x0, 1.01, 1.04],
            [y_ends[i], y_ends[i], target],
            color=colors[i],
            lw=0.6,
            transform=margin,
            clip_on=False,
        )
        texts.append(
            ax.text(
                1.045,
                target,
                name,
                transform=margin,
                ha="left",
                va="center",
                fontsize=fontsize,
                color=colors[i],
                clip_on=False,
            )
        )
    return texts


def _spread(sorted_y: np.ndarray, height: float) -> np.ndarray:
    """Positions as close as possible to `sorted_y` (ascending) at least `height` apart:
    push up from the bottom, then centre each overlapping cluster on its targets."""
    y = sorted_y.astype(float).copy()
    for _ in range(len(y)):
        clusters = [[0]]
        for i in range(1, len(y)):
            if y[i] - y[clusters[-1][-1]] < height + 1e-6:  # touching: one cluster
                clusters[-1].append(i)
            else:
                clusters.append([i])
        changed = False
        for cluster in clusters:
            if len(cluster) == 1:
                continue
            centre = sorted_y[cluster].mean()
            span = height * (len(cluster) - 1)
            new = centre - span / 2 + height * np.arange(len(cluster))
            if not np.allclose(new, y[cluster]):
                y[cluster] = new
                changed = True
        if not changed:
            break
    return y
