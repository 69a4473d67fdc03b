"""The keys pane: the key schedule as a tree that grows as secrets are learned.

Each node is one `SecretLearned`: its name and the first bytes of its value; the node under
the cursor shows its whole value, formula, inputs and RFC section below the tree. The tree's
shape comes from the secrets' inputs (`keys_model.parent_of`), not from a written layout.
The top line says which key protects the next record the player sends.
"""

from __future__ import annotations

from functools import cached_property

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from engine.referee import SecretLearned
from tui.widgets.border_title import retitle
from tui.widgets.keys_model import parent_of, protection_words, short_hex, short_name
from tui.widgets.quiet_tree import QuietTree
from tui.widgets.settled import Settled, SettledStatic

EMPTY = ("No secrets yet: the key schedule starts once the key exchange gives a shared "
         "secret (a key share, a pre-master secret) or a PSK is known.")


class KeyTree(QuietTree[SecretLearned]):
    """The secrets, each under the secret it was derived from."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("key schedule", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._by_name: dict[str, TreeNode[SecretLearned]] = {}
        self._depth: dict[str, int] = {}

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    def add_secret(self, secret: SecretLearned) -> TreeNode[SecretLearned]:
        """Hang a new secret under its parent; a secret learned again replaces its value."""
        known = self._by_name.get(secret.name)
        if known is not None:
            known.data = secret
            known.refresh()
            return known
        parent_name = parent_of(secret, self._by_name)
        parent = self.root if parent_name is None else self._by_name[parent_name]
        if parent is not self.root:
            parent.allow_expand = True
            if not parent.is_expanded:  # secrets are added expanded: no NodeExpanded to
                parent.expand()  # bubble up the screen per secret, unless the player folded it
        # A Text label: a plain name, with no markup to parse
        node = parent.add(Text(secret.name), data=secret, expand=True, allow_expand=False)
        self._by_name[secret.name] = node
        self._depth[secret.name] = 1 if parent_name is None else self._depth[parent_name] + 1
        return node

    def render_label(self, node: TreeNode[SecretLearned], base_style: Style, style: Style) -> Text:
        secret = node.data
        if secret is None:
            return super().render_label(node, base_style, style)
        room = self.scrollable_content_region.width - 2 * self._depth.get(secret.name, 1) - 3
        label = Text(secret.name, style=style)
        for count in (8, 4):  # as much of the value as fits beside the name
            value = short_hex(secret.value, count)
            if len(secret.name) + 2 + len(value) <= room:
                label.append("  ")
                label.append(value, style=style + Style(dim=True))
                break
        prefix = ("▼ " if node.is_expanded else "▶ ") if node.allow_expand else ""
        if node is self.cursor_node:  # not by colour alone
            label = Text.assemble(("▸", style), label)
        return Text.assemble((prefix, base_style), label)


class KeysPanel(Settled, Vertical):
    """The protection line, the key tree and the selected secret's derivation."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._newest: TreeNode[SecretLearned] | None = None

    def compose(self) -> ComposeResult:
        yield SettledStatic("next record you send: nothing (clear)",
                     id="keys-protection", markup=False)
        yield KeyTree(id="key-tree")
        yield SettledStatic(EMPTY, id="key-detail", markup=False)

    def on_mount(self) -> None:
        self.border_title = "keys"

    @cached_property
    def key_tree(self) -> KeyTree:
        return self.query_one(KeyTree)

    def add_secret(self, secret: SecretLearned) -> None:
        """A secret was learned: add it; at the next `flush` the title counts it and the
        cursor goes to the newest one (its formula shows)."""
        self._newest = self.key_tree.add_secret(secret)

    def flush(self) -> None:
        """Count the secrets in the title, put the cursor on the newest one added since the
        last flush, and describe it."""
        node, self._newest = self._newest, None
        if node is None:
            return
        count = len(self.key_tree.names)
        retitle(self, f"keys · {count} secret{'s' if count != 1 else ''}")
        tree = self.key_tree
        tree.get_node_at_line(0)  # lays the tree's lines out now, so the cursor can move
        tree.move_cursor(node)  # and scrolls to it (the tree's height never changes)
        self._describe(node.data)

    def show_protection(self, key: str | None) -> None:
        """Say which key protects the player's next record (None: nothing, it is clear)."""
        text = Text("next record you send: ")
        text.append(protection_words(key), style="bold")
        self.query_one("#keys-protection", Static).update(text)

    @on(Tree.NodeHighlighted, "#key-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[SecretLearned]) -> None:
        event.stop()  # handled: no need to bubble on through the screen
        self._describe(event.node.data)

    def _describe(self, secret: SecretLearned | None) -> None:
        detail = self.query_one("#key-detail", Static)
        if secret is None:
            detail.update(EMPTY)
            return
        text = Text()
        text.append(secret.name, style="bold underline")
        short = short_name(secret.name)
        if short != secret.name:
            text.append(f" ({short})")
        text.append(f" · {len(secret.value)} bytes")
        if secret.section:
            text.append(f" · {secret.section}", style="italic")
        text.append(f"\n{secret.value.hex()}", style="dim")
        text.append(f"\n{secret.formula}", style="bold")
        if any(name not in secret.formula for name in secret.inputs):  # else the formula names them
            text.append(f"\ninputs: {', '.join(secret.inputs)}")
        detail.update(text)
