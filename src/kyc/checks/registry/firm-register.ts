import { readFileSync } from 'node:fs';

export interface FirmRecord {
  frn: string;
  name: string;
  /** As the register words it, e.g. "Authorised", "Registered", "No longer authorised". */
  status: string;
  /** The firm's Companies House number, when the register records one (UK companies). */
  companiesHouseNumber?: string;
}

/** The FCA Financial Services Register, or anything that answers like it. */
export interface FirmRegister {
  /** The firm, or undefined when the register has no such reference number. Throws when the register cannot answer. */
  lookup(frn: string): Promise<FirmRecord | undefined>;
}

export class RegisterUnavailableError extends Error {}

/**
 * A register over HTTP: `GET <base>/firms/<frn>` answering 200 `{frn, name, status,
 * companiesHouseNumber?}` or 404. Anything
 * else (5xx, timeouts) is "cannot tell": the check job retries, and records `error` if it never can.
 */
export class HttpFirmRegister implements FirmRegister {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async lookup(frn: string): Promise<FirmRecord | undefined> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/firms/${encodeURIComponent(frn)}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch (e) {
      throw new RegisterUnavailableError(`register did not answer: ${(e as Error).message}`);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new RegisterUnavailableError(`register answered ${res.status}`);
    const body = (await res.json()) as Partial<FirmRecord>;
    if (typeof body.name !== 'string' || typeof body.status !== 'string')
      throw new RegisterUnavailableError('register answered in an unexpected shape');
    const chn = body.companiesHouseNumber;
    if (chn !== undefined && chn !== null && typeof chn !== 'string')
      throw new RegisterUnavailableError('register answered in an unexpected shape');
    return { frn, name: body.name, status: body.status, ...(chn ? { companiesHouseNumber: chn } : {}) };
  }
}

/** The default without a configured register: a JSON file of firms, so development and tests need no network. */
export class FixtureFirmRegister implements FirmRegister {
  private readonly firms: Map<string, FirmRecord>;

  constructor(path: string) {
    const list = JSON.parse(readFileSync(path, 'utf8')) as FirmRecord[];
    this.firms = new Map(list.map((f) => [f.frn, f]));
  }

  async lookup(frn: string): Promise<FirmRecord | undefined> {
    return this.firms.get(frn);
  }
}
