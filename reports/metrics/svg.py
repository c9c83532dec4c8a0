"""Charts drawn on the server as SVG: no script, no CDN, readable without colour.

Each series differs in more than colour: bars by fill pattern (solid, hatched, dotted,
cross-hatched), lines by dash and marker shape; a legend names each, values sit on the
bars where there is room, and the table beside every chart gives the numbers.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 680, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 34, 46
# Six series styles, each its own colour, dash, marker and fill: a chart of USPS's five
# kinds of target, or of five clauses, reads without colour.
COLOURS = ["#1f4e79", "#b35c00", "#2e7d32", "#6a1b9a", "#8b1a1a", "#00606b"]
DASHES = ["", "7 4", "2 3", "9 3 2 3", "12 3", "4 2 1 2"]
STYLES = len(COLOURS)


def _patterns(chart_id):
    """Fill patterns, one per series: solid, diagonal hatch, dots, cross-hatch, horizontal
    and vertical stripes."""
    c = COLOURS
    return (
        f'<defs>'
        f'<pattern id="{chart_id}-p1" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<rect width="3" height="6" fill="{c[1]}"/></pattern>'
        f'<pattern id="{chart_id}-p2" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.6" '
        f'fill="{c[2]}"/></pattern>'
        f'<pattern id="{chart_id}-p3" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" '
        f'stroke="{c[3]}" stroke-width="1.4"/></pattern>'
        f'<pattern id="{chart_id}-p4" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#fff"/><rect width="6" height="3" '
        f'fill="{c[4]}"/></pattern>'
        f'<pattern id="{chart_id}-p5" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" '
        f'fill="{c[5]}"/></pattern>'
        f'</defs>')


def _fill(chart_id, n):
    return COLOURS[0] if n % STYLES == 0 else f"url(#{chart_id}-p{n % STYLES})"


def _marker(shape, x, y, colour):
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == 2:
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}L{x + 4.5:.1f} {y + 3.5:.1f}'
                f'L{x - 4.5:.1f} {y + 3.5:.1f}Z" fill="{colour}"/>')
    if shape == 3:
        return (f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}'
                f'L{x - 5:.1f} {y:.1f}Z" fill="{colour}"/>')
    if shape == 4:  # a triangle pointing down
        return (f'<path d="M{x:.1f} {y + 4.5:.1f}L{x + 4.5:.1f} {y - 3.5:.1f}'
                f'L{x - 4.5:.1f} {y - 3.5:.1f}Z" fill="{colour}"/>')
    return (f'<path d="M{x - 4:.1f} {y - 4:.1f}L{x + 4:.1f} {y + 4:.1f}M{x + 4:.1f} '
            f'{y - 4:.1f}L{x - 4:.1f} {y + 4:.1f}" stroke="{colour}" stroke-width="2.2"/>')


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _frame(chart_id, title, description, y_max, y_unit, categories):
    """The SVG's opening, title, axes with gridlines and the category labels."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _patterns(chart_id),
    ]
    for step in range(5):
        value = y_max * step / 4
        y = TOP + plot_h - plot_h * step / 4
        label = f"{value:g}{y_unit}"
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#ccc" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#333">{escape(label)}</text>')
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    every = max(1, math.ceil(len(categories) / 12))
    for n, category in enumerate(categories):
        if n % every == 0:
            x = LEFT + band * (n + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#333">{escape(category)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
                 f'y2="{TOP + plot_h}" stroke="#333" stroke-width="1"/>')
    return parts, band, plot_h


def _legend(chart_id, names, kind):
    parts, x = [], LEFT
    for n, name in enumerate(names):
        if kind == "bar":
            parts.append(f'<rect x="{x}" y="8" width="14" height="14" '
                         f'fill="{_fill(chart_id, n)}" stroke="#333" stroke-width="0.8"/>')
        else:
            colour = COLOURS[n % STYLES]
            parts.append(f'<line x1="{x}" y1="15" x2="{x + 22}" y2="15" stroke="{colour}" '
                         f'stroke-width="2" stroke-dasharray="{DASHES[n % STYLES]}"/>')
            parts.append(_marker(n % STYLES, x + 11, 15, colour))
        label_x = x + (20 if kind == "bar" else 28)
        parts.append(f'<text x="{label_x}" y="19" font-size="12" fill="#111">'
                     f'{escape(name)}</text>')
        x = label_x + 8 + 7 * len(name)
    return parts


def bar_chart(chart_id, title, categories, series, *, y_unit="", description=""):
    """Grouped bars: `series` is [(name, [value or None per category]), ...]."""
    top = max([v for _, values in series for v in values if v is not None] or [0])
    y_max = _nice_max(top)
    parts, band, plot_h = _frame(chart_id, title, description or title, y_max, y_unit,
                                 categories)
    width = band * 0.8 / max(len(series), 1)
    for s, (_, values) in enumerate(series):
        for n, value in enumerate(values):
            if value is None:
                continue
            h = plot_h * value / y_max
            x = LEFT + band * n + band * 0.1 + width * s
            y = TOP + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                         f'fill="{_fill(chart_id, s)}" stroke="#333" stroke-width="0.6"/>')
            if width >= 16:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" '
                             f'text-anchor="middle" font-size="10" fill="#111">'
                             f'{value:g}{escape(y_unit)}</text>')
    parts += _legend(chart_id, [name for name, _ in series], "bar")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def line_chart(chart_id, title, categories, series, *, y_unit="", y_max=None,
               description=""):
    """Lines with markers: `series` is [(name, [value or None per category]), ...]; a gap
    where a value is None."""
    top = max([v for _, values in series for v in values if v is not None] or [0])
    y_max = y_max or _nice_max(top)
    parts, band, plot_h = _frame(chart_id, title, description or title, y_max, y_unit,
                                 categories)
    for s, (_, values) in enumerate(series):
        colour, runs, run = COLOURS[s % STYLES], [], []
        for n, value in enumerate(values):
            if value is None:
                runs, run = runs + [run] if run else runs, []
                continue
            run.append((LEFT + band * (n + 0.5), TOP + plot_h - plot_h * value / y_max))
        runs = runs + [run] if run else runs
        for points in runs:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2" stroke-dasharray="{DASHES[s % STYLES]}"/>')
            parts += [_marker(s % STYLES, x, y, colour) for x, y in points]
    parts += _legend(chart_id, [name for name, _ in series], "line")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
