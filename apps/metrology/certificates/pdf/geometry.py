"""Boxes on a page, in millimetres from the page's bottom-left corner.

Every public function of the toolkit that places something takes a :class:`Box`. ``x`` and ``y``
are the distances of the box's bottom-left corner from the bottom-left corner of the page's
visible area (its CropBox, or MediaBox when there is none), ``width`` and ``height`` its size,
all in millimetres, in the page's unrotated coordinate system (pages made by LibreOffice are not
rotated). PDF user space is in points: 1 mm = 72 / 25.4 pt.
"""

from __future__ import annotations

from dataclasses import dataclass

PT_PER_MM = 72 / 25.4


def mm(value: float) -> float:
    """Millimetres to PDF points."""
    return value * PT_PER_MM


@dataclass(frozen=True)
class Box:
    """A rectangle in mm: bottom-left corner (x, y) from the page's bottom-left, then size."""

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self):
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"a box needs a positive size, got {self.width} x {self.height} mm")

    def in_points(self, origin: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float, float]:
        """(x, y, width, height) in points, shifted by the page box's origin (in points)."""
        return (origin[0] + mm(self.x), origin[1] + mm(self.y), mm(self.width), mm(self.height))
