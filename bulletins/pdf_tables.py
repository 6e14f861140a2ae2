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
