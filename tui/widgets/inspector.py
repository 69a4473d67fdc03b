"""The inspector: the selected message's field tree beside its bytes.

The tree is built from the message's byte map (`FieldSpan`s, nested by `depth`); no layout
lives here. Moving in the tree highlights the field's bytes in the hex view and shows its
meaning and RFC section; clicking a byte selects the field that holds it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from engine.bytemap import FieldSpan
from engine.referee import EntryRole, LadderEntry
from tui.widgets.hexview import HexView

ROLE_WORDS = {
    EntryRole.NORMAL: "",
    EntryRole.MISTAKE: "✗ your wrong move, played against a copy of the peer",
    EntryRole.REACTION: "↩ the real peer's reaction to your wrong move",
    EntryRole.LOST: "✕ lost: the wire dropped it",
}


class FieldTree(Tree[FieldSpan]):
    """The fields of one message, nested as in its byte map."""

    def show_spans(self, title: str, spans: tuple[FieldSpan, ...]) -> TreeNode[FieldSpan] | None:
        """Rebuild for a new message; returns the node to put the cursor on: the same
        field path as before if the new message has it, else the first field."""
        keep = self.cursor_node.data.path if self.cursor_node and self.cursor_node.data else None
        self.clear()
        self.root.set_label(Text(title))
        parents: list[TreeNode[FieldSpan]] = [self.root]
        target: TreeNode[FieldSpan] | None = None
        for span in spans:
            depth = min(span.depth, len(parents) - 1)
            del parents[depth + 1 :]
            node = parents[depth].add(_field_label(span), data=span, expand=True)
            parents.append(node)
            if span.path == keep:
                target = node
        self.root.expand()
        # Leaves should not show an expand arrow.
        for node in _walk(self.root):
            node.allow_expand = bool(node.children)
        first = self.root.children[0] if self.root.children else None
        return target or first


def _walk(node: TreeNode[FieldSpan]) -> list[TreeNode[FieldSpan]]:
    found = [node]
    for child in node.children:
        found.extend(_walk(child))
    return found


def _field_label(span: FieldSpan) -> Text:
    label = Text(span.label)
    if span.value:
        label.append("  ")
        label.append(span.value, style="bold")
    return label


def _covering(spans: tuple[FieldSpan, ...], span: FieldSpan) -> tuple[int, int] | None:
    """The bytes to light up for a span: its own, or its parent's for a flag bit."""
    if span.end > span.start:
        return span.start, span.end
    parents = [o for o in spans if o.depth < span.depth and o.start <= span.start < o.end]
    if not parents:
        return None
    parent = max(parents, key=lambda o: o.depth)
    return parent.start, parent.end


class Inspector(Vertical):
    """Field tree, hex bytes and the meaning of the field under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entry: LadderEntry | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="inspector-role", markup=False)
        tree: FieldTree = FieldTree("", id="field-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield HexView(id="hex")
        yield Static("Select a message on the ladder to see its fields.", id="field-meaning")

    def on_mount(self) -> None:
        self.border_title = "inspector"

    def show_entry(self, entry: LadderEntry) -> None:
        self._entry = entry
        sender = entry.sender.title
        self.border_title = f"inspector: {entry.kind} #{entry.index + 1} from {sender}"
        role = self.query_one("#inspector-role", Static)
        words = ROLE_WORDS[entry.role] or entry.note  # a role says it all; else the note
        role.update(words)
        role.set_class(not words, "-empty")
        self.query_one(HexView).data = entry.raw
        node = self.query_one(FieldTree).show_spans(entry.summary, entry.fields)
        self.call_after_refresh(self._put_cursor, node)

    def _put_cursor(self, node: TreeNode[FieldSpan] | None) -> None:
        # The tree posts no NodeHighlighted when the cursor line stays the same, so the
        # field's bytes and meaning are described here too.
        if node is not None:
            self.query_one(FieldTree).move_cursor(node)
            self._describe(node.data)

    @on(Tree.NodeHighlighted, "#field-tree")
    def _field_highlighted(self, event: Tree.NodeHighlighted[FieldSpan]) -> None:
        self._describe(event.node.data)

    def _describe(self, span: FieldSpan | None) -> None:
        """Light up the field's bytes and say what it means."""
        if span is None or self._entry is None:
            return
        covering = _covering(self._entry.fields, span)
        self.query_one(HexView).highlight = covering
        meaning = Text()
        meaning.append(f"{span.label} = {span.value}", style="bold")
        if covering:
            start, end = covering
            size = end - start
            where = f"byte {start}" if size == 1 else f"bytes {start}–{end - 1}"
            meaning.append(f"  ({where})" if span.end > span.start else f"  (a bit in {where})")
        if span.meaning:
            meaning.append(f"\n{span.meaning}")
        if span.rfc:
            meaning.append(f"  [{span.rfc}]", style="italic")
        self.query_one("#field-meaning", Static).update(meaning)

    @on(HexView.ByteClicked)
    def _byte_clicked(self, event: HexView.ByteClicked) -> None:
        tree = self.query_one(FieldTree)
        best: TreeNode[FieldSpan] | None = None
        for node in _walk(tree.root):
            span = node.data
            if span is not None and span.start <= event.offset < span.end:
                if best is None or best.data is None or span.depth >= best.data.depth:
                    best = node
        if best is not None:
            tree.move_cursor(best)
            tree.focus()
