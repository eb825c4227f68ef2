"""Model modules in the style of timm (typed constructors, forward_features / forward_head, one registry)."""
