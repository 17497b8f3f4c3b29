/**
 * @packageDocumentation
 * MongoDB state persister for Burr, using the official `mongodb` driver.
 * Documents have the format Python Burr's `MongoDBBasePersister` writes, so
 * Python and TypeScript applications can share a collection.
 */
export { MongoDBPersister, type MongoDBPersisterOptions, type MongoDBPersisterValues } from './mongo-persister.js';
export {
  toDocument,
  fromDocument,
  documentBytes,
  MAX_DOCUMENT_BYTES,
  type BurrStateDocument,
} from './documents.js';
