/** ObjectRequests pointed at a local server that plays S3 (tests of object-requests.ts and object-reader.ts). */
import { ObjectRequests, type ObjectRequestsOptions } from '../../src/storage/s3/object-requests.js';

export function localObjectRequests(port: number, options: Partial<ObjectRequestsOptions> & { protocol?: 'http:' | 'https:' } = {}): ObjectRequests {
  const { protocol = 'http:', ...rest } = options;
  return new ObjectRequests({
    endpoint: { protocol, hostname: '127.0.0.1', port, basePath: '/bucket/' },
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    maxAttempts: 3,
    ...rest,
  });
}
