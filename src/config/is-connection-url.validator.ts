import { ValidationOptions, registerDecorator } from 'class-validator';

/** A URL that `new URL()` accepts, with one of the given protocols and a host. */
export function IsConnectionUrl(protocols: string[], options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isConnectionUrl',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return protocols.includes(url.protocol) && url.hostname.length > 0;
          } catch {
            return false;
          }
        },
      },
    });
}
