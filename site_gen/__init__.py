"""site-gen: static webinar and meeting pages that embed Callbridge rooms."""

from __future__ import annotations

__version__ = "0.1.0"
