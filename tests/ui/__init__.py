"""GUI tests: the desktop app under offscreen Qt."""
