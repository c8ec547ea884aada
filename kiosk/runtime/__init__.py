"""What makes Kivy behave on a kiosk: its environment, malloc arenas, the garbage
collector, offscreen frames, label rendering and the escpos cache."""
