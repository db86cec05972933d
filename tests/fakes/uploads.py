"""File uploads as the real platforms take them, shared by the fake Discord and the fake Slack.

Discord (API reference, "Uploading Files"): a `multipart/form-data` body whose JSON comes in the
`payload_json` part and whose files are parts named `files[n]`, each with a Content-Disposition
`filename` and a unique name; `n` is the snowflake placeholder an `attachments` entry of the
JSON refers to (with the file's `description`, its alt text, at most 1024 characters). Slack's
upload URL (files upload v2) takes the bytes raw or as one multipart file.

An image's width and height are read from its header as the platforms do; a file that is not
the image its name says gets none, so a test asserting them proves a real PNG arrived.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILE_PART = re.compile(r"files\[(\d+)\]")
DESCRIPTION_LIMIT = 1024


@dataclass
class Upload:
    """One uploaded file: the form part's name, its filename and content type, its bytes."""

    name: str
    filename: str
    content_type: str
    data: bytes

    @property
    def png_size(self) -> tuple[int, int] | None:
        """(width, height) from a valid PNG header (signature, then the IHDR chunk), else None."""
        head = self.data[:24]
        if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", head[16:24])
        return (width, height) if width and height else None


class UploadError(Exception):
    """A multipart body the platform refuses: `field` is where, `message` what; `status` 413
    when the files are too large in all, else 400."""

    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status


async def read_discord_multipart(request: web.Request, limit: int) -> dict[str, Any]:
    """The JSON body and files of a Discord multipart request (`_uploads` holds the files);
    raises UploadError where Discord refuses it (past `limit` bytes of files in all: 413)."""
    reader = await request.multipart()
    body: dict[str, Any] = {}
    uploads: list[Upload] = []
    fields: dict[str, str] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise UploadError("_", "nested multipart is not accepted")
        name = part.name or ""
        data = bytes(await part.read())
        if name == "payload_json":
            body = json.loads(data or b"{}")
        elif FILE_PART.fullmatch(name):
            if not part.filename:
                raise UploadError(name, "a file part needs a Content-Disposition filename")
            if any(u.name == name for u in uploads):
                raise UploadError(name, "file part names must be unique")
            kind = part.headers.get("Content-Type", "application/octet-stream")
            uploads.append(Upload(name, part.filename, kind, data))
        else:
            fields[name] = data.decode()
    if sum(len(u.data) for u in uploads) > limit:
        raise UploadError("files", f"Request entity too large (over {limit} bytes)", 413)
    body = body or dict(fields)
    placeholders = {FILE_PART.fullmatch(u.name)[1] for u in uploads}  # type: ignore[index]
    for i, meta in enumerate(_described(body)):
        key = str(meta.get("id"))
        if key not in placeholders:
            raise UploadError(f"attachments.{i}.id", f"no files[{key}] part for this attachment")
        if len(meta.get("description") or "") > DESCRIPTION_LIMIT:
            raise UploadError(
                f"attachments.{i}.description", f"Must be {DESCRIPTION_LIMIT} or fewer in length."
            )
    body["_uploads"] = uploads
    body["_files"] = [u.name for u in uploads]
    return body


def attachment_objects(
    body: dict[str, Any], ids: Any, base_url: str, files: dict[str, bytes]
) -> list[dict[str, Any]]:
    """The message's `attachments` as Discord returns them: one per uploaded file, with the
    description the JSON gave it and, for an image, its width and height; the bytes go to
    `files` by attachment id."""
    described = {str(m.get("id")): m for m in _described(body)}
    out = []
    for upload in body.get("_uploads") or []:
        key = FILE_PART.fullmatch(upload.name)[1]
        meta = described.get(key, {})
        attachment_id = ids.next()
        filename = meta.get("filename") or upload.filename
        item: dict[str, Any] = {
            "id": attachment_id,
            "filename": filename,
            "size": len(upload.data),
            "url": f"{base_url}/attachments/{attachment_id}/{filename}",
            "proxy_url": f"{base_url}/attachments/{attachment_id}/{filename}",
            # Discord sniffs the type (discord.py sends application/octet-stream)
            "content_type": "image/png" if upload.png_size else upload.content_type,
        }
        if meta.get("description"):
            item["description"] = meta["description"]
        if (size := upload.png_size) is not None:
            item["width"], item["height"] = size
        files[attachment_id] = upload.data
        out.append(item)
    return out


def _described(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `attachments` a message JSON lists: at its top, or in an interaction callback's data."""
    return [*(body.get("attachments") or []), *((body.get("data") or {}).get("attachments") or [])]
