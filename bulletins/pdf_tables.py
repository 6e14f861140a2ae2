"""HTML tables of article bodies laid on a grid: rows, header rows, spans, column widths."""

import re

from .pdf_html_tree import Node

TABLE_SIZE = 12


def table_rows(table: Node):
    """(rows of cell nodes, caption node, number of header rows)."""
    rows: list[list[Node]] = []
    caption = None
    header_rows = 0
    counting_header = True

    def visit(node: Node, in_head: bool):
        nonlocal caption, header_rows, counting_header
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag == "caption" and caption is None:
                caption = child
            elif child.tag in ("thead", "tbody", "tfoot"):
                visit(child, child.tag == "thead")
            elif child.tag == "tr":
                cells = [c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")]
                if not cells:
                    continue
                rows.append(cells)
                is_header = in_head or all(c.tag == "th" for c in cells)
                if counting_header and is_header:
                    header_rows += 1
                else:
                    counting_header = False

    visit(table, False)
    return rows, caption, header_rows


def _span(node: Node, name: str) -> int:
    try:
        return max(1, min(int(node.attrs.get(name, "1")), 50))
    except ValueError:
        return 1


def place_cells(rows: list[list[Node]]):
    """Lay cells on a grid honouring rowspan/colspan; return (grid, SPAN ranges)."""
    grid: list[list[Node | None]] = []
    taken: set[tuple[int, int]] = set()
    spans = []
    for r, cells in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            rs = min(_span(cell, "rowspan"), len(rows) - r)
            cs = _span(cell, "colspan")
            cell.attrs["_colspan"] = str(cs)
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            row = grid[r]
            while len(row) <= c:
                row.append(None)
            row[c] = cell
            if rs > 1 or cs > 1:
                spans.append(((c, r), (c + cs - 1, r + rs - 1)))
            c += cs
    width = max((c for _, c in taken), default=0) + 1
    for row in grid:
        row.extend([None] * (width - len(row)))
    return grid, spans


def column_widths(grid, ncols: int, total: float) -> list[float]:
    """Share the type-area width by how much text each column holds."""
    weights = [2.0] * ncols
    for row in grid:
        for c, cell in enumerate(row):
            if cell is None or cell.attrs.get("_colspan", "1") != "1":
                continue
            text = re.sub(r"\s+", " ", cell.text()).strip()
            # In ems: a CJK character is one, Latin letters and digits about half.
            size = sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text)
            weights[c] = max(weights[c], min(size, 18.0) + 1.5)
    scale = total / sum(weights)
    return [w * scale for w in weights]


def split_tall_rows(data, widths, spans, *, limit: float, header_rows: int, padding: float):
    """Rows taller than ``limit`` points cut into a row and continuation rows.

    ``data`` is the table's rows of cells (a flowable, a list of flowables or
    ""). A table can then break between rows, as ReportLab does well, instead
    of splitting inside a row (its ``splitInRow`` repeats the header over
    empty cells page after page). Header rows and rows inside a span stay
    whole. Returns (rows, spans with row indices moved, indices of
    continuation rows).
    """
    in_spans = {r for (_c0, r0), (_c1, r1) in spans for r in range(r0, r1 + 1)}
    out: list[list] = []
    moved: dict[int, int] = {}
    continued: list[int] = []
    for r, row in enumerate(data):
        moved[r] = len(out)
        if r < header_rows or r in in_spans:
            out.append(row)
            continue
        parts = [_cell_parts(cell, widths[c] - padding, limit) for c, cell in enumerate(row)]
        for k in range(max(len(p) for p in parts)):
            if k:
                continued.append(len(out))
            out.append([p[k] if k < len(p) else "" for p in parts])
    spans = [((c0, moved[r0]), (c1, moved[r1])) for (c0, r0), (c1, r1) in spans]
    return out, spans, continued


def _cell_parts(cell, width: float, limit: float) -> list:
    """A cell's flowables in pieces of at most ``limit`` points (one piece when it fits)."""
    if not cell:
        return [cell]
    pending = list(cell) if isinstance(cell, list) else [cell]
    heights = [f.wrap(width, limit)[1] for f in pending]
    if sum(heights) <= limit:
        return [cell]
    parts: list[list] = []
    chunk: list = []
    room = limit
    while pending:
        flowable = pending.pop(0)
        _w, height = flowable.wrap(width, limit)
        if height <= room:
            chunk.append(flowable)
            room -= height
            continue
        pieces = flowable.split(width, room) if room > 0 else []
        if len(pieces) >= 2:
            chunk.append(pieces[0])
            pending[:0] = pieces[1:]
        elif not chunk:
            chunk.append(flowable)  # cannot be cut: a piece of its own
        else:
            pending.insert(0, flowable)
        parts.append(chunk)
        chunk, room = [], limit
    if chunk:
        parts.append(chunk)
    return parts
