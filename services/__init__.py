"""The kiosk's outside world: back-office client and document rendering. No Kivy here."""
