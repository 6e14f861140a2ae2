"""Server-rendered SVG bar charts of the overview's rates (``tasks.selectors.rate_rows``)."""


def bar_chart(rows: list, *, width: int = 640, bar: int = 12, label_width: int = 150) -> dict:
    """Geometry of a horizontal bar chart (completion and on-time rate per row) for the
    SVG template: no JavaScript, no CDN."""
    plot = width - label_width - 50
    line = 2 * bar + 14
    bars = []
    for i, row in enumerate(rows):
        y = 24 + i * line
        bars.append(
            {
                "label": row["label"],
                "y": y,
                "text_y": y + bar + 4,
                "completion": row["completion_rate"] or 0,
                "completion_w": round(plot * (row["completion_rate"] or 0) / 100, 1),
                "completion_text": "—"
                if row["completion_rate"] is None
                else f"{row['completion_rate']}%",
                "on_time_w": round(plot * (row["on_time_rate"] or 0) / 100, 1),
                "on_time_y": y + bar + 2,
                "on_time_text": "—" if row["on_time_rate"] is None else f"{row['on_time_rate']}%",
            }
        )
    return {
        "width": width,
        "height": 36 + len(rows) * line,
        "label_width": label_width,
        "plot": plot,
        "bar": bar,
        "bars": bars,
        "ticks": [
            {"x": label_width + round(plot * p / 100, 1), "label": f"{p}%"} for p in (0, 50, 100)
        ],
    }
