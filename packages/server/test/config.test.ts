/** Configuration from env and flags (config.ts), and its documentation. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bytes, ConfigError, loadConfig, OPTIONS } from '../src/config.js';

describe('configuration', () => {
  it('reads env and flags (flags win) and parses byte sizes', () => {
    const config = loadConfig({ CABINET_PORT: '9000', CABINET_MAX_FILE_BYTES: '1.5GiB', CABINET_API_KEYS: ' a, b ,,' }, ['--port', '9100', '--quota-bytes=2GB']);
    assert.equal(config.port, 9100);
    assert.equal(config.maxFileBytes, 1.5 * 1024 ** 3);
    assert.equal(config.quotaBytes, 2e9);
    assert.deepEqual(config.apiKeys, ['a', 'b']);
    assert.equal(bytes('500MB'), 500e6);
  });
  it('names the setting at fault', () => {
    assert.throws(() => loadConfig({ CABINET_PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /CABINET_PORT \(--port\)/.test(e.message));
    assert.throws(() => loadConfig({}, ['--nope', '1']), /unknown option --nope/);
    // Unknown whether or not a value follows (it used to say "needs a value").
    assert.throws(() => loadConfig({}, ['--nope']), (e: unknown) => e instanceof ConfigError && e.message === 'unknown option --nope; see --help');
    assert.throws(() => loadConfig({}, ['--nope=1']), /unknown option --nope/);
    assert.throws(() => loadConfig({}, ['--port']), /option --port needs a value/);
    assert.throws(() => loadConfig({ CABINET_STORE: 'mongo' }), /CABINET_STORE/);
  });
  it('takes a log format: auto (the default), json or pretty', () => {
    assert.equal(loadConfig({}).logFormat, 'auto');
    assert.equal(loadConfig({ CABINET_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.equal(loadConfig({}, ['--log-format', 'pretty']).logFormat, 'pretty');
    assert.throws(() => loadConfig({ CABINET_LOG_FORMAT: 'xml' }), /CABINET_LOG_FORMAT \(--log-format\)/);
  });
  it('refuses a download offload the blob store cannot serve (docs/front-proxy.md)', () => {
    assert.deepEqual([loadConfig({}).downloadOffload, loadConfig({}).xAccelPrefix, loadConfig({}).s3PresignExpirySeconds], ['off', '/_cabinet_blobs/', 60]);
    const xAccel = loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 'x-accel-redirect', CABINET_X_ACCEL_PREFIX: '/internal/blobs/' });
    assert.deepEqual([xAccel.downloadOffload, xAccel.xAccelPrefix], ['x-accel-redirect', '/internal/blobs/']);
    assert.throws(() => loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 'x-accel-redirect', CABINET_S3_BUCKET: 'b' }), /x-accel-redirect has nginx read blobs from the local disk; with CABINET_S3_BUCKET .* use s3-presigned/);
    assert.throws(() => loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 'x-accel-redirect', CABINET_STORE: 'memory' }), /CABINET_STORE=memory there are none on disk/);
    assert.throws(() => loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 's3-presigned' }), /s3-presigned redirects downloads to S3; it needs CABINET_S3_BUCKET/);
    assert.equal(loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 's3-presigned', CABINET_S3_BUCKET: 'b', CABINET_S3_PRESIGN_EXPIRY_SECONDS: '30' }).s3PresignExpirySeconds, 30);
    assert.throws(() => loadConfig({ CABINET_DOWNLOAD_OFFLOAD: 'sendfile' }), /CABINET_DOWNLOAD_OFFLOAD \(--download-offload\): expected one of off, x-accel-redirect, s3-presigned/);
    for (const bad of ['_cabinet_blobs/', '/_cabinet_blobs', '/a b/', '/../']) {
      assert.throws(() => loadConfig({ CABINET_X_ACCEL_PREFIX: bad }), /CABINET_X_ACCEL_PREFIX/, bad);
    }
  });
  it('checks the gateway settings together, with the standard region variables as fallbacks', () => {
    assert.equal(loadConfig({}).upstream, '');
    assert.throws(() => loadConfig({ CABINET_UPSTREAM: 'openai' }), /CABINET_UPSTREAM \(--upstream\): expected one of anthropic, bedrock, vertex, mock/);
    assert.throws(() => loadConfig({ CABINET_UPSTREAM: 'anthropic' }), /needs CABINET_UPSTREAM_API_KEY/);
    assert.throws(() => loadConfig({ CABINET_UPSTREAM: 'mock', CABINET_UPSTREAM_FILES: 'mirror' }), /only CABINET_UPSTREAM=anthropic/);
    assert.throws(() => loadConfig({ CABINET_UPSTREAM: 'bedrock' }), /needs a region: set CABINET_UPSTREAM_REGION \(or AWS_REGION\)/);
    assert.equal(loadConfig({ CABINET_UPSTREAM: 'bedrock', AWS_REGION: 'eu-west-1' }).upstreamRegion, 'eu-west-1');
    assert.equal(loadConfig({ CABINET_UPSTREAM: 'bedrock', AWS_REGION: 'eu-west-1', CABINET_UPSTREAM_REGION: 'us-west-2' }).upstreamRegion, 'us-west-2');
    assert.throws(() => loadConfig({ CABINET_UPSTREAM: 'vertex', AWS_REGION: 'eu-west-1' }), /CLOUD_ML_REGION/);
    assert.equal(loadConfig({ CABINET_UPSTREAM: 'vertex', CLOUD_ML_REGION: 'us-east5' }).upstreamRegion, 'us-east5');
    const anthropic = loadConfig({ CABINET_UPSTREAM: 'anthropic', CABINET_UPSTREAM_API_KEY: 'k', CABINET_UPSTREAM_FILES: 'mirror' }, ['--upstream-max-request-bytes', '10MB']);
    assert.deepEqual([anthropic.upstreamFiles, anthropic.upstreamMaxRequestBytes, anthropic.upstreamTimeoutMs], ['mirror', 10_000_000, 600_000]);
    assert.equal(loadConfig({}).upstreamMaxRequestBytes, 32_000_000);
    assert.throws(() => loadConfig({ CABINET_UPSTREAM_URL: 'api.anthropic.com' }), /CABINET_UPSTREAM_URL .*http\(s\):\/\/ URL/);
  });

  it('is documented: every setting appears in the README configuration table', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    for (const o of OPTIONS) assert.match(readme, new RegExp(`\\| \`${o.env}\` \\|`), `${o.env} missing from README.md`);
  });
});
