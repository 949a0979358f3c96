"""
Black-box test of Cabinet with the current official Python SDK (`anthropic` 1.x), run by
test/e2e/python-sdk.test.ts against a started server. It follows the Files API document's Python examples with
only the edits the SDK itself forces: `purpose=` goes in `extra_body`, `retrieve` is
`retrieve_metadata`, `download(...)` returns a response (`.read()`), list cursors go in
`extra_query`. Everything else (`.size`, `.purpose`, `.deleted`, the pagination example) must work
as the document wrote it.

Environment: CABINET_BASE_URL, CABINET_API_KEY (workspace `default`), CABINET_OTHER_KEY (workspace
`other`), CABINET_MAX_FILE_BYTES and CABINET_QUOTA_BYTES (the server's limits). Exits non-zero with
the failing check on the first failure; prints one line per check.
"""

import asyncio
import hashlib
import json
import os
import sys
import tempfile

import anthropic
from anthropic import (
    Anthropic,
    APIError,
    AsyncAnthropic,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from anthropic._utils import file_from_path

BASE_URL = os.environ["CABINET_BASE_URL"]
API_KEY = os.environ["CABINET_API_KEY"]
OTHER_KEY = os.environ["CABINET_OTHER_KEY"]
MAX_FILE_BYTES = int(os.environ["CABINET_MAX_FILE_BYTES"])
QUOTA_BYTES = int(os.environ["CABINET_QUOTA_BYTES"])

client = Anthropic(api_key=API_KEY, base_url=BASE_URL, max_retries=0)
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"FAILED: {what}", flush=True)
        sys.exit(1)
    checks += 1


def sha(data):
    return hashlib.sha256(data).hexdigest()


def upload_bytes(name, data, purpose="user_data", files=None):
    files = files or client.beta.files
    return files.upload(file=(name, data), extra_body={"purpose": purpose})


def step(title):
    print(f"- {title}", flush=True)


step(f"anthropic {anthropic.__version__}")
check(anthropic.__version__.startswith("1."), "the current 1.x SDK is installed")

workdir = tempfile.mkdtemp(prefix="cabinet-py-")

# --- Upload File from Path (the document's example) -----------------------------------------------
step("upload from path: the document's attributes, .size included")
doc_path = os.path.join(workdir, "document.pdf")
pdf = b"%PDF-1.4\n" + os.urandom(5000) + b"\n%%EOF\n"
with open(doc_path, "wb") as f:
    f.write(pdf)
uploaded = client.beta.files.upload(file=file_from_path(doc_path), extra_body={"purpose": "user_data"})
check(uploaded.id.startswith("file_"), "uploaded.id")
check(uploaded.filename == "document.pdf", f"uploaded.filename {uploaded.filename}")
check(uploaded.size == len(pdf), f"uploaded.size {getattr(uploaded, 'size', None)}")
check(uploaded.size_bytes == len(pdf), "uploaded.size_bytes")
check(uploaded.mime_type == "application/pdf", f"mime_type {uploaded.mime_type}")
check(uploaded.created_at is not None, "uploaded.created_at")
check(uploaded.purpose == "user_data", "uploaded.purpose")
print(f"Uploaded: {uploaded.id}\nFilename: {uploaded.filename}\nSize: {uploaded.size} bytes\nCreated: {uploaded.created_at}")

# --- Upload File from Bytes, both dialects ----------------------------------------------------
step("upload from bytes with client.beta.files and client.files (GA)")
from_bytes = upload_bytes("document.txt", b"Sample document content...")
check(from_bytes.size == 26 and from_bytes.filename == "document.txt", "bytes upload")
ga = client.files.upload(file=("ga.txt", b"general availability"))
check(ga.size == 20 and ga.purpose == "user_data", "GA upload without purpose defaults to user_data")
check(ga.expires_at is None, "GA expires_at")

