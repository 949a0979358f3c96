/**
 * The fakes the gateway's tests rely on must be right about what they check: the Bedrock fake's
 * SigV4 verification accepts what real signers produce (aws4, and the AWS SDK's own
 * BedrockRuntimeClient) and refuses every kind of tampering. Otherwise a green gateway test would
 * prove nothing about real Bedrock.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import aws4 from 'aws4';
import { startFakeBedrock, verifySigV4 } from '@cabinet/test-support';
import type { SigV4Input } from '@cabinet/test-support';

const creds = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const body = '{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[]}';
const rawUrl = '/model/anthropic.claude-x-v1%3A0/invoke';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function signed(extra: Record<string, string> = {}, date?: Date): Record<string, string> {
  const opts: aws4.Request = { host: '127.0.0.1:9', path: rawUrl, method: 'POST', service: 'bedrock', region: 'us-east-1', body, headers: { 'content-type': 'application/json', ...extra } };
  if (date) opts.headers = { ...opts.headers, 'X-Amz-Date': date.toISOString().replace(/[:-]|\.\d{3}/g, '') };
  const out = aws4.sign(opts, creds);
  return Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

const check = (headers: Record<string, string>, over: Partial<SigV4Input> = {}) =>
  verifySigV4({
    method: 'POST',
    rawUrl,
    headers,
    bodySha256: sha(body),
    lookupKey: (id) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey } : undefined),
    service: 'bedrock',
    region: 'us-east-1',
    ...over,
  });

describe('the Bedrock fake verifies SigV4 like AWS', () => {
  it('accepts a correctly signed request, with or without a declared payload hash', () => {
    assert.equal(pick(check(signed())), 'ok');
    assert.equal(pick(check(signed({ 'x-amz-content-sha256': sha(body) }))), 'ok');
  });

  it('refuses a tampered body, header, path, region or key, a stale date, and an unsigned payload', () => {
    const h = signed({ 'x-amz-content-sha256': sha(body) });
    assert.equal(pick(check(h, { bodySha256: sha(`${body} `) })), 'XAmzContentSHA256Mismatch');
    assert.equal(pick(check(signed(), { bodySha256: sha(`${body} `) })), 'InvalidSignatureException');
    assert.equal(pick(check({ ...h, 'content-type': 'text/plain' })), 'InvalidSignatureException');
    assert.equal(pick(check(h, { rawUrl: '/model/other/invoke' })), 'InvalidSignatureException');
    assert.equal(pick(check(h, { region: 'us-west-2' })), 'InvalidSignatureException');
    assert.equal(pick(check(h, { lookupKey: () => ({ secretAccessKey: 'wrong' }) })), 'InvalidSignatureException');
    assert.equal(pick(check(h, { lookupKey: () => undefined })), 'UnrecognizedClientException');
    assert.equal(pick(check(signed({}, new Date(Date.now() - 3600_000)))), 'InvalidSignatureException');
    assert.equal(pick(check(signed({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }))), 'InvalidSignatureException');
    assert.equal(check(signed({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), { allowUnsignedPayload: true }).ok, true);
  });

  it("accepts the AWS SDK's own BedrockRuntimeClient", async () => {
    const fake = await startFakeBedrock({ keys: { [creds.accessKeyId]: { secretAccessKey: creds.secretAccessKey } } });
    // Bedrock Runtime's client defaults to HTTP/2; the fake speaks HTTP/1.1.
    const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: fake.url, credentials: creds, requestHandler: new NodeHttpHandler() });
    try {
      await client.send(new InvokeModelCommand({ modelId: 'anthropic.claude-x-v1:0', contentType: 'application/json', body: Buffer.from(body) }));
      assert.equal(fake.requests.at(-1)?.auth?.ok, true, JSON.stringify(fake.requests.at(-1)?.auth));
      assert.equal(fake.requests.at(-1)?.url, rawUrl);
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});

function pick(result: ReturnType<typeof verifySigV4>): string {
  return result.ok ? 'ok' : result.code;
}
