"""Selfies from EXIF, as the paper finds the owner: front-camera photos.

Phones name the front camera in the lens model ("iPhone 12 front camera
2.71mm f/2.2", "... Front ..."), or can be told apart by focal length: phone
front cameras have real focal lengths of ~1.8-3.7 mm at 22-32 mm full-frame
equivalent, while the main camera is 4-7 mm and ultra-wide lenses sit below
18 mm equivalent. The largest face of a selfie is taken to be the person
holding the phone.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

FRONT_WORDS = re.compile(r"\b(front|selfie|facetime|truedepth|user[- ]facing)\b", re.I)
PHONE_MAKES = re.compile(
    r"apple|samsung|google|huawei|honor|xiaomi|redmi|oneplus|oppo|vivo|motorola|nokia|sony|lg|htc|realme|asus|zte|"
    r"nothing|fairphone|meizu|lenovo", re.I)
# Faces smaller than this share of the image width are not the photographer.
SELFIE_MIN_FACE_WIDTH = 0.12


def is_front_camera(info: Optional[dict]) -> bool:
    """``info``: camera_make, camera_model, lens, focal_length, focal_length_35mm."""
    if not info:
        return False
    text = " ".join(str(info.get(k) or "") for k in ("lens", "camera_model"))
    if FRONT_WORDS.search(text):
        return True
    make = str(info.get("camera_make") or "")
    focal, focal35 = info.get("focal_length"), info.get("focal_length_35mm")
    if not PHONE_MAKES.search(make) or not focal:
        return False
    return 1.8 <= float(focal) <= 3.7 and (focal35 is None or 20.0 <= float(focal35) <= 34.0)


def selfie_face(faces: Sequence, info: Optional[dict]) -> Optional[int]:
    """Index of the photographer's face in a front-camera photo, else None."""
    if not faces or not is_front_camera(info):
        return None
    widths = [f.box[2] - f.box[0] for f in faces]
    best = max(range(len(faces)), key=lambda i: widths[i])
    return best if widths[best] >= SELFIE_MIN_FACE_WIDTH else None
