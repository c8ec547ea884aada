"""On-screen input methods (Kivy has none for Chinese): engines without widgets."""
