"""Documents that cannot attack the reader: every accepted file is rebuilt before it is stored.

``clean(data, mime)`` returns the bytes to store and the categories of what it removed (never
any content), or raises ``DocumentRejected`` with a Thai and English message.

- **JPEG / PNG** are decoded and encoded again with Pillow: the EXIF orientation is applied to
  the pixels, then EXIF (with any GPS position), text chunks, comments, XMP, IPTC and private
  chunks are dropped; the ICC colour profile, resolution and transparency stay. Only pixels go
  into the new file, so HTML appended after the image's end or hidden in a text chunk (PNG/HTML
  polyglots) is gone. Images above ``DOCUMENT_MAX_PIXELS`` are refused (decompression bombs).
- **PDF** is opened with pikepdf (qpdf) and written as a fresh file (only the objects reachable
  from the document, between ``%PDF`` and one ``%%EOF``; stream data as it was, nothing is
  re-rendered) after removing active content: an ``/OpenAction`` that is or leads to
  JavaScript, Launch, URI or another active action; every ``/AA`` (additional actions: on the
  document, pages, annotations, form fields); the ``/JavaScript`` and ``/EmbeddedFiles`` name
  trees and embedded file streams; file attachment, rich-media, screen, movie, sound and 3D
  annotations; XFA forms; and JavaScript, Launch, SubmitForm, ImportData, RichMediaExecute,
  remote go-to and rendition actions wherever they are (links, bookmarks, form fields). Links to
  web addresses stay. A PDF that needs a password to open is refused; one that opens without a
  password (permissions only) is stored without its encryption.

See docs/decisions/0008-document-sanitising.md for why Pillow and pikepdf.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from django.conf import settings
from PIL import Image, ImageOps, JpegImagePlugin

from jfs.cases.errors import DocumentRejected

logger = logging.getLogger(__name__)

#: what ``Document.sanitised`` may list
EXIF = "exif"
EXIF_GPS = "exif_gps"
METADATA = "metadata"  # text chunks, comments, XMP, IPTC, private chunks
TRAILING_DATA = "trailing_data"  # bytes after the end of the image or the PDF
ANIMATION = "animation"  # frames after the first of an animated PNG
OPEN_ACTION = "open_action"
ADDITIONAL_ACTIONS = "additional_actions"
JAVASCRIPT = "javascript"
EMBEDDED_FILES = "embedded_files"
FILE_ATTACHMENTS = "file_attachments"
XFA = "xfa"
LAUNCH = "launch_actions"
SUBMIT_FORM = "submit_form_actions"
IMPORT_DATA = "import_data_actions"
RICH_MEDIA = "rich_media"
REMOTE_GOTO = "remote_goto_actions"
MULTIMEDIA = "multimedia"
URI_ON_OPEN = "uri_on_open"

#: actions removed wherever they are, by their /S
ACTIVE_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/SubmitForm": SUBMIT_FORM,
    "/ImportData": IMPORT_DATA,
    "/RichMediaExecute": RICH_MEDIA,
    "/GoToR": REMOTE_GOTO,
    "/GoToE": REMOTE_GOTO,
    "/Rendition": MULTIMEDIA,
    "/Movie": MULTIMEDIA,
    "/Sound": MULTIMEDIA,
}
#: annotations removed from pages, by their /Subtype
REMOVED_ANNOTATIONS = {
    "/FileAttachment": FILE_ATTACHMENTS,
    "/RichMedia": RICH_MEDIA,
    "/Screen": MULTIMEDIA,
    "/Movie": MULTIMEDIA,
    "/Sound": MULTIMEDIA,
    "/3D": MULTIMEDIA,
}
#: PNG chunks that describe the pixels; any other chunk (text, EXIF, time, private) is metadata
PNG_IMAGE_CHUNKS = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"pHYs",
    b"sBIT", b"bKGD", b"acTL", b"fcTL", b"fdAT",
}
#: JPEG application segments that describe the pixels (JFIF, ICC profile, Adobe colour transform)
JPEG_IMAGE_SEGMENTS = {b"JFIF", b"ICC_PROFILE", b"Adobe"}

UNREADABLE_IMAGE = ("เปิดไฟล์ภาพไม่ได้ (ไฟล์อาจเสียหาย) กรุณาตรวจสอบไฟล์",
                    "The image cannot be read (the file may be damaged); please check the file")
UNREADABLE_PDF = ("เปิดไฟล์ PDF ไม่ได้ (ไฟล์อาจเสียหาย) กรุณาตรวจสอบไฟล์",
                  "The PDF cannot be read (the file may be damaged); please check the file")
ENCRYPTED_PDF = ("ไฟล์ PDF ตั้งรหัสผ่านไว้ ระบบตรวจไฟล์ไม่ได้ กรุณาส่งไฟล์ที่ไม่มีรหัสผ่าน",
                 "The PDF is protected by a password and cannot be checked; please send it without a password")


@dataclass
class Cleaned:
    data: bytes
    removed: list[str] = field(default_factory=list)  # categories, sorted, no content


def clean(data: bytes, mime: str) -> Cleaned:
    """The file to store for an accepted upload of type ``mime`` (already sniffed from ``data``)."""
    if mime == "application/pdf":
        return clean_pdf(data)
    if mime in ("image/jpeg", "image/png"):
        return clean_image(data, mime)
    raise ValueError(f"no cleaning for {mime}")


# --------------------------------------------------------------------------- images


def _too_many_pixels(width: int, height: int) -> DocumentRejected:
    limit = settings.DOCUMENT_MAX_PIXELS / 1_000_000
    return DocumentRejected(
        f"ภาพใหญ่เกินไป ({width:,}×{height:,} จุด) รับได้ไม่เกิน {limit:g} ล้านจุด กรุณาลดความละเอียดของภาพ",
        f"The image is too large ({width:,}×{height:,} pixels); at most {limit:g} million pixels are accepted, "
        "please scan or save it at a lower resolution",
    )


def _png_chunks(data: bytes) -> tuple[set[bytes], int]:
    """The chunk types of a PNG and where its IEND chunk ends."""
    types: set[bytes] = set()
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        types.add(kind)
        pos += 12 + length
        if kind == b"IEND":
            return types, pos
    return types, len(data)


def _image_findings(im: Image.Image, data: bytes, mime: str) -> set[str]:
    found: set[str] = set()
    exif = im.getexif()
    if len(exif):
        found.add(EXIF)
        if exif.get_ifd(0x8825) or 0x8825 in exif:  # GPSInfo
            found.add(EXIF_GPS)
    if mime == "image/png":
        chunks, end = _png_chunks(data)
        if chunks - PNG_IMAGE_CHUNKS - {b"eXIf"}:
            found.add(METADATA)
        if data[end:].strip(b"\x00\r\n\t "):
            found.add(TRAILING_DATA)
        if getattr(im, "n_frames", 1) > 1:
            found.add(ANIMATION)
    else:
        segments = [(marker, body) for marker, body in getattr(im, "applist", [])]
        for marker, body in segments:
            if marker == "APP1" and body.startswith(b"Exif"):
                continue
            if marker == "COM" or not any(body.startswith(s) for s in JPEG_IMAGE_SEGMENTS):
                found.add(METADATA)
        if "comment" in im.info:
            found.add(METADATA)
        end = data.rfind(b"\xff\xd9")
        if end == -1 or data[end + 2:].strip(b"\x00\r\n\t "):
            found.add(TRAILING_DATA)
    return found


def clean_image(data: bytes, mime: str) -> Cleaned:
    """Decode and encode again: pixels (orientation applied), ICC profile, resolution, transparency."""
    limit = settings.DOCUMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower limit applies
            im = Image.open(io.BytesIO(data), formats=["JPEG" if mime == "image/jpeg" else "PNG"])
            width, height = im.size
            if width * height > limit:
                raise _too_many_pixels(width, height)
            found = _image_findings(im, data, mime)
            keep: dict[str, Any] = {}
            if im.info.get("icc_profile"):
                keep["icc_profile"] = im.info["icc_profile"]
            dpi = im.info.get("dpi")
            if dpi and all(isinstance(v, int | float) and 0 < v < 100_000 for v in dpi):
                keep["dpi"] = tuple(round(v) for v in dpi)
            if mime == "image/png" and "transparency" in im.info:
                keep["transparency"] = im.info["transparency"]
            jpeg_tables = None
            if mime == "image/jpeg":
                jpeg_tables = (getattr(im, "quantization", None), JpegImagePlugin.get_sampling(im))
            im.load()
            pixels = ImageOps.exif_transpose(im) or im
            pixels.info.clear()  # nothing of the original's metadata goes into the new file
            out = io.BytesIO()
            if mime == "image/png":
                pixels.save(out, "PNG", **keep)
            else:
                _save_jpeg(pixels, out, keep, jpeg_tables)
    except DocumentRejected:
        raise
    except Image.DecompressionBombError:
        raise DocumentRejected(
            "ภาพใหญ่เกินไป กรุณาลดความละเอียดของภาพ", "The image is too large; please save it at a lower resolution"
        ) from None
    except Exception as exc:  # hostile input: Pillow's decoders raise many kinds of errors
        logger.warning("image refused: %s while re-encoding a %s", type(exc).__name__, mime)
        raise DocumentRejected(*UNREADABLE_IMAGE) from None
    return Cleaned(out.getvalue(), sorted(found))


def _save_jpeg(im: Image.Image, out: io.BytesIO, keep: dict[str, Any], tables: Any) -> None:
    """Encode with the original's quantisation tables and subsampling (no visible loss, no growth)."""
    if im.mode not in ("L", "RGB", "CMYK"):
        im = im.convert("RGB")
    if tables:
        qtables, sampling = tables
        try:
            options = {"qtables": qtables, **({"subsampling": sampling} if sampling != -1 else {})}
            im.save(out, "JPEG", **options, **keep)
            return
        except (ValueError, OSError, TypeError):
            out.seek(0)
            out.truncate()
    im.save(out, "JPEG", quality=92, **keep)


