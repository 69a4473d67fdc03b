"""The play screen's widgets: header, ladder, inspector, move picker, feedback line."""
