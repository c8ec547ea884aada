"""Hardware facades and their backends. No Kivy imports: events reach the UI through the
kiosk's event bridge, never by touching widgets from a device thread."""
