/**
 * Verifies an AWS Signature Version 4 request (Authorization header form) the way AWS does:
 * the canonical request is rebuilt from what actually arrived — method, raw path, query, exactly
 * the headers named in SignedHeaders, and the SHA-256 of the bytes received — and the signature
 * is recomputed with `aws4`, an implementation independent of the `@smithy/signature-v4` signer
 * the Bedrock SDK uses, so a signing bug cannot verify itself.
 */
import aws4 from 'aws4';

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface SigV4Key {
  secretAccessKey: string;
  /** Required as `x-amz-security-token` when set (temporary credentials). */
  sessionToken?: string;
}

export interface SigV4Input {
  method: string;
  /** The request target as received, still percent-encoded. */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  /** Hex SHA-256 of the bytes received. */
  bodySha256: string;
  lookupKey: (accessKeyId: string) => SigV4Key | undefined;
  service: string;
  region: string;
  /** Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (S3 does; Bedrock is not documented to). */
  allowUnsignedPayload?: boolean;
  maxSkewMs?: number;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; signedHeaders: string[]; payloadHash: string }
  | { ok: false; code: string; message: string; canonicalRequest?: string };

/** aws4's signer, with the members this verifier sets that its type declarations leave out. */
type Signer = aws4.RequestSigner & { filteredHeaders?: Array<[string, string]> };

export function verifySigV4(input: SigV4Input): SigV4Result {
  const auth = header(input.headers, 'authorization');
  if (!auth) return fail('MissingAuthenticationToken', 'no Authorization header');
  const m = AUTHORIZATION.exec(auth);
  if (!m) return fail('IncompleteSignature', `malformed Authorization: ${auth}`);
  const [, accessKeyId = '', date = '', region, service, signedList = '', signature] = m;
  const key = input.lookupKey(accessKeyId);
  if (!key) return fail('UnrecognizedClientException', `unknown access key ${accessKeyId}`);
  if (region !== input.region) return fail('InvalidSignatureException', `region ${region} != ${input.region}`);
  if (service !== input.service) return fail('InvalidSignatureException', `service ${service} != ${input.service}`);

  const amzDate = header(input.headers, 'x-amz-date');
  if (!amzDate?.startsWith(date)) return fail('IncompleteSignature', 'x-amz-date missing or not matching the credential scope');
  const signedNames = signedList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-date')) return fail('IncompleteSignature', 'host and x-amz-date must be signed');
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!(Math.abs(Date.now() - signedAt) <= (input.maxSkewMs ?? 5 * 60_000))) return fail('InvalidSignatureException', 'Signature expired');
  if (key.sessionToken !== undefined && header(input.headers, 'x-amz-security-token') !== key.sessionToken) {
    return fail('UnrecognizedClientException', 'security token missing or invalid');
  }

  // AWS hashes what it received: a declared payload hash must match it (S3's XAmzContentSHA256Mismatch).
  const claimed = header(input.headers, 'x-amz-content-sha256');
  let payloadHash = input.bodySha256;
  if (claimed === 'UNSIGNED-PAYLOAD') {
    if (!input.allowUnsignedPayload) return fail('InvalidSignatureException', 'UNSIGNED-PAYLOAD is not accepted here');
    payloadHash = 'UNSIGNED-PAYLOAD';
  } else if (claimed !== undefined && claimed !== input.bodySha256) {
    return fail('XAmzContentSHA256Mismatch', `x-amz-content-sha256 ${claimed} != sha256(body) ${input.bodySha256}`);
  }

  const values: Record<string, string> = {};
  for (const name of signedNames) {
    const v = header(input.headers, name);
    if (v === undefined) return fail('InvalidSignatureException', `signed header ${name} was not received`);
    values[name] = v;
  }
  const signer = new aws4.RequestSigner(
    {
      method: input.method,
      host: values['host'] ?? '',
      path: input.rawUrl,
      service: input.service,
      region: input.region,
      // aws4 takes the payload hash from this header when present.
      headers: { ...values, 'x-amz-content-sha256': payloadHash },
      doNotModifyHeaders: true,
    },
    { accessKeyId, secretAccessKey: key.secretAccessKey },
  ) as Signer;
  signer.datetime = amzDate;
  // The canonical headers are exactly those the client listed (aws4 would pick its own set).
  signer.filteredHeaders = signedNames.map((n) => [n, values[n] ?? '']);
  if (signer.signature() !== signature) {
    return fail('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.', signer.canonicalString());
  }
  return { ok: true, accessKeyId, signedHeaders: signedNames, payloadHash };
}

function header(headers: SigV4Input['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function fail(code: string, message: string, canonicalRequest?: string): SigV4Result {
  return { ok: false, code, message, ...(canonicalRequest === undefined ? {} : { canonicalRequest }) };
}