# --- Upload for Batch Processing (the document's example) -----------------------------------------
step("upload for batch processing, and a bad batch file")
batch_requests = [
    {
        "custom_id": "request-1",
        "params": {
            "model": "claude-sonnet-4-5-20250929",
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Hello"}],
        },
    }
]
jsonl_content = "\n".join(json.dumps(req) for req in batch_requests)
batch_file = client.beta.files.upload(file=("batch_requests.jsonl", jsonl_content.encode()), extra_body={"purpose": "batch"})
check(batch_file.purpose == "batch", "batch_file.purpose")
try:
    upload_bytes("bad.jsonl", b'{"custom_id": "x"}\nnot json\n', purpose="batch")
    check(False, "a bad batch file is refused")
except BadRequestError as e:
    check(e.status_code == 400 and "line 1" in e.message, f"bad batch file message: {e.message}")

# --- Retrieve File Metadata (the document's example) ----------------------------------------------
step("retrieve_metadata: .size and .purpose")
file_metadata = client.beta.files.retrieve_metadata(uploaded.id)
check(file_metadata.id == uploaded.id and file_metadata.size == len(pdf), "metadata.size")
check(file_metadata.purpose == "user_data", "metadata.purpose")
check(client.files.retrieve_metadata(batch_file.id).purpose == "batch", "GA retrieve_metadata")

# --- Manage Multiple Files (the document's example) -----------------------------------------------
step("manage multiple files")
paths = []
for name in ["document1.pdf", "document2.pdf", "data.csv"]:
    path = os.path.join(workdir, name)
    with open(path, "wb") as f:
        f.write(b"col1,col2\n1,2\n" if name.endswith(".csv") else pdf)
    paths.append(path)
uploaded_files = [client.beta.files.upload(file=file_from_path(p), extra_body={"purpose": "user_data"}) for p in paths]
file_ids = [f.id for f in uploaded_files]
check([f.filename for f in uploaded_files] == ["document1.pdf", "document2.pdf", "data.csv"], "multiple uploads")

# Enough files for several pages.
extra = [upload_bytes(f"page-{i}.txt", f"page file {i}".encode()).id for i in range(20)]
all_ids = {uploaded.id, from_bytes.id, ga.id, batch_file.id, *file_ids, *extra}

# --- List All Files (the document's example): auto-pagination, both dialects ----------------------
step("list all files: auto-pagination in both dialects, .size on list items")
listed = [f for f in client.beta.files.list()]
check({f.id for f in listed} == all_ids and len(listed) == len(all_ids), f"beta list() walks every file once ({len(listed)})")
check(all(f.size == f.size_bytes for f in listed), "list items carry .size")
small_pages = [f.id for f in client.files.list(limit=3)]
check(set(small_pages) == all_ids and len(small_pages) == len(all_ids), "GA list(limit=3) auto-pages every file once")
ids_page = client.files.list(ids=[uploaded.id, ga.id, "file_01ZZZZZZZZZZZZZZZZZZZZZZZZ"])
check({f.id for f in ids_page.data} == {uploaded.id, ga.id} and ids_page.next_page is None, "GA ids[]")

# --- List Files with Pagination (the document's example), cursors in extra_query ------------------
step("the document's pagination example: after_id and before_id, then iterating the page")
page1 = client.beta.files.list(limit=10)
for file in page1.data:  # the document iterates the page itself, which in 1.x walks every page
    print(f"File: {file.filename}")
