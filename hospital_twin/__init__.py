"""Hospital Twin: a digital twin of a histopathology laboratory."""
