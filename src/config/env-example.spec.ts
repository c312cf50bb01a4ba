import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvDto } from './env.dto';

describe('.env.example', () => {
  it('lists every variable the configuration reads, each with a comment', () => {
    const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8').split('\n');
    const read = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvDto, '', true, false)
        .map((m) => m.propertyName),
    );
    for (const name of read) {
      const line = example.findIndex((l) => new RegExp(`^#? ?${name}=`).test(l));
      expect({ name, listed: line >= 0 }).toEqual({ name, listed: true });
      expect(
        example
          .slice(0, line)
          .reverse()
          .find((l) => !/^# ?[A-Z_]+=/.test(l)),
      ).toMatch(/^#/);
    }
  });
});
