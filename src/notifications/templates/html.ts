import escapeHtml from 'escape-html';

/** Markup that has already been escaped or built by `html`; interpolated as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = string | number | SafeHtml | SafeHtml[] | null | undefined;

/** A tagged template that escapes every interpolated value unless it is SafeHtml: escaping by default. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => v.value).join('')
      : value instanceof SafeHtml
        ? value.value
        : escapeHtml(value === null || value === undefined ? '' : String(value));
    out += rendered + strings[i + 1]!;
  });
  return new SafeHtml(out);
}