# --------------------------------------------------------------------------- PDF


def _action_types(action: Any) -> set[str]:
    """The /S of an action and of every action it leads to through /Next."""
    types: set[str] = set()
    todo, seen = [action], 0
    while todo and seen < 1000:
        a = todo.pop()
        seen += 1
        if isinstance(a, pikepdf.Array):
            todo.extend(a)
        elif isinstance(a, pikepdf.Dictionary):
            s = a.get("/S")
            if isinstance(s, pikepdf.Name):
                types.add(str(s))
            nxt = a.get("/Next")
            if nxt is not None:
                todo.append(nxt)
    return types


def _active(value: Any) -> str | None:
    """The category of an active action (``value`` is an action dictionary), else None."""
    if isinstance(value, pikepdf.Dictionary):
        s = value.get("/S")
        if isinstance(s, pikepdf.Name):
            return ACTIVE_ACTIONS.get(str(s))
    return None


def _clean_catalog(pdf: pikepdf.Pdf, found: set[str]) -> None:
    root = pdf.Root
    open_action = root.get("/OpenAction")
    if open_action is not None and not isinstance(open_action, pikepdf.Array):  # an array is a page to show
        kinds = _action_types(open_action)
        if kinds & (set(ACTIVE_ACTIONS) | {"/URI"}) or not isinstance(open_action, pikepdf.Dictionary):
            del root["/OpenAction"]
            found.add(OPEN_ACTION)
            found.update(ACTIVE_ACTIONS.get(k, URI_ON_OPEN) for k in kinds if k in ACTIVE_ACTIONS or k == "/URI")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, category in (("/JavaScript", JAVASCRIPT), ("/EmbeddedFiles", EMBEDDED_FILES)):
            if key in names:
                del names[key]
                found.add(category)
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]
        found.add(XFA)
    if "/NeedsRendering" in root:
        del root["/NeedsRendering"]


