"""The shared kernel: pure Python rules used by the kiosk and the back office alike.

No I/O, no Kivy, no third-party imports. The back office imports this package and
nothing else of the kiosk.
"""
