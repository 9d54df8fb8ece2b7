"""The lab's stages 10-90, one module each, in process order (spec section 6)."""
