import { createHash } from 'node:crypto';

/** The transaction categories of the SPEC ("Customers and the sandbox bank"); the table's CHECK lists the same. */
export const CATEGORIES = [
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
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Invented merchants, one fixed list per category: no real business or person is ever named. */
const MERCHANTS: Record<Category, readonly string[]> = {
  groceries: ['Sandbox Fresh Market', 'Example Grocers', 'Test Corner Shop'],
  transport: ['Sandbox Rail', 'Example Buses', 'Test Fuel Station'],
  eating_out: ['Sandbox Diner', 'Example Noodle Bar', 'Test Coffee House'],
  bills: ['Sandbox Energy', 'Example Water Co', 'Test Telecom'],
  mortgage: ['Sandbox Building Society'],
  car_finance: ['Example Motor Finance'],
  salary: ['Sandbox Employer Ltd'],
  shopping: ['Sandbox Outfitters', 'Example Home Store', 'Test Online Shop'],
  entertainment: ['Sandbox Cinema', 'Example Streaming', 'Test Theatre'],
  transfers: ['Transfer to own account'],
  cash: ['Sandbox Cash Machine'],
  other: ['Example Charity', 'Test Post Office'],
};

export type AccountType = 'current' | 'savings' | 'credit_card';

export interface SandboxTransaction {
  id: string;
  accountId: string;
  /** YYYY-MM-DD (UTC). */
  bookingDate: string;
  /** Signed, in pence: negative is money out. */
  amountMinor: number;
  currency: 'GBP';
  description: string;
  merchant: string;
  category: Category;
}

export interface SandboxAccount {
  id: string;
  customerId: string;
  type: AccountType;
  name: string;
  sortCode: string;
  accountNumber: string;
  currency: 'GBP';
}

export interface SandboxCustomer {
  id: string;
  /** 1-based, shown in the name ("Sandbox Customer 0007"). */
  number: number;
  name: string;
  /** On the reserved `.example` domain (RFC 2606): never deliverable, never a real person's. */
  email: string;
}

export interface SandboxBank {
  customers: SandboxCustomer[];
  accounts: SandboxAccount[];
  transactions: SandboxTransaction[];
}

/** sfc32 seeded from SHA-256: a small, fast, well-mixed PRNG, identical on every platform. */
function prng(seed: string): () => number {
  const h = createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A UUID (version 8, RFC 9562 §5.8: custom) derived from the seed and a name, so ids are stable. */
export function stableUuid(seed: string, name: string): string {
  const h = createHash('sha256').update(`${seed}\0${name}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The synthetic sandbox bank for a seed: `customers` customers, each with 2-4 accounts (a current
 * account always) and the 12 calendar months of transactions before `until` (a YYYY-MM first of
 * month, UTC). Same inputs, same output, ids included; labelled sandbox throughout.
 */
export function generateSandboxBank(seed: string, customers: number, until: string): SandboxBank {
  if (!/^\d{4}-\d{2}$/.test(until)) throw new Error('until must be YYYY-MM');
  const bank: SandboxBank = { customers: [], accounts: [], transactions: [] };
  const [year, month] = until.split('-').map(Number) as [number, number];
  for (let n = 1; n <= customers; n++) {
    const random = prng(`${seed}/customer/${n}`);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const customer: SandboxCustomer = {
      id: stableUuid(seed, `customer/${n}`),
      number: n,
      name: `Sandbox Customer ${pad(n, 4)}`,
      email: `customer${pad(n, 4)}@sandbox.example`,
    };
    bank.customers.push(customer);
    const types: AccountType[] = ['current', ...(['savings', 'credit_card', 'savings'] as const).slice(0, int(1, 3))];
    const salary = int(1800, 4200) * 100;
    const hasMortgage = random() < 0.5;
    const hasCar = random() < 0.3;
    types.forEach((type, i) => {
      const account: SandboxAccount = {
        id: stableUuid(seed, `customer/${n}/account/${i}`),
        customerId: customer.id,
        type,
        name: `Sandbox ${type.replace('_', ' ')} ${i + 1}`,
        sortCode: `99${pad(int(0, 9999), 4)}`,
        accountNumber: pad(int(0, 99_999_999), 8),
        currency: 'GBP',
      };
      bank.accounts.push(account);
      let t = 0;
      const add = (day: Date, amountMinor: number, category: Category, description?: string) => {
        const merchant = pick(MERCHANTS[category]);
        bank.transactions.push({
          id: stableUuid(seed, `customer/${n}/account/${i}/transaction/${t++}`),
          accountId: account.id,
          bookingDate: isoDate(day),
          amountMinor,
          currency: 'GBP',
          description: description ?? `${merchant} (sandbox)`,
          merchant,
          category,
        });
      };
      for (let m = 12; m >= 1; m--) {
        const first = new Date(Date.UTC(year, month - 1 - m, 1));
        const days = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
        const on = (d: number) => new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, days)));
        if (type === 'current') {
          add(on(25), salary, 'salary', 'Salary (sandbox)');
          add(on(1), -int(60, 180) * 100, 'bills');
          if (hasMortgage) add(on(2), -int(600, 1400) * 100, 'mortgage');
          if (hasCar) add(on(5), -int(150, 350) * 100, 'car_finance');
          const spends = [
            'groceries',
            'transport',
            'eating_out',
            'shopping',
            'entertainment',
            'cash',
            'other',
          ] as const;
          for (let k = int(8, 16); k > 0; k--) add(on(int(1, days)), -int(150, 9000), pick(spends));
          if (types.includes('savings')) add(on(26), -int(50, 300) * 100, 'transfers', 'To sandbox savings');
        } else if (type === 'savings') {
          add(on(26), int(50, 300) * 100, 'transfers', 'From sandbox current account');
        } else {
          for (let k = int(2, 6); k > 0; k--) add(on(int(1, days)), -int(500, 15000), pick(['shopping', 'eating_out']));
        }
      }
    });
  }
  return bank;
}
