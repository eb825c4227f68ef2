"""Technical quality per photo: sharpness and exposure (culling)."""
