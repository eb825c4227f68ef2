"""Private photos: documents and screenshots (text detection), portraits, close people."""
