"""synack's screens: main menu, level list, play, summary and help.

Only `menu` is imported at start-up; the others are imported when first opened, so that
engine/ stays off the start-up path.
"""
