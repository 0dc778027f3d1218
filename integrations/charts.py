"""Geometry for the activity chart, rendered as inline SVG by the template (no JavaScript, no library)."""

from dataclasses import dataclass

from .selectors import DayCount

WIDTH = 720
HEIGHT = 200
LEFT = 36  # room for the y-axis labels
BOTTOM = 24  # room for the date labels
TOP = 8
# Stacked bottom to top; the class names match the outcome badges in portal.css.
SERIES = (("success", "Success"), ("client_error", "Client error"), ("server_error", "Server error"))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DayLabel:
    x: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[DayLabel]
    total: int
    summary: str


def _nice_max(value: int) -> int:
    """The smallest 1/2/5 × 10^n at or above value, so the axis reads in round numbers."""
    if value <= 4:
        return 4
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def activity_chart(days: list[DayCount]) -> Chart:
    plot_height = HEIGHT - TOP - BOTTOM
    plot_bottom = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT) / max(len(days), 1)
    bar_width = max(slot * 0.7, 1)
    top_value = _nice_max(max((day.total for day in days), default=0))
    bars: list[Bar] = []
    labels: list[DayLabel] = []
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar_width) / 2
        y = plot_bottom
        for series, name in SERIES:
            count = getattr(day, series)
            if not count:
                continue
            height = count / top_value * plot_height
            y -= height
            label = f"{day.day:%b %-d}: {count} {name.lower()}"
            bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(y, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                    series=series,
                    label=label,
                )
            )
        # Label every 7th day, counting back from today so the newest day is always labelled.
        if (len(days) - 1 - index) % 7 == 0:
            newest = index == len(days) - 1
            labels.append(
                DayLabel(
                    x=round(x + bar_width if newest else x + bar_width / 2, 1),
                    text=f"{day.day:%b %-d}",
                    # The newest label is right-aligned so it is not cut off at the edge of the chart.
                    anchor="end" if newest else "middle",
                )
            )
    ticks = [
        Tick(y=round(plot_bottom - fraction * plot_height, 1), value=int(top_value * fraction))
        for fraction in (0, 0.5, 1)
    ]
    total = sum(day.total for day in days)
    failed = sum(day.client_error + day.server_error for day in days)
    summary = f"{total} requests in the last {len(days)} days, {failed} of them answered with an error."
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=ticks,
        labels=labels,
        total=total,
        summary=summary,
    )
