"""Albums (folders, time segmentation), event labels (transformer) and per-photo importance."""
