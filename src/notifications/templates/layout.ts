import { SafeHtml, html } from './html';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailBody {
  subject: string;
  /** Plain-text paragraphs; the text part must read well on its own. */
  text: string[];
  html: SafeHtml;
  /** A primary action, shown as a button in HTML and as a bare URL in text. */
  action?: { label: string; url: string };
  /** Why the reader gets this email; default: their Gatehouse account (developers and staff). */
  footer?: string;
}

const FOOTER =
  'You are receiving this because of your Gatehouse account. Gatehouse will never ask for your password by email.';

/** The one layout every email shares. */
export function layout(body: EmailBody): RenderedEmail {
  const footer = body.footer ?? FOOTER;
  const text = [...body.text, ...(body.action ? [`${body.action.label}: ${body.action.url}`] : []), '--', footer].join(
    '\n\n',
  );
  const button = body.action
    ? html`<p style="margin:24px 0">
          <a
            href="${body.action.url}"
            style="background:#0b3d91;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none"
            >${body.action.label}</a
          >
        </p>
        <p style="font-size:13px;color:#555">
          If the button does not work, paste this link into your browser:<br />${body.action.url}
        </p>`
    : html``;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${body.subject}</title>
      </head>
      <body style="font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;max-width:600px;margin:0 auto;padding:24px">
        <p style="font-weight:bold;color:#0b3d91">Gatehouse</p>
        ${body.html} ${button}
        <hr style="border:none;border-top:1px solid #ddd;margin:32px 0 16px" />
        <p style="font-size:12px;color:#777">${footer}</p>
      </body>
    </html>`;
  return { subject: body.subject, text, html: page.value };
}
