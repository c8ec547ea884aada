"""The demo: `make run`'s runner (kiosk and back office together), the embedded back
office, the screenshot tour. Not part of the shipped kiosk."""