page_one_ids = [f.id for f in page1.data]
check(len(page1.data) == 10 and page1.has_next_page(), "page1")
page2 = client.beta.files.list(limit=10, extra_query={"after_id": page1.data[-1].id})
# Iterating page2 auto-paginates: the SDK sends page=<next_page> together with the original after_id.
rest = [f.id for f in page2]
check(len(rest) == len(all_ids) - 10 and not set(rest) & set(page_one_ids), f"after_id walk ({len(rest)})")
recent_files = client.beta.files.list(limit=5)
older_files = client.beta.files.list(limit=5, extra_query={"before_id": recent_files.data[0].id})
check(len(older_files.data) == 0, "nothing is newer than the newest file")
newer = client.beta.files.list(limit=5, extra_query={"before_id": recent_files.data[-1].id})
check([f.id for f in newer.data] == [f.id for f in recent_files.data[:-1]], "before_id: the newer files, newest first")
window = [f.id for f in client.beta.files.list(limit=2, extra_query={"after_id": page_one_ids[0], "before_id": page_one_ids[6]})]
# Paged from before_id towards after_id, each page newest first: the same files, once each.
check(sorted(window) == sorted(page_one_ids[1:6]) and len(window) == 5, f"after_id with before_id: the window between them ({len(window)})")


# --- Pagination for Large Lists (the document's example), cursors in extra_query ------------------
def list_all_files(client):
    all_files = []
    after_id = None
    while True:
        query = {"after_id": after_id} if after_id else {}
        page = client.beta.files.list(limit=4, extra_query=query)
        all_files.extend(page.data)
        if not page.has_next_page():
            break
        after_id = page.data[-1].id
    return all_files


step("the document's cursor walk")
walked = list_all_files(client)
check([f.id for f in walked] == [f.id for f in listed], "cursor walk sees every file once, newest first")

# --- Download File (the document's example) -------------------------------------------------------
step("download: .read() and write_to_file, byte-exact")
content = client.beta.files.download(uploaded.id).read()
check(sha(content) == sha(pdf), "download bytes")
out = os.path.join(workdir, "downloaded_file.pdf")
client.files.download(uploaded.id).write_to_file(out)
with open(out, "rb") as f:
    check(sha(f.read()) == sha(pdf), "write_to_file bytes")
print(f"Downloaded {len(content)} bytes")

# --- Check File Before Use (the document's example) -----------------------------------------------
step("check file before use")


def safe_file_operation(file_id):
    try:
        metadata = client.beta.files.retrieve_metadata(file_id)
        if metadata.purpose != "user_data":
            print(f"Warning: File has purpose '{metadata.purpose}'")
        return client.beta.files.download(file_id).read()
    except NotFoundError:
        return None


check(safe_file_operation(batch_file.id) == jsonl_content.encode(), "batch file content")
check(safe_file_operation("file_abc123") is None, "unknown id is NotFoundError")

# --- Delete File (the document's example) ---------------------------------------------------------
step("delete: .deleted, then NotFoundError everywhere")
deleted = client.beta.files.delete(from_bytes.id)
check(deleted.id == from_bytes.id and deleted.deleted is True and deleted.type == "file_deleted", "deleted object")
for call in (
    lambda: client.beta.files.retrieve_metadata(from_bytes.id),
    lambda: client.beta.files.download(from_bytes.id).read(),
    lambda: client.files.delete(from_bytes.id),
):
    try:
        call()
        check(False, "a deleted file is gone")
    except NotFoundError as e:
        check(e.status_code == 404, "404 NotFoundError")
for file_id in file_ids:
    client.beta.files.delete(file_id)


# --- File Lifecycle Management (the document's example) -------------------------------------------
class FileManager:
    def __init__(self, client):
        self.client = client
        self.uploaded_files = []

    def upload(self, filepath, purpose="user_data"):
        uploaded = self.client.beta.files.upload(file=file_from_path(filepath), extra_body={"purpose": purpose})
        self.uploaded_files.append(uploaded.id)
        return uploaded

    def cleanup(self):
        for file_id in self.uploaded_files:
            try:
                self.client.beta.files.delete(file_id)
            except APIError as e:
                print(f"Failed to delete {file_id}: {e.message}")
        self.uploaded_files.clear()


step("file lifecycle management")
manager = FileManager(client)
try:
    file1 = manager.upload(paths[0])
    file2 = manager.upload(paths[1])
    managed = [file1.id, file2.id]
