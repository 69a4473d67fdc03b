"""synack's Textual front end: screens, widgets and the app stylesheet."""
