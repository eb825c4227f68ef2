"""Faces: detection, alignment, identity embeddings, clustering into people, the owner."""
