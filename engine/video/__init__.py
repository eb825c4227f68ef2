"""Videos: probing, sampled frames, segments, the multitask transformer's
scene / action / importance per segment, highlights (engine only, no Qt)."""
