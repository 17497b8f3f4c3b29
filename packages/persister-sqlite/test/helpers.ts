/** The Python Burr 0.40.2 fixture kept in the testkit package (see its README). */
export const PYTHON_FIXTURE_DIR = new URL('../../testkit/fixtures/python-burr-0.40.2-sqlite/', import.meta.url);

/** A temporary folder for database files (`path(name)`, `url(name)`), removed by `remove()`. */
export { temporaryDirectory as tempDir } from '@burr/testkit';
