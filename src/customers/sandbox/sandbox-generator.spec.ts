import { CATEGORIES, generateSandboxBank } from './sandbox-generator';

describe('the sandbox bank generator', () => {
  it('gives the same customers, accounts and transactions for the same seed', () => {
    const a = generateSandboxBank('seed-one', 5, '2026-11');
    const b = generateSandboxBank('seed-one', 5, '2026-11');
    expect(b).toEqual(a);
    expect(a.transactions.length).toBeGreaterThan(100);
  });

  it('gives different data for another seed', () => {
    const a = generateSandboxBank('seed-one', 3, '2026-11');
    const b = generateSandboxBank('seed-two', 3, '2026-11');
    expect(b.customers.map((c) => c.id)).not.toEqual(a.customers.map((c) => c.id));
    expect(b.transactions.map((t) => t.amountMinor)).not.toEqual(a.transactions.map((t) => t.amountMinor));
  });

  it('uses exactly the SPEC categories', () => {
    expect([...CATEGORIES]).toEqual([
      'groceries',
      'transport',
      'eating_out',
      'bills',
      'mortgage',
      'car_finance',
      'salary',
      'shopping',
      'entertainment',
      'transfers',
      'cash',
      'other',
    ]);
    const { transactions } = generateSandboxBank('categories', 20, '2026-11');
    const used = new Set(transactions.map((t) => t.category));
    for (const category of used) expect(CATEGORIES).toContain(category);
  });

  it('labels every customer as sandbox, gives 2-4 accounts and 12 months before `until`', () => {
    const bank = generateSandboxBank('shape', 12, '2026-11');
    for (const c of bank.customers) {
      expect(c.name).toMatch(/^Sandbox Customer \d{4}$/);
      expect(c.email).toMatch(/@sandbox\.example$/);
      const accounts = bank.accounts.filter((a) => a.customerId === c.id);
      expect(accounts.length).toBeGreaterThanOrEqual(2);
      expect(accounts.length).toBeLessThanOrEqual(4);
    }
    const dates = bank.transactions.map((t) => t.bookingDate).sort();
    expect(dates[0]! >= '2025-11-01').toBe(true);
    expect(dates.at(-1)! < '2026-11-01').toBe(true);
    expect(new Set(dates.map((d) => d.slice(0, 7))).size).toBe(12);
  });
});
