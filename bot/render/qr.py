"""QR codes as PNG, for the projector."""

from __future__ import annotations

import io


def qr_png(url: str) -> bytes:
    """A QR code of `url` as a black-on-white PNG, about 800 pixels wide for a projector."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.image.pil import PilImage  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(10, 800 // modules)
    image = code.make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The same QR code as an SVG element, sharp at any size (the projector page)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    svg: str = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    return svg
