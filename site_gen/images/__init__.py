"""Responsive images: resized variants of the images pages show, encoded once per content.

The share image a site uses as hero and card image is 1200x630 and about
50 kB: most of every page's weight, and a phone needs a fraction of it.
For each image a page shows (its ``image``, else nothing; the listings'
cards), the build makes widths of 480, 800 and 1200 px (never wider than
the original) in AVIF (where this Pillow can write it), WebP and the
original's own format, and templates offer them with ``srcset``/``sizes``,
``width``/``height`` (no layout shift).

Encoding is the slow part (AVIF above all), so variants are cached under
``.site-gen/images/``: one folder per *key*, the hash of the source's bytes
and of the variant spec (widths, formats, qualities, Pillow's version). An
unchanged image is never re-encoded, whatever its mtime; a changed one gets
a new key, hence new file names, which is what lets hosts cache them
forever (``immutable/``). This cache is separate from the build cache of
output/ on purpose: it is keyed by content, and valid across output
folders, options and clean builds.
"""

from __future__ import annotations

from .variants import ImageVariants, ResponsiveImage, Variant

__all__ = ["ImageVariants", "ResponsiveImage", "Variant"]