def _clean_dictionary(d: Any, found: set[str]) -> None:
    category = _active(d)
    if category:  # an active action still reachable (its holder is not a key or list seen here): empty it
        for key in list(d.keys()):
            del d[key]
        found.add(category)
        return
    if "/AA" in d:
        del d["/AA"]
        found.add(ADDITIONAL_ACTIONS)
    if "/EF" in d:  # a file specification carrying an embedded file
        del d["/EF"]
        found.add(EMBEDDED_FILES)
    annots = d.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        kept = []
        for a in annots:
            subtype = a.get("/Subtype") if isinstance(a, pikepdf.Dictionary) else None
            category = REMOVED_ANNOTATIONS.get(str(subtype)) if isinstance(subtype, pikepdf.Name) else None
            if category:
                found.add(category)
            else:
                kept.append(a)
        if len(kept) != len(annots):
            d["/Annots"] = pikepdf.Array(kept)
    for key in list(d.keys()):
        category = _active(d[key])
        if category:
            del d[key]
            found.add(category)


def _walk(pdf: pikepdf.Pdf, found: set[str]) -> None:
    """Visit every object reachable from the trailer once, removing active content on the way."""
    stack: list[Any] = [pdf.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            for i in range(len(obj) - 1, -1, -1):
                category = _active(obj[i])
                if category:  # an action in a /Next list
                    del obj[i]
                    found.add(category)
            stack.extend(obj)
            continue
        _clean_dictionary(obj, found)
        stack.extend(obj[k] for k in obj.keys())


def clean_pdf(data: bytes) -> Cleaned:
    found: set[str] = set()
    end = data.rfind(b"%%EOF")
    if end != -1 and data[end + 5:].strip(b"\x00\r\n\t "):
        found.add(TRAILING_DATA)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _clean_catalog(pdf, found)
            _walk(pdf, found)
            out = io.BytesIO()
            pdf.save(
                out,
                deterministic_id=True,  # the same upload gives the same stored file
                compress_streams=False,  # stream data is written as it came
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                fix_metadata_version=False,
                linearize=False,
            )
    except pikepdf.PasswordError:
        raise DocumentRejected(*ENCRYPTED_PDF) from None
    except Exception as exc:  # hostile input: qpdf reports damage in several ways
        logger.warning("PDF refused: %s while rewriting it", type(exc).__name__)
        raise DocumentRejected(*UNREADABLE_PDF) from None
    return Cleaned(out.getvalue(), sorted(found))
