"""Engine prose arrives hard-wrapped for a 90-column file; reflow it for the widget's width."""

from __future__ import annotations


def reflow(text: str) -> str:
    """Join the lines of each paragraph; keep blank lines between paragraphs."""
    paragraphs = [" ".join(block.split()) for block in text.strip().split("\n\n")]
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
