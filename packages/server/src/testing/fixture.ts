/** How a conformance suite gets the store it tests, and gives it back. */
import { after, before } from 'node:test';
import type { MetadataBackend } from '../storage/metadata-backend.js';

export interface StoreFixture<T> {
  store: T;
  close(): Promise<void>;
}

/** Opens a fresh, ready store (a new database, schema or directory) for one suite. */
export type OpenFixture<T> = () => Promise<StoreFixture<T>>;

/** Opens a metadata backend and hands one of its stores to a suite; closing closes the backend. */
export function fromBackend<T>(create: () => MetadataBackend | Promise<MetadataBackend>, pick: (backend: MetadataBackend) => T): OpenFixture<T> {
  return async () => {
    const backend = await create();
    await backend.init();
    return { store: pick(backend), close: () => backend.close() };
  };
}

/**
 * Opens the fixture before the tests of the enclosing `describe` and closes it after them; returns
 * a getter for the store, for the suite's tests to call.
 */
export function withFixture<T>(open: OpenFixture<T>): () => T {
  let fixture: StoreFixture<T> | undefined;
  before(async () => {
    fixture = await open();
  });
  after(async () => {
    await fixture?.close();
  });
  return () => {
    if (!fixture) throw new Error('store not opened');
    return fixture.store;
  };
}