finally:
    manager.cleanup()
remaining = {f.id for f in client.beta.files.list()}
check(not remaining & set(managed), "the manager removed its files")

# --- Errors (the document's error handling) -----------------------------------------------------------
step("errors: too large, unknown ids, permission")
big_path = os.path.join(workdir, "large_document.pdf")
with open(big_path, "wb") as f:
    f.write(b"%PDF-1.4\n" + b"x" * MAX_FILE_BYTES)
try:
    client.beta.files.upload(file=file_from_path(big_path), extra_body={"purpose": "user_data"})
    check(False, "an oversized upload is refused")
except APIError as e:
    check(getattr(e, "status_code", None) == 413, f"too large is 413 ({type(e).__name__})")
    check(isinstance(e, anthropic.RequestTooLargeError), "RequestTooLargeError")
    check("size" in str(e).lower(), "the message speaks of the size")
try:
    client.beta.files.download("file_abc123").read()
    check(False, "unknown download")
except NotFoundError:
    pass

# --- workspace_id (anthropic-workspace-id) ----------------------------------------------------
step("workspace_id: the key's own workspace works, another is refused, never leaks")
check({f.id for f in client.files.list(workspace_id="default", limit=100)} == remaining, "own workspace via workspace_id")
check(client.beta.files.retrieve_metadata(uploaded.id, workspace_id="default").id == uploaded.id, "retrieve with workspace_id")
for call in (
    lambda: client.files.list(workspace_id="other"),
    lambda: client.files.retrieve_metadata(uploaded.id, workspace_id="other"),
    lambda: client.files.upload(file=("x.txt", b"x"), workspace_id="other"),
    lambda: client.files.delete(uploaded.id, workspace_id="other"),
):
    try:
        call()
        check(False, "another workspace is refused")
    except PermissionDeniedError as e:
        check(e.status_code == 403 and "anthropic-workspace-id" in e.message, f"403 permission_error: {e.message}")
other = Anthropic(api_key=OTHER_KEY, base_url=BASE_URL, max_retries=0)
mine = other.files.upload(file=("other.txt", b"other workspace"), workspace_id="other")
check([f.id for f in other.files.list(workspace_id="other")] == [mine.id], "the other key sees only its own file")
try:
    other.files.retrieve_metadata(uploaded.id, workspace_id="other")
    check(False, "no cross-workspace read")
except NotFoundError:
    pass


# --- Async File Operations (the document's example) -----------------------------------------------
async def async_flow():
    aclient = AsyncAnthropic(api_key=API_KEY, base_url=BASE_URL, max_retries=0)
    path = os.path.join(workdir, "async.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    up = await aclient.beta.files.upload(file=file_from_path(path), extra_body={"purpose": "user_data"})
    names = [f.filename async for f in await aclient.beta.files.list(limit=10)]
    check("async.pdf" in names, "async list")
    data = await (await aclient.beta.files.download(up.id)).read()
    check(sha(data) == sha(pdf), "async download")
    gone = await aclient.beta.files.delete(up.id)
    check(gone.id == up.id, "async delete")
    await aclient.close()


step("async file operations")
asyncio.run(async_flow())

# --- Quota (last: it fills the workspace) -----------------------------------------------------
step("storage quota: a 400 with storage_quota_exceeded once the workspace is full")
chunk = b"q" * (MAX_FILE_BYTES // 2)
try:
    for i in range(QUOTA_BYTES // len(chunk) + 2):
        upload_bytes(f"fill-{i}.bin", chunk)
    check(False, "the quota is enforced")
except BadRequestError as e:
    body = e.body if isinstance(e.body, dict) else {}
    code = body.get("error", {}).get("details", {}).get("error_code") if isinstance(body.get("error"), dict) else None
    check(code == "storage_quota_exceeded", f"error_code {code}")

print(f"OK {checks} checks", flush=True)
