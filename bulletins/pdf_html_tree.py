"""Article HTML read into a small tree with the standard library's html.parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "img", "hr", "col", "wbr", "input", "meta", "link", "source", "area"}
SKIP = {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)

    def text(self) -> str:
        out = []
        for child in self.children:
            out.append(child if isinstance(child, str) else child.text())
        return "".join(out)


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unclosed tags close with their parent."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
            return
        if self.skipping:
            return
        node = Node(tag, {k: (v or "") for k, v in attrs})
        if tag == "p" and self.stack[-1].tag == "p":
            self.stack.pop()  # <p> cannot nest: the first one ends here
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        if tag in SKIP or self.skipping:
            return
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag in VOID:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self.skipping and data:
            self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    return builder.root


def plain_text(html: str) -> str:
    """Every character the body may print, picture alt texts included (font subsetting)."""
    out = []

    def walk(node: Node):
        out.append(node.attrs.get("alt", ""))
        for child in node.children:
            if isinstance(child, str):
                out.append(child)
            else:
                walk(child)

    walk(parse_html(html))
    return "".join(out)
