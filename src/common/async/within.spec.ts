import { within } from './within';

describe('within', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers with the work when it settles first', async () => {
    await expect(within(Promise.resolve(7), 1_000, 'late')).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('refused')), 1_000, 'late')).rejects.toThrow('refused');
  });

  it('rejects with the given message once the time is up, and leaves no timer behind', async () => {
    const never = new Promise<number>(() => undefined);
    const result = within(never, 1_000, 'Redis did not answer within 1000 ms');
    jest.advanceTimersByTime(1_000);
    await expect(result).rejects.toThrow('Redis did not answer within 1000 ms');
    expect(jest.getTimerCount()).toBe(0);
  });
});
