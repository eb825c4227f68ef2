"""Interest per photo (attentive multi-task model) and the user profile."""
