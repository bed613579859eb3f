"""App-specific panels built from the generic widgets: terminals deck, side panels, status header."""
