// The web app keeps its own copy of the role table (it cannot import server code): this keeps the two in step.
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, ROLE_LABELS } from '../../src/modules/auth/index.js';
import * as web from '../../web/src/permissions.js';

describe('web/src/permissions.ts', () => {
  it('matches the server role table in src/modules/auth/auth.rules.ts', () => {
    expect(web.ROLES).toEqual(ROLES);
    expect(web.ROLE_LABELS).toEqual(ROLE_LABELS);
    expect(web.PERMISSIONS).toEqual(PERMISSIONS);
  });
});
