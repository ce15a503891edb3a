// Vitest setup shared by every frontend workspace: DOM matchers and a clean DOM and storage per test.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
// IndexedDB for jsdom (the patient app's check-in outbox); its tests empty the outbox before each.
import 'fake-indexeddb/auto';

// findBy/waitFor give up after this long; the default second is too short on a busy two-core CI machine.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  localStorage.clear();
});
