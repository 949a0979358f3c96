/** OpenAPI description of the web console's routes (docs/console.md): the page, its files, and `/`. */
import type { ApiDocGroup } from './types.js';
import { json } from './types.js';

const location = { location: { description: 'Relative to the request (`console/`), so a path prefix added by a proxy is kept.', schema: { type: 'string' } } };

export const CONSOLE_DOCS: ApiDocGroup = {
  tags: [{ name: 'Console', description: 'The web console: a browser UI over this API. No key is needed to load it; it asks for one.' }],
  schemas: {},
  operations: {
    'console.root': {
      summary: 'Redirect to the web console',
      tags: ['Console'],
      responses: { '302': { description: 'To `/console/`.', headers: location } },
    },
    'console.page': {
      summary: 'The web console',
      description: 'An HTML page that runs no inline script, served with a strict Content-Security-Policy (this origin only, Trusted Types). `/console` (no trailing slash) redirects to `/console/`.',
      tags: ['Console'],
      responses: {
        '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
        '301': { description: 'From `/console` to `/console/`.', headers: location },
        '404': json('The console was not built (`npm run build` builds it).', 'Error'),
      },
    },
    'console.asset': {
      summary: 'A file of the web console',
      tags: ['Console'],
      pathParameters: { asset: { description: 'The script, stylesheet, a source map, or the icon.', schema: { enum: ['console.js', 'console.css', 'console.js.map', 'console.css.map', 'favicon.svg'] } } },
      responses: {
        '200': {
          description: 'The file.',
          content: {
            'text/javascript': { schema: { type: 'string' } },
            'text/css': { schema: { type: 'string' } },
            'application/json': { schema: { type: 'object' } },
            'image/svg+xml': { schema: { type: 'string' } },
          },
        },
        '304': { description: 'Not modified (If-None-Match).' },
        '404': json('No such file.', 'Error'),
      },
    },
  },
};
