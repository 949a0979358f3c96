/**
 * List pages: the Python SDK's `SyncPage`, in TypeScript. A page has `data`, `has_more`, `first_id`,
 * `last_id`, `hasNextPage()`, `getNextPage()` and `iterPages()`; iterating it with `for await`
 * walks every item from this page on. A walk that started with `before_id` keeps going backwards.
 */
import type { FileListPage } from './wire.js';

export interface ListParams {
  /** Items before this id (newer files): a backwards walk. */
  before_id?: string | undefined;
  /** Items after this id (older files): a forwards walk. */
  after_id?: string | undefined;
  /** 1–1000, default 20. */
  limit?: number | undefined;
}

export class Page<Item extends { id: string }> implements AsyncIterable<Item> {
  readonly data: Item[];
  readonly has_more: boolean;
  readonly first_id: string | null;
  readonly last_id: string | null;

  constructor(
    body: Omit<FileListPage, 'data'> & { data: Item[] },
    private readonly params: ListParams,
    private readonly fetchPage: (params: ListParams) => Promise<Page<Item>>,
  ) {
    this.data = body.data;
    this.has_more = body.has_more;
    this.first_id = body.first_id ?? body.data[0]?.id ?? null;
    this.last_id = body.last_id ?? body.data[body.data.length - 1]?.id ?? null;
  }

  /** More items exist in the direction of this walk. An empty page never has a next one. */
  hasNextPage(): boolean {
    return this.has_more && this.data.length > 0 && this.nextCursor() !== null;
  }

  /** The next page in the walk's direction. Throws when there is none. */
  async getNextPage(): Promise<Page<Item>> {
    const cursor = this.nextCursor();
    if (!this.hasNextPage() || cursor === null) throw new Error('No next page; check hasNextPage() first.');
    const { before_id: _b, after_id: _a, ...rest } = this.params;
    return this.fetchPage(this.backwards() ? { ...rest, before_id: cursor } : { ...rest, after_id: cursor });
  }

  /** This page, then every following one. */
  async *iterPages(): AsyncGenerator<Page<Item>> {
    let page: Page<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for await (const page of this.iterPages()) yield* page.data;
  }

  private backwards(): boolean {
    return this.params.before_id !== undefined;
  }

  private nextCursor(): string | null {
    return this.backwards() ? this.first_id : this.last_id;
  }
}

/**
 * What `list()` returns: await it for the first page, or `for await` it for every item of every
 * page (like the official SDK's PagePromise).
 */
export class PagePromise<Item extends { id: string }> implements Promise<Page<Item>>, AsyncIterable<Item> {
  readonly [Symbol.toStringTag] = 'PagePromise';
  private readonly promise: Promise<Page<Item>>;

  constructor(promise: Promise<Page<Item>>) {
    this.promise = promise;
    // The caller may only iterate; an unobserved rejection is still reported through iteration.
    promise.catch(() => undefined);
  }

  then<R1 = Page<Item>, R2 = never>(
    onfulfilled?: ((value: Page<Item>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<Item> | R> {
    return this.promise.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<Item>> {
    return this.promise.finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    const first = await this.promise;
    yield* first;
  }
}
