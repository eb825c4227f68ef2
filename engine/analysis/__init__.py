"""The embedding stage: backbone embeddings, concept scores and small features per photo."""
