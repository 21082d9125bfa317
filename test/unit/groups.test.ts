import { describe, expect, it } from 'vitest';
import { signerGroups } from '../../src/rules/groups.js';

describe('signerGroups', () => {
  it('groups equal orders together, ascending, keeping the given order inside a group', () => {
    const signers = [
      { id: 'c', order: 2 },
      { id: 'a', order: 0 },
      { id: 'd', order: 2 },
      { id: 'b', order: 0 },
      { id: 'e', order: 1 },
    ];
    expect(signerGroups(signers)).toEqual([
      { order: 0, signers: [signers[1], signers[3]] },
      { order: 1, signers: [signers[4]] },
      { order: 2, signers: [signers[0], signers[2]] },
    ]);
  });

  it('treats gaps in the order values as consecutive groups', () => {
    const groups = signerGroups([
      { id: 'x', order: 9 },
      { id: 'y', order: 3 },
    ]);
    expect(groups.map((g) => [g.order, g.signers.map((s) => s.id)])).toEqual([
      [3, ['y']],
      [9, ['x']],
    ]);
  });

  it('gives one group when everyone has the same order, and none for no signers', () => {
    expect(
      signerGroups([
        { id: 'a', order: 0 },
        { id: 'b', order: 0 },
      ]),
    ).toHaveLength(1);
    expect(signerGroups([])).toEqual([]);
  });

  it('keeps extra signer fields', () => {
    const [group] = signerGroups([{ id: 'a', order: 0, signatureType: 'ADVANCED_SIGNATURE' }]);
    expect(group?.signers[0]?.signatureType).toBe('ADVANCED_SIGNATURE');
  });
});
