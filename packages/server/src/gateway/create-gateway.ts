/**
 * Configuration → the Messages gateway. The only place that names an upstream adapter, and imports
 * it: each adapter (and its provider SDK, 20–40 MiB of RSS to import) is loaded only when
 * `CABINET_UPSTREAM` names it, so `import '@cabinet/server'` and a server without a gateway load
 * none of them (test/e2e/module-loading.test.ts).
 */
import { ConfigError } from '../config.js';
import type { Config } from '../config.js';
import type { FileService, Logger } from '../files/file-service.js';
import type { MirrorStore } from '../storage/mirror-store.js';
import { Gateway } from './gateway-service.js';
import { Mirror } from './mirror.js';
import type { Upstream } from './upstream.js';
import type { AwsCredentialProvider } from './adapters/bedrock.js';
import type { AuthClient } from 'google-auth-library';

export type GatewayConfig = Pick<
  Config,
  | 'upstream'
  | 'upstreamUrl'
  | 'upstreamApiKey'
  | 'upstreamRegion'
  | 'upstreamProject'
  | 'upstreamFiles'
  | 'upstreamMaxRequestBytes'
  | 'upstreamTimeoutMs'
>;

export interface GatewayDependencies {
  files: FileService;
  mirrors: MirrorStore;
  logger?: Logger;
  clock?: () => number;
  /** Tests: AWS credentials instead of the standard chain. */
  awsCredentials?: AwsCredentialProvider;
  /** Tests: a Google auth client instead of application-default credentials. */
  googleAuthClient?: AuthClient;
  /** Told about every upstream call (the metrics, `GatewayOptions.onUpstreamCall`). */
  onUpstreamCall?: ((upstream: string, status: number, seconds: number) => void) | undefined;
}

/** The gateway the configuration names, or `undefined` when `CABINET_UPSTREAM` is unset. */
export async function createGateway(config: GatewayConfig, deps: GatewayDependencies): Promise<Gateway | undefined> {
  if (config.upstream === '') return undefined;
  const upstream = await createUpstream(config, deps);
  let mirror: Mirror | undefined;
  if (config.upstreamFiles === 'mirror') {
    if (!upstream.files) throw new ConfigError(`CABINET_UPSTREAM_FILES=mirror needs an upstream with a Files API; the ${upstream.name} upstream has none`);
    mirror = new Mirror({ upstream: upstream.files, store: deps.mirrors, files: deps.files, ...optional(deps) });
  }
  return new Gateway({
    upstream,
    files: deps.files,
    mirror,
    maxRequestBytes: config.upstreamMaxRequestBytes,
    timeoutMs: config.upstreamTimeoutMs,
    ...(deps.logger ? { logger: deps.logger } : {}),
    onUpstreamCall: deps.onUpstreamCall,
  });
}

async function createUpstream(config: GatewayConfig, deps: GatewayDependencies): Promise<Upstream> {
  const baseUrl = config.upstreamUrl === '' ? undefined : config.upstreamUrl;
  switch (config.upstream) {
    case 'mock': {
      const { MockUpstream } = await import('./adapters/mock.js');
      return new MockUpstream();
    }
    case 'anthropic': {
      const { AnthropicUpstream } = await import('./adapters/anthropic.js');
      return new AnthropicUpstream({ baseUrl: baseUrl ?? 'https://api.anthropic.com', apiKey: config.upstreamApiKey });
    }
    case 'bedrock': {
      const { BedrockUpstream } = await import('./adapters/bedrock.js');
      return new BedrockUpstream({ region: config.upstreamRegion, baseUrl, credentials: deps.awsCredentials });
    }
    case 'vertex': {
      const { VertexUpstream } = await import('./adapters/vertex.js');
      const google = deps.googleAuthClient
        ? { authClient: deps.googleAuthClient, projectId: config.upstreamProject }
        : await applicationDefaultCredentials(config.upstreamProject);
      return new VertexUpstream({ region: config.upstreamRegion, projectId: google.projectId, authClient: google.authClient, baseUrl });
    }
  }
  throw new ConfigError(`unknown upstream ${JSON.stringify(config.upstream)}`);
}

/**
 * Google application-default credentials, resolved now so that a missing or broken credentials
 * file stops the start with a clear message (the Vertex SDK would resolve them in its constructor,
 * and a failure there is an unhandled rejection that ends the process later).
 */
async function applicationDefaultCredentials(project: string): Promise<{ authClient: AuthClient; projectId: string }> {
  const { GoogleAuth } = await import('google-auth-library');
  const auth = new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform', ...(project ? { projectId: project } : {}) });
  try {
    const authClient = await auth.getClient();
    return { authClient, projectId: project || (await auth.getProjectId()) };
  } catch (err) {
    throw new ConfigError(
      `CABINET_UPSTREAM=vertex: could not load Google application-default credentials or the project (${err instanceof Error ? err.message : String(err)}); ` +
        'see docs/gateway.md, "Vertex", and set CABINET_UPSTREAM_PROJECT if the project is not found',
    );
  }
}

function optional(deps: GatewayDependencies): { clock?: () => number; logger?: Logger } {
  return { ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.logger ? { logger: deps.logger } : {}) };
}
