"""The county back-office API: the back half of the one-window reform.

Imports `domain` (the shared kernel) and nothing else of the kiosk, so a server
installs without Kivy: `pip install .[backoffice]`.
"""
