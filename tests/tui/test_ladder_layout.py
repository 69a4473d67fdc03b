"""The ladder's text layout, without Textual."""

from __future__ import annotations

from engine.referee import EntryRole, LadderEntry, Side
from tui.widgets.ladder_layout import LadderLine, NoteMark, StateMark, TimelineItem, layout


def entry(index: int, sender: Side, summary: str, role: EntryRole = EntryRole.NORMAL,
          note: str = "") -> LadderEntry:
    return LadderEntry(index, sender, summary.split()[0], summary, b"", (), 0.0, role, note=note)


def plain(lines: list[LadderLine]) -> list[str]:
    return [line.text.plain.rstrip() for line in lines]


def test_arrows_point_from_sender_to_receiver_and_fill_the_width() -> None:
    lines = layout([entry(0, Side.CLIENT, "SYN seq=1"), entry(1, Side.SERVER, "SYN-ACK seq=9")], 40)
    text = plain(lines)
    assert text[0].startswith(" SYN seq=1 ─") and text[0].endswith("▶")
    assert text[1].startswith(" ◀─") and text[1].endswith("SYN-ACK seq=9")
    assert all(len(line.text.plain) == 39 for line in lines)  # gutter + 37 + right margin
    assert [line.entry for line in lines] == [0, 1]


def test_states_share_a_row_unless_the_same_side_changes_twice() -> None:
    timeline = [
        StateMark(Side.CLIENT, "CLOSED"), StateMark(Side.SERVER, "CLOSED"),
        StateMark(Side.SERVER, "LISTEN"), StateMark(Side.CLIENT, "SYN-SENT"),
    ]
    text = plain(layout(timeline, 40))
    assert text[0].split() == ["CLOSED", "CLOSED"]
    assert text[1].split() == ["SYN-SENT", "LISTEN"]
    assert text[1].index("LISTEN") > 30  # the server's state sits on the right


def test_mistakes_reactions_and_lost_segments_are_marked_in_words() -> None:
    timeline: list[TimelineItem] = [
        entry(0, Side.CLIENT, "ACK ack=5", EntryRole.MISTAKE),
        entry(1, Side.SERVER, "RST seq=5", EntryRole.REACTION),
        entry(2, Side.SERVER, "SYN-ACK seq=9", EntryRole.LOST),
        NoteMark("a timer fired"),
    ]
    text = plain(layout(timeline, 60, your_turn=Side.CLIENT))
    assert "✗ ACK ack=5" in text[0]
    assert "↩ RST seq=5" in text[1]
    assert text[2].lstrip().startswith("✕╌") and "(lost)" in text[2]
    assert "· a timer fired" in text[3]
    assert text[-1].strip() == "▷ your move"


def test_long_labels_fold_their_options_before_being_cut() -> None:
    summary = "SYN-ACK seq=4031809223 ack=1892024749 win=64240 <mss 1460,sackOK,ws 7>"
    text = plain(layout([entry(0, Side.SERVER, summary)], 60))
    assert text[0].endswith("SYN-ACK seq=4031809223 ack=1892024749 win=64240 <…>")
    narrow = plain(layout([entry(0, Side.SERVER, summary)], 48))
    assert narrow[0].endswith("SYN-ACK seq=4031809223 ack=1892024749 <…>")


def test_a_marked_entry_drops_its_note_before_its_numbers() -> None:
    summary = "ACK seq=64276603 ack=2398206698 win=64240"
    mistake = entry(0, Side.SERVER, summary, EntryRole.MISTAKE, note="your mistake")
    text = plain(layout([mistake], 50))
    assert text[0].endswith("✗ ACK seq=64276603 ack=2398206698")


def test_one_sides_run_of_states_reads_as_a_chain() -> None:
    timeline: list[TimelineItem] = [
        entry(0, Side.SERVER, "Finished"),
        StateMark(Side.SERVER, "NEGOTIATED"), StateMark(Side.SERVER, "WAIT_FINISHED"),
        StateMark(Side.CLIENT, "WAIT_EE"), StateMark(Side.CLIENT, "WAIT_CERT_CR"),
        StateMark(Side.CLIENT, "WAIT_CV"), StateMark(Side.CLIENT, "WAIT_FINISHED"),
    ]
    text = plain(layout(timeline, 60))
    assert text[1].split() == ["WAIT_EE", "NEGOTIATED", "›", "WAIT_FINISHED"]
    assert text[2].strip() == "WAIT_CERT_CR › WAIT_CV › WAIT_FINISHED"
    narrow = plain(layout(timeline, 30))
    assert narrow[2].strip() == "… › WAIT_CV › WAIT_FINISHED"  # the oldest give way
    assert all(len(line) <= 29 for line in narrow)
