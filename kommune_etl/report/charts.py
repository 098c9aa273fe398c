"""Charts as inline SVG strings. Pure functions of their data: no plotting library, no JavaScript,
so the report opens anywhere (an e-mail attachment, an air-gapped laptop) and prints well."""

from __future__ import annotations

from html import escape

PALETTE = ("#2f6690", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#00798c", "#a26769", "#3a3a3a")


def _nok(value: float) -> str:
    """Compact kroner: 4 734 462 -> '4.7 M'."""
    for limit, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"


def _number(value: float, money: bool) -> str:
    return _nok(value) if money else f"{value:,.0f}".replace(",", " ")


def _ticks(maximum: float, count: int = 4) -> list[float]:
    if maximum <= 0:
        return [0.0]
    raw = maximum / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(count + 2) if step * i <= maximum * 1.001 or i <= 1]


def _legend(series: list[str], x: int, y: int) -> list[str]:
    parts, offset = [], 0
    for i, name in enumerate(series):
        parts.append(f'<rect x="{x + offset}" y="{y}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + offset + 14}" y="{y + 9}" class="legend">{escape(name)}</text>')
        offset += 24 + 7 * len(name)
    return parts


def column_chart(title: str, categories: list[str], series: dict[str, list[float]], *, stacked: bool = False,
                 money: bool = False, width: int = 860, height: int = 300) -> str:
    """Vertical bars per category, one colour per series (grouped, or stacked)."""
    names = list(series)
    left, right, top, bottom = 90, 12, 34, 96
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[n][i] for n in names) for i in range(len(categories))]
    maximum = max((totals if stacked else [v for n in names for v in series[n]]) or [0]) or 1
    ticks = _ticks(maximum)
    top_value = max(ticks[-1], maximum)
    band = plot_w / max(len(categories), 1)
    bar_w = min(band * 0.75, 64 * max(len(names), 1)) / (1 if stacked else max(len(names), 1))
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}"'
             f' width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>']
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{_number(tick, money)}</text>')
    for i, category in enumerate(categories):
        x0 = left + band * i + (band - bar_w * (1 if stacked else len(names))) / 2
        base = 0.0
        for j, name in enumerate(names):
            value = series[name][i]
            if value <= 0:
                continue
            h = plot_h * value / top_value
            x = x0 if stacked else x0 + bar_w * j
            y = top + plot_h - h - (plot_h * base / top_value if stacked else 0)
            parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}"'
                         f' fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · {escape(name)}:'
                         f' {_number(value, money)}</title></rect>')
            if stacked:
                base += value
        cx = left + band * (i + 0.5)
        short = category if len(category) <= 22 else category[:21] + "…"
        parts.append(f'<text class="axis" x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="end"'
                     f' transform="rotate(-35 {cx:.1f} {top + plot_h + 14})">{escape(short)}<title>{escape(category)}</title></text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" class="baseline"/>')
    parts += _legend(names, left, 10)
    parts.append("</svg>")
    return "".join(parts)


def bar_list(title: str, labels: list[str], values: list[float], *, money: bool = False, width: int = 420) -> str:
    """Horizontal bars, largest first: the 'top N' chart."""
    row, left, top = 22, 170, 8
    height = top * 2 + row * max(len(labels), 1)
    maximum = max(values or [0]) or 1
    plot_w = width - left - 70
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}"'
             f' width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(zip(labels, values)):
        y = top + row * i
        w = max(plot_w * value / maximum, 1.0)
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text class="axis" x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(short)}</text>'
                     f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{PALETTE[0]}">'
                     f'<title>{escape(label)}: {_number(value, money)}</title></rect>'
                     f'<text class="value" x="{left + w + 4:.1f}" y="{y + 14}">{_number(value, money)}</text>')
    parts.append("</svg>")
    return "".join(parts)
