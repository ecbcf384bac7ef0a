"""Making and caching the variants of one image (see the package's docstring for why)."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from site_gen.paths import IMMUTABLE_DIR

__all__ = ["ImageVariants", "ResponsiveImage", "Variant"]

log = logging.getLogger(__name__)

#: Widths made of every image (an original narrower than one ends the list at its own width).
WIDTHS = (480, 800, 1200)
#: The widest variant ``<img src>`` falls back to, for browsers without srcset.
FALLBACK_WIDTH = 800
#: Formats by Pillow name: MIME type, extension, save options.
_FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "AVIF": ("image/avif", "avif", {"quality": 55, "speed": 6}),
    "WEBP": ("image/webp", "webp", {"quality": 78, "method": 4}),
    "JPEG": ("image/jpeg", "jpg", {"quality": 80, "optimize": True, "progressive": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
}
#: Originals that get variants; anything else (SVG, GIF, ICO) is shown as it is.
_SOURCES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
#: Bumped when the way variants are made changes: every image gets new ones.
SPEC_VERSION = 1


def _modern_formats() -> tuple[str, ...]:
    """AVIF where this Pillow can encode it (Pillow 11.2+ built with libavif), and WebP."""
    from PIL import features  # Pillow only for sites with images (a build renders few)

    return ("AVIF", "WEBP") if features.check("avif") else ("WEBP",)


@dataclass(frozen=True)
class Variant:
    """One encoded size of an image: its output path, its cached file, its width."""

    rel: str  # under the output folder: immutable/img/NAME.KEY-WIDTH.EXT
    path: Path  # the encoded file in the cache
    width: int


@dataclass(frozen=True)
class ResponsiveImage:
    """Everything templates need for ``<picture>``: sources by type, fallback, size."""

    width: int
    height: int
    #: (MIME type, variants narrowest first), the most compact format first, the original's last.
    sources: tuple[tuple[str, tuple[Variant, ...]], ...]
    fallback: Variant
    key: str

    def files(self) -> list[Variant]:
        """Every variant: the files the output must hold."""
        return [v for _, variants in self.sources for v in variants]


class ImageVariants:
    """The variants of the images a build shows, made or taken from the cache, once each.

    ``locate`` maps a site path (``/img/x.jpg``) to the static file behind it,
    or None (another site's URL, a missing file: templates show it as written).
    """

    def __init__(self, cache_dir: Path, locate: Callable[[str], Path | None]) -> None:
        self.cache_dir = cache_dir
        self.locate = locate
        self._memo: dict[str, ResponsiveImage | None] = {}

    def get(self, site_path: str) -> ResponsiveImage | None:
        """The responsive set of the image at ``site_path``; None when it gets no variants."""
        if site_path not in self._memo:
            self._memo[site_path] = self._make(site_path)
        return self._memo[site_path]

    def used(self) -> list[ResponsiveImage]:
        """Every set made so far (what the output must hold)."""
        return [image for image in self._memo.values() if image is not None]

    def _make(self, site_path: str) -> ResponsiveImage | None:
        name = PurePosixPath(site_path)
        kind = _SOURCES.get(name.suffix.lower())
        source = self.locate(site_path) if kind is not None else None
        if kind is None or source is None:
            return None
        import PIL

        data = source.read_bytes()
        formats = (*_modern_formats(), "PNG" if kind == "PNG" else "JPEG")
        spec = [SPEC_VERSION, PIL.__version__, WIDTHS, formats, [_FORMATS[f] for f in formats]]
        digest = hashlib.sha256(json.dumps(spec, default=str).encode() + b"\0" + data)
        key = digest.hexdigest()[:16]
        folder = self.cache_dir / key
        manifest = folder / "manifest.json"
        try:
            recorded = json.loads(manifest.read_text())
            return self._image(recorded, folder, key)
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            pass  # never made, or a damaged record: made again
        shutil.rmtree(folder, ignore_errors=True)
        made = self._encode(source, key, name.stem, formats, folder)
        return None if made is None else self._image(made, folder, key)

    def _encode(
        self, source: Path, key: str, stem: str, formats: tuple[str, ...], folder: Path
    ) -> dict[str, object] | None:
        """Encode every variant into a new cache folder, renamed into place when complete."""
        from PIL import Image, ImageOps

        try:
            with Image.open(source) as opened:
                image = ImageOps.exif_transpose(opened)
                image.load()
        except (OSError, Image.DecompressionBombError, ValueError) as exc:
            # Shown as it is (no variants), as before there were any: a file a
            # browser may still read, or a placeholder a site has not replaced yet.
            log.warning("%s: no responsive variants: Pillow cannot read it (%s)", source, exc)
            return None
        width, height = image.size
        widths = [w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])]
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=self.cache_dir))
        try:
            # A list, not a dict: the order (most compact format first) is the <source> order.
            files: list[list[object]] = []
            for fmt in formats:
                mime, ext, options = _FORMATS[fmt]
                entries: list[list[object]] = []
                files.append([mime, entries])
                for w in widths:
                    h = max(1, round(height * w / width))
                    resized = image
                    if w != width:
                        resized = image.resize((w, h), Image.Resampling.LANCZOS)
                    if fmt == "JPEG" and resized.mode != "RGB":
                        resized = resized.convert("RGB")
                    file = f"{stem}.{key[:10]}-{w}.{ext}"
                    resized.save(staging / file, fmt, **options)
                    entries.append([file, w])
            recorded: dict[str, object] = {"width": width, "height": height, "files": files}
            (staging / "manifest.json").write_text(json.dumps(recorded, sort_keys=True))
            try:
                staging.rename(folder)
            except OSError:
                if not (folder / "manifest.json").is_file():  # not another build's, finished
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return recorded

    def _image(self, recorded: dict[str, object], folder: Path, key: str) -> ResponsiveImage:
        """The set a manifest records; raises if it is malformed or a file is gone."""
        files = recorded["files"]
        assert isinstance(files, list)
        sources = []
        for mime, entries in files:
            variants = tuple(
                Variant(f"{IMMUTABLE_DIR}/img/{name}", folder / name, int(w)) for name, w in entries
            )
            if not all(v.path.is_file() for v in variants):
                raise OSError(f"{folder}: a variant is missing")
            sources.append((str(mime), variants))
        original = sources[-1][1]
        fallback = [v for v in original if v.width <= FALLBACK_WIDTH] or [original[0]]
        width, height = recorded["width"], recorded["height"]
        assert isinstance(width, int) and isinstance(height, int)
        return ResponsiveImage(width, height, tuple(sources), fallback[-1], key)
