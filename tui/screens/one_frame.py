"""A screen that shows a move's consequences in one frame, at once, not over the next ones.

Textual leaves three things for later, each a screen update of its own:

- a repaint waits for the next tick of the screen's 60 Hz update timer, up to 17 ms after
  the widgets asked for it, though nothing else is waiting;
- laying a screen out arranges every scrollbar for its widget's new size; each scrollbar
  whose numbers change asks for a repaint, and one that was resized for a layout of its own
  (its "virtual size" changed, though nothing is laid out inside a scrollbar);
- the callbacks that wait for the layout (`call_after_refresh`: scroll the key tree to the
  newest secret) ask for the repaint of what they scrolled.

`OneFrame` updates the screen as soon as every widget's request has reached it (the screen
is idle: the requests of one move come as one batch), in one frame: the layout, then the
callbacks that waited for it (their scrolls), then one paint of everything that changed.
It drops the scrollbars' layout requests. A move on the play screen is on screen after one
update, 20-40 ms sooner.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.widget import Widget


class OneFrame(Screen[None]):
    _holding_paint = False

    async def _on_idle(self, event: events.Idle) -> None:
        if self._due() and not self._requests_on_the_way():
            await self._update_in_one_frame()  # now: the update timer would wait for its next tick
        await super()._on_idle(event)

    async def _update_in_one_frame(self) -> None:
        """Lay out (if asked), run the callbacks that waited for the layout, paint once."""
        self._holding_paint = True
        try:
            self._on_timer_update()
            await Screen._invoke_and_clear_callbacks(self)
        finally:
            self._holding_paint = False
        self._compositor_refresh()

    def _due(self) -> bool:
        return (
            self.is_current
            and not self.app._batch_count
            and bool(self._layout_required or self._scroll_required or self._repaint_required
                     or self._dirty_widgets)
        )

    def _requests_on_the_way(self) -> bool:
        """Has a widget asked for a layout or repaint that has not reached the screen yet?
        (Then wait for it: one paint, not two.)"""
        return any(widget._layout_required or widget._repaint_required or widget._scroll_required
                   for widget in self._compositor.full_map if widget is not self)

    def _waiting(self) -> set[Widget]:
        """The widgets on screen that asked for a repaint not done yet; from now on their
        queued refresh finds nothing to do."""
        waiting = set()
        for widget in self._compositor.full_map:
            if widget._repaint_required:
                widget._repaint_required = False
                waiting.add(widget)
            if isinstance(widget, ScrollBar):
                widget._layout_required = False
        return waiting

    def _compositor_refresh(self) -> None:
        if self._holding_paint:
            return  # the layout's paint: done with the callbacks' at the end of the frame
        waiting = self._waiting()
        if waiting:
            self._compositor.update_widgets(waiting)
        super()._compositor_refresh()

    async def _invoke_and_clear_callbacks(self) -> None:
        if not self._callbacks:
            return
        before = {widget for widget in self._compositor.full_map if widget._repaint_required}
        await super()._invoke_and_clear_callbacks()
        if not self.is_current or self.app._batch_count:
            return
        scrolled = {widget for widget in self._compositor.full_map
                    if widget._repaint_required and widget not in before}
        if scrolled:
            for widget in scrolled:
                widget._repaint_required = False
            self._compositor.update_widgets(scrolled)
            super()._compositor_refresh()
