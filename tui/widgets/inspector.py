"""The inspector: the selected message's field tree beside its bytes.

The tree is built from the message's byte map (`FieldSpan`s, nested by `depth`); no layout
lives here. Moving in the tree highlights the field's bytes in the hex view and shows its
meaning and RFC section; clicking a byte selects the field that holds it.

A TLS entry has two views, swapped by `toggle_wire` (key `w`): the plaintext message (the
engine's byte map) and the wire bytes, the record(s) as sent with the ciphertext
(`wire_map.wire_spans`). A line above the tree says which key protected it on the wire.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from engine.bytemap import FieldSpan
from engine.referee import EntryRole, LadderEntry
from engine.referee.fields import detailed_fields
from tui.widgets.border_title import retitle
from tui.widgets.hexview import HexView
from tui.widgets.keys_model import short_name
from tui.widgets.quiet_tree import QuietTree
from tui.widgets.settled import Settled, SettledStatic
from tui.widgets.wire_map import wire_spans

ROLE_WORDS = {
    EntryRole.NORMAL: "",
    EntryRole.MISTAKE: "✗ your wrong move, played against a copy of the peer",
    EntryRole.REACTION: "↩ the real peer's reaction to your wrong move",
    EntryRole.LOST: "✕ lost: the wire dropped it",
}


class FieldTree(QuietTree[FieldSpan]):
    """The fields of one message, nested as in its byte map."""

    def show_spans(self, title: str, spans: tuple[FieldSpan, ...]) -> TreeNode[FieldSpan] | None:
        """Show a new message; returns the node to put the cursor on: the same field path
        as before if the new message has it, else the first field."""
        keep = self.cursor_node.data.path if self.cursor_node and self.cursor_node.data else None
        nodes = [node for node in _walk(self.root) if node.data is not None]
        if nodes and [(n.data.path, n.data.depth) for n in nodes] == [(s.path, s.depth) for s in spans]:  # type: ignore[union-attr]
            return self._relabel(title, nodes, spans, keep)
        return self._rebuild(title, spans, keep)

    def _relabel(self, title: str, nodes: list[TreeNode[FieldSpan]], spans: tuple[FieldSpan, ...],
                 keep: str | None) -> TreeNode[FieldSpan] | None:
        """The same fields as the message shown (e.g. one ACK after another): new words
        on the same nodes, no layout (a rebuilt tree costs a screen layout), and only the
        lines whose words changed drawn again (the ports of two segments often match)."""
        self.root.set_label(Text(title))
        for node, span in zip(nodes, spans):
            node.data = span
            label = self.process_label(_field_label(span))
            if label != node._label:  # set_label, without its refresh queued for later
                node._label = label
                node._updates += 1  # the tree's drawn lines are keyed by it
                self._refresh_node(node)
        return next((node for node in nodes if node.data is not None and node.data.path == keep), nodes[0])

    def _rebuild(self, title: str, spans: tuple[FieldSpan, ...], keep: str | None) -> TreeNode[FieldSpan] | None:
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


def _show_line(line: Static, text: str) -> None:
    """Show `text` on a one-line Static, hidden (-empty) when there is none; a line that
    does not change is left alone (an update would cost a layout pass)."""
    if line.content != text:
        line.update(text)
    line.set_class(not text, "-empty")


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


def protection_line(entry: LadderEntry, *, wire: bool) -> str:
    """What the inspector says of a TLS entry's protection; "" for an entry with no wire."""
    if not entry.wire:
        return ""
    key = entry.protected_by
    if wire:
        if key is None:
            return "wire bytes: a clear record · w: plaintext"
        return f"🔒 {key}: the wire bytes · w: plaintext"
    if key is None:
        return "clear on the wire · w: the record as sent"
    return f"decrypted (wire: 🔒 {short_name(key)}) · w: wire bytes"


class Inspector(Settled, Vertical):
    """Field tree, hex bytes and the meaning of the field under the cursor."""

    wire: reactive[bool] = reactive(False, init=False)
    """Show a TLS entry's wire bytes (the record with its ciphertext), not the plaintext."""

    def __init__(
        self, *, tls: bool = True, tls13: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        """
        Args:
            tls: a TLS level's inspector: the line that says how an entry was protected
                on the wire is always there (one message after another never moves the
                tree); without TLS there is none.
            tls13: how to read TLS records in the wire view (TLS 1.3, else TLS 1.2).
        """
        super().__init__(id=id, classes=classes)
        self.tls = tls
        self.tls13 = tls13
        self._entry: LadderEntry | None = None
        self._spans: tuple[FieldSpan, ...] = ()
        self._described: FieldSpan | None = None

    def compose(self) -> ComposeResult:
        yield SettledStatic("", id="inspector-role", classes="-empty", markup=False)
        yield SettledStatic("", id="inspector-wire", classes="" if self.tls else "-empty", markup=False)
        tree: FieldTree = FieldTree("", id="field-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield HexView(id="hex")
        yield SettledStatic("Select a message on the ladder to see its fields.", id="field-meaning")

    def on_mount(self) -> None:
        self.border_title = "inspector"

    def toggle_wire(self) -> bool:
        """Swap the plaintext and wire views; False if this entry has no wire bytes."""
        if self._entry is None or not self._entry.wire:
            return False
        self.wire = not self.wire
        return True

    def watch_wire(self) -> None:
        if self._entry is not None:
            self.show_entry(self._entry)

    def show_entry(self, entry: LadderEntry) -> None:
        self._entry = entry
        wire = self.wire and bool(entry.wire)
        sender = entry.sender.title
        view = "wire" if wire else "inspector"
        retitle(self, f"{view}: {entry.kind} #{entry.index + 1} from {sender}")
        words = ROLE_WORDS[entry.role] or entry.note  # a role says it all; else the note
        _show_line(self.query_one("#inspector-role", Static), words)
        if self.tls:
            self.query_one("#inspector-wire", Static).update(protection_line(entry, wire=wire))
        self._spans = wire_spans(entry, tls13=self.tls13) if wire else detailed_fields(entry)
        self.query_one(HexView).data = entry.wire if wire else entry.raw
        title = f"{entry.summary} (wire)" if wire else entry.summary
        tree = self.query_one(FieldTree)
        node = tree.show_spans(title, self._spans)
        tree.get_node_at_line(0)  # lays the tree's lines out now, so the cursor can move
        self._put_cursor(node)

    def _put_cursor(self, node: TreeNode[FieldSpan] | None) -> None:
        # The tree posts no NodeHighlighted when the cursor line stays the same, so the
        # field's bytes and meaning are described here too.
        if node is not None:
            self.query_one(FieldTree).move_cursor(node)
            self._describe(node.data)

    @on(Tree.NodeHighlighted, "#field-tree")
    def _field_highlighted(self, event: Tree.NodeHighlighted[FieldSpan]) -> None:
        event.stop()  # handled: no need to bubble on through the screen
        if event.node.data is not self._described:  # not the field _put_cursor described
            self._describe(event.node.data)

    def _describe(self, span: FieldSpan | None) -> None:
        """Light up the field's bytes and say what it means."""
        if span is None or self._entry is None:
            return
        self._described = span
        covering = _covering(self._spans, span)
        hexview = self.query_one(HexView)
        hexview.highlight = covering
        if covering:
            hexview.scroll_to_region(hexview.row_region(covering[0]), animate=False, immediate=False)
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
