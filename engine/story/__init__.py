"""Story slideshows from an album: selection and rendering (video and HTML)."""
