"""The kiosk's look and its Kivy glue: theme and style, the screen manager, gettext
for Kivy. No journey decisions."""
