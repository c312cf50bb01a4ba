import { judgeNodeRuntime } from './node-runtime';

describe('judgeNodeRuntime (Node.js release schedule)', () => {
  const on = (iso: string) => new Date(`${iso}T12:00:00Z`);

  it.each([
    ['v24.21.0', '2026-11-30', true],
    ['v22.12.0', '2026-11-30', true],
    ['v20.20.2', '2026-11-30', false],
    ['v20.20.2', '2026-04-29', true],
    ['v20.20.2', '2026-04-30', false],
    ['v25.2.0', '2026-11-30', false],
    ['v18.20.8', '2026-11-30', false],
    ['v16.20.2', '2026-11-30', false],
    ['v24.21.0', '2028-04-30', false],
    ['v28.0.0', '2026-11-30', true],
  ])('%s on %s: maintained %s', (version, day, maintained) => {
    expect(judgeNodeRuntime(version, on(day)).maintained).toBe(maintained);
  });

  it('names the end-of-life date and the way out in one line when refusing', () => {
    const verdict = judgeNodeRuntime('v20.20.2', on('2026-11-30'));
    expect(verdict.message).toBe(
      'Node.js v20.20.2 is end of life since 2026-04-30: run Gatehouse through npm (npm start uses the Node 24 ' +
        'that npm installs) or set ALLOW_END_OF_LIFE_NODE=true for an emergency',
    );
    expect(verdict.message).not.toContain('\n');
  });

  it('says until when a maintained line gets security fixes', () => {
    expect(judgeNodeRuntime('v24.21.0', on('2026-11-30')).message).toBe(
      'running on Node.js v24.21.0 (security fixes until 2028-04-30)',
    );
  });

  it('throws on something that is not a Node.js version', () => {
    expect(() => judgeNodeRuntime('24', on('2026-11-30'))).toThrow('not a Node.js version: 24');
  });
});
