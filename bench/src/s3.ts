/**
 * Ceph RGW used directly, as an S3 client would: PutObject, GetObject, HeadObject signed with AWS
 * Signature V4 (`aws4`, the same library the project's tests use). Requests are presigned (query
 * string authentication, `UNSIGNED-PAYLOAD`, as SDKs do for presigned URLs): RGW verifies the
 * signature and the user on every request as it does for header-signed ones, and curl and wrk can
 * send them without signing code of their own.
 */
import { writeFileSync } from 'node:fs';
import aws4 from 'aws4';
import type { S3Endpoint } from './services.js';

/** A presigned URL for `method` on `/bucket/key` (valid for a day). */
export function presign(s3: S3Endpoint, method: string, path: string): string {
  const url = new URL(s3.endpoint);
  const signed = aws4.sign(
    { host: url.host, path: `${path}${path.includes('?') ? '&' : '?'}X-Amz-Expires=86400`, method, service: 's3', region: s3.region, signQuery: true },
    { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  );
  return `${url.protocol}//${url.host}${signed.path ?? path}`;
}

/** Creates a bucket (PUT Bucket); an existing one of ours is fine. */
export async function createBucket(s3: S3Endpoint, bucket: string): Promise<void> {
  const res = await fetch(presign(s3, 'PUT', `/${bucket}`), { method: 'PUT' });
  const body = await res.text();
  if (res.status !== 200 && !body.includes('BucketAlreadyOwnedByYou')) throw new Error(`create bucket ${bucket}: ${res.status} ${body}`);
}

/** Puts a small object (for the metadata and download figures' fixtures). */
export async function putObject(s3: S3Endpoint, path: string, body: string): Promise<void> {
  const res = await fetch(presign(s3, 'PUT', path), { method: 'PUT', body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status} ${text}`);
}

export async function deleteObject(s3: S3Endpoint, path: string): Promise<void> {
  const res = await fetch(presign(s3, 'DELETE', path), { method: 'DELETE' });
  await res.arrayBuffer();
  if (res.status !== 204 && res.status !== 200) throw new Error(`DELETE ${path}: ${res.status}`);
}

/**
 * A wrk script that PUTs `sizeBytes` bytes to a new key on every request: `count` presigned paths
 * (made before the clock starts) are read from a file, one per request; the script stops reading
 * new ones when it runs out (wrk then reuses the last, an overwrite, which the caller sizes `count`
 * to avoid).
 */
export function putObjectsScript(s3: S3Endpoint, scriptPath: string, bucket: string, prefix: string, count: number, sizeBytes: number): void {
  const pathsFile = `${scriptPath}.paths`;
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = new URL(presign(s3, 'PUT', `/${bucket}/${prefix}${i}`));
    paths.push(`${url.pathname}${url.search}`);
  }
  writeFileSync(pathsFile, `${paths.join('\n')}\n`);
  const content = 'x'.repeat(sizeBytes - 1) + '\n';
  writeFileSync(
    scriptPath,
    `local paths = {}
for line in io.lines(${JSON.stringify(pathsFile)}) do paths[#paths + 1] = line end
local i = 0
local body = ${JSON.stringify(content)}
request = function()
  if i < #paths then i = i + 1 end
  return wrk.format("PUT", paths[i], { ["Content-Type"] = "text/plain" }, body)
end
`,
  );
}
