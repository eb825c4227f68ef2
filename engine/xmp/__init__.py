"""XMP metadata: reading ratings, labels, keywords and dates (sidecars and
packets embedded in image files) in the conventions other tools use."""
